import { Injectable } from '@nestjs/common';
import { Database } from 'src/database/database';
import { JOB_QUEUE, JobName, JobPayloads } from './job-catalogue';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository } from './outbox.repository';

/** The one way to enqueue: an outbox row in the caller's transaction, relayed after commit. */
@Injectable()
export class JobsService {
  constructor(
    private readonly db: Database,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
  ) {}

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], jobId: string): Promise<boolean> {
    const created = await this.outbox.insertIfAbsent({ queue: JOB_QUEUE[name], jobName: name, jobId, payload });
    if (created) {
      this.db.afterCommit(() => this.relay.poke());
    }
    return created;
  }

  async status(jobId: string): Promise<{ status: string; lastError: string | null } | null> {
    const row = await this.outbox.findByJobId(jobId);
    return row ? { status: row.status, lastError: row.lastError } : null;
  }

  /** Runs the relay until nothing is due. */
  drain(): Promise<void> {
    return this.relay.drain();
  }

  countPending(): Promise<number> {
    return this.outbox.countPending();
  }

  countFailed(): Promise<number> {
    return this.outbox.countFailed();
  }
}
