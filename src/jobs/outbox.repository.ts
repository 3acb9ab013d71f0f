import { Injectable } from '@nestjs/common';
import { Database } from 'src/database/database';
import { OutboxEntity } from './entities/outbox.entity';

@Injectable()
export class OutboxRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(OutboxEntity);
  }

  /** Writes the job unless a job with the same id exists: enqueueing twice is one job. */
  async insertIfAbsent(row: {
    queue: string;
    jobName: string;
    jobId: string;
    payload: object;
  }): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .insert()
      .into(OutboxEntity)
      .values({ ...row, payload: row.payload })
      .orIgnore()
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  /** Locks a batch of due rows for this relay; other relays skip them. Call inside a transaction. */
  claimDue(limit: number): Promise<OutboxEntity[]> {
    return this.repo
      .createQueryBuilder('o')
      .where(`o.status = 'pending' AND o.available_at <= now()`)
      .orderBy('o.id', 'ASC')
      .take(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  /**
   * Keeps claimed rows invisible to other relays for `ms` more, by the database's clock; a claim
   * also uses up an attempt. Rows no longer pending (handed over meanwhile) are left alone.
   */
  async lease(ids: readonly string[], ms: number, claim = false): Promise<void> {
    if (ids.length === 0) {
      return;
    }
    await this.repo
      .createQueryBuilder()
      .update(OutboxEntity)
      .set({
        availableAt: () => `now() + make_interval(secs => ${Number(ms) / 1000})`,
        ...(claim ? { attempts: () => 'attempts + 1' } : {}),
      })
      .where(`id IN (:...ids) AND status = 'pending'`, { ids })
      .execute();
  }

  async markRelayed(id: string): Promise<void> {
    await this.repo.update({ id }, { status: 'relayed', relayedAt: new Date(), lastError: null });
  }

  async markDone(jobId: string): Promise<void> {
    await this.repo.update({ jobId }, { status: 'done', finishedAt: new Date(), lastError: null });
  }

  async markFailed(jobId: string, error: string): Promise<void> {
    await this.repo.update(
      { jobId },
      { status: 'failed', finishedAt: new Date(), lastError: error },
    );
  }

  async postpone(id: string, attempts: number, delayMs: number, error: string): Promise<void> {
    await this.repo.update(
      { id },
      { attempts, availableAt: new Date(Date.now() + delayMs), lastError: error.slice(0, 2000) },
    );
  }

  async countPending(): Promise<number> {
    return this.repo.countBy({ status: 'pending' });
  }

  /** Jobs that failed for good and are still retained: each one needs an operator's attention. */
  async countFailed(): Promise<number> {
    return this.repo.countBy({ status: 'failed' });
  }

  findByJobId(jobId: string): Promise<OutboxEntity | null> {
    return this.repo.findOneBy({ jobId });
  }

  async lastFinished(jobName: string): Promise<Date | null> {
    const row = await this.repo
      .createQueryBuilder('o')
      .select('max(o.finished_at)', 'at')
      .where(`o.job_name = :jobName AND o.status = 'done'`, { jobName })
      .getRawOne<{ at: Date | null }>();
    return row?.at ?? null;
  }

  async deleteFinishedBefore(before: Date): Promise<number> {
    const result = await this.repo
      .createQueryBuilder()
      .delete()
      .from(OutboxEntity)
      .where(`status = 'done' AND finished_at < :before`, { before })
      .execute();
    return result.affected ?? 0;
  }
}
