import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm';
import { Database } from 'src/database/database';
import { TallyRunEntity } from 'src/tallying/entities/tally-run.entity';
import { ResultPublicationEntity } from './entities/result-publication.entity';

export type NewPublication = Omit<
  ResultPublicationEntity,
  'id' | 'createdAt' | 'publishedAt' | 'withdrawnAt' | 'withdrawnBy' | 'withdrawalReason' | 'bundle'
> & { id: string; bundle: Buffer };

@Injectable()
export class PublicationsRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(ResultPublicationEntity);
  }

  findById(id: string): Promise<ResultPublicationEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** The frozen audit bundle of a publication, as stored. */
  async findBundle(id: string): Promise<Buffer | null> {
    const row = await this.repo
      .createQueryBuilder('p')
      .select('p.bundle', 'bundle')
      .where('p.id = :id', { id })
      .getRawOne<{ bundle: Buffer | null }>();
    return row?.bundle ?? null;
  }

  /** The tally run a publication certifies (the tallying module's table, read only). */
  findRun(runId: string): Promise<TallyRunEntity | null> {
    return this.db.manager.getRepository(TallyRunEntity).findOneBy({ id: runId });
  }

  /** The certified or published (not withdrawn) publication of a contest. */
  findLive(contestKind: string, contestId: string): Promise<ResultPublicationEntity | null> {
    return this.repo
      .createQueryBuilder('p')
      .where('p.contest_kind = :contestKind AND p.contest_id = :contestId', {
        contestKind,
        contestId,
      })
      .andWhere(`p.status <> 'withdrawn'`)
      .getOne();
  }

  /** A publication the public may see: published, or certified with its embargo passed. */
  findVisible(
    contestKind: string,
    contestId: string,
    now: Date,
  ): Promise<ResultPublicationEntity | null> {
    return this.repo
      .createQueryBuilder('p')
      .where('p.contest_kind = :contestKind AND p.contest_id = :contestId', {
        contestKind,
        contestId,
      })
      .andWhere(`(p.status = 'published' OR (p.status = 'certified' AND p.publish_at <= :now))`, {
        now,
      })
      .getOne();
  }

  findForContest(contestKind: string, contestId: string): Promise<ResultPublicationEntity[]> {
    return this.repo.find({ where: { contestKind, contestId }, order: { createdAt: 'ASC' } });
  }

  findWithdrawn(): Promise<ResultPublicationEntity[]> {
    return this.repo.find({ where: { status: 'withdrawn' }, order: { withdrawnAt: 'DESC' } });
  }

  async findDueIds(now: Date): Promise<string[]> {
    const rows = await this.repo
      .createQueryBuilder('p')
      .select('p.id', 'id')
      .where(`p.status = 'certified' AND p.publish_at <= :now`, { now })
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  async insert(row: NewPublication): Promise<void> {
    await this.repo.insert(row as QueryDeepPartialEntity<ResultPublicationEntity>);
  }

  async update(
    id: string,
    fields: Partial<
      Pick<
        ResultPublicationEntity,
        'status' | 'publishedAt' | 'withdrawnAt' | 'withdrawnBy' | 'withdrawalReason'
      >
    >,
  ): Promise<void> {
    await this.repo.update({ id }, fields);
  }
}
