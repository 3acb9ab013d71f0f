import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { Database } from 'src/database/database';
import type { OutboxEntity } from './entities/outbox.entity';
import { isPermanent, QueueUnavailableError } from './job.errors';
import {
  JOB_ATTEMPTS,
  OUTBOX_RETENTION_DAYS,
  RELAY_BATCH,
  RELAY_RETRY_DELAY_MS,
  RELAY_RETRY_MAX_DELAY_MS,
} from './job-catalogue';
import { OutboxRepository } from './outbox.repository';
import { QUEUE_DRIVER, QueueDriver } from './queue-driver';

/**
 * How long a claimed row stays invisible to other relays. The relay renews the lease every
 * LEASE_RENEW_MS while it holds the row, so a long hand-over keeps it, and a relay that dies (or
 * hangs) frees its rows within one lease.
 */
const LEASE_MS = 5_000;
const LEASE_RENEW_MS = 1_000;

/**
 * Moves outbox rows to the queue. Runs on a timer and right after a commit that wrote work, so a
 * restart or an absent Redis only delays a job. Several relays (API replicas, workers) may run:
 * each claims rows with SKIP LOCKED and the queue dedupes by job id.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private lastCleanup = 0;
  private queueAway = false;

  constructor(
    @InjectConfig() private readonly config: Config,
    private readonly db: Database,
    private readonly outbox: OutboxRepository,
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.poke(), this.config.queue.relayIntervalMs);
    this.timer.unref();
    this.poke();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Asks for a relay pass soon; passes never overlap within one process. */
  poke(): void {
    if (this.stopped) {
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Relays until nothing is due; resolves when done (tests and the shutdown path wait on it). */
  async drain(): Promise<void> {
    this.poke();
    while (this.running) {
      await this.running;
    }
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        const handed = await this.relayBatch();
        if (handed === RELAY_BATCH) {
          this.again = true;
        }
        await this.cleanup();
      } catch (error) {
        this.logger.error({ err: String(error) }, 'outbox relay pass failed');
      }
      // While the queue is away, one try per relay period: the timer asks again, nothing else does.
    } while (this.again && !this.stopped && !this.queueAway);
  }

  private async relayBatch(): Promise<number> {
    const rows = await this.db.transaction(async () => {
      // While the queue is away one row is enough to find out whether it is back: claiming and
      // releasing a whole batch every period would only churn the outbox.
      const due = await this.outbox.claimDue(this.queueAway ? 1 : RELAY_BATCH);
      await this.outbox.lease(
        due.map((row) => row.id),
        LEASE_MS,
        true,
      );
      return due;
    });
    const lease = new Lease(this.outbox, rows, this.logger);
    try {
      for (const [i, row] of rows.entries()) {
        const away = await this.handOver(row, lease);
        if (away) {
          await lease.end();
          await this.release(rows.slice(i), away.message);
          return 0;
        }
      }
    } finally {
      await lease.end();
    }
    if (this.queueAway) {
      this.queueAway = false;
      // The probe went through: hand over the rest now rather than a period later.
      this.again = true;
      this.logger.log('the queue is reachable again; outbox jobs are being handed over');
    }
    return rows.length;
  }

  /** Gives claimed rows back: due now, with their attempts unchanged and the reason they wait. */
  private async release(rows: readonly OutboxEntity[], reason: string): Promise<void> {
    for (const row of rows) {
      await this.outbox.postpone(row.id, row.attempts, 0, reason);
    }
  }

  /** Hands one row over; resolves with the error when the queue itself is unreachable. */
  private async handOver(
    row: OutboxEntity,
    lease: Lease,
  ): Promise<QueueUnavailableError | undefined> {
    const started = Date.now();
    const attempt = row.attempts + 1;
    try {
      const outcome = await this.driver.dispatch(row).finally(() => lease.drop(row.id));
      if (outcome === 'done') {
        await this.outbox.markDone(row.jobId);
      } else {
        await this.outbox.markRelayed(row.id);
      }
      this.logger.log(
        { jobId: row.jobId, job: row.jobName, outcome, ms: Date.now() - started },
        'job handed over',
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof QueueUnavailableError) {
        if (!this.queueAway) {
          this.queueAway = true;
          this.logger.warn(
            { err: message },
            'the queue is unreachable; outbox jobs wait and are offered every relay period',
          );
        }
        return error;
      }
      if (isPermanent(error) || (this.driver.kind === 'in-process' && attempt >= JOB_ATTEMPTS)) {
        await this.outbox.markFailed(row.jobId, message);
        this.logger.error(
          { jobId: row.jobId, job: row.jobName, attempt, err: message },
          'job failed for good',
        );
        return;
      }
      const delay = Math.min(
        RELAY_RETRY_DELAY_MS * 2 ** Math.min(attempt - 1, 10),
        RELAY_RETRY_MAX_DELAY_MS,
      );
      await this.outbox.postpone(row.id, attempt, delay, message);
      this.logger.warn(
        { jobId: row.jobId, job: row.jobName, attempt, delayMs: delay, err: message },
        'job will be retried',
      );
    }
  }

  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < 3_600_000) {
      return;
    }
    this.lastCleanup = Date.now();
    const removed = await this.outbox.deleteFinishedBefore(
      new Date(Date.now() - OUTBOX_RETENTION_DAYS * 86_400_000),
    );
    if (removed > 0) {
      this.logger.log({ removed }, 'old outbox rows removed');
    }
  }
}

/**
 * The claim on a batch of rows, renewed while the relay works through them. A row leaves it before
 * the relay records its outcome, so no renewal written afterwards can hide it again.
 */
class Lease {
  private readonly held: Set<string>;
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<void> = Promise.resolve();

  constructor(
    private readonly outbox: OutboxRepository,
    rows: readonly OutboxEntity[],
    private readonly logger: Logger,
  ) {
    this.held = new Set(rows.map((row) => row.id));
    this.timer = setInterval(() => this.renew(), LEASE_RENEW_MS);
    this.timer.unref();
  }

  private renew(): void {
    if (this.held.size === 0) {
      return;
    }
    const ids = [...this.held];
    this.renewing = this.renewing
      .then(() => this.outbox.lease(ids, LEASE_MS))
      .catch((error: unknown) =>
        this.logger.warn({ err: String(error) }, 'outbox lease could not be renewed'),
      );
  }

  /** Lets go of one row once any renewal in flight has been written. */
  async drop(id: string): Promise<void> {
    this.held.delete(id);
    await this.renewing;
  }

  /** Stops renewing, once any renewal in flight has been written. */
  async end(): Promise<void> {
    clearInterval(this.timer);
    this.held.clear();
    await this.renewing;
  }
}
