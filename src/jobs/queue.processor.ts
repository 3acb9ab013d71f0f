import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable, Logger, Type } from '@nestjs/common';
import { Job, RedisOptions, UnrecoverableError } from 'bullmq';
import { isPermanent } from './job.errors';
import { JobName, QueueName } from './job-catalogue';
import { JobRegistry } from './job-registry';
import { OutboxRepository } from './outbox.repository';

/**
 * Thin: unpack, call the one handler, record the outcome on the outbox row. @Injectable makes
 * TypeScript emit the constructor's parameter types, which the generated subclasses inherit.
 */
@Injectable()
abstract class QueueProcessor extends WorkerHost implements BeforeApplicationShutdown {
  protected abstract readonly logger: Logger;

  constructor(
    private readonly registry: JobRegistry,
    private readonly outbox: OutboxRepository,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const started = Date.now();
    this.logger.log({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 }, 'job started');
    try {
      const result = await this.registry.run(job.name as JobName, job.data as never);
      if (job.id) {
        await this.outbox.markDone(job.id);
      }
      this.logger.log({ jobId: job.id, job: job.name, ms: Date.now() - started }, 'job finished');
      return result ?? null;
    } catch (error) {
      if (isPermanent(error)) {
        throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
      }
      throw error;
    }
  }

  /**
   * A graceful close waits for the worker's fetch loop, which waits for Redis without limit: with
   * Redis unreachable since start the shutdown would hang. No job can be running then, so the
   * worker is closed at once; BullMQ's own graceful close, which runs later, finds it closed.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const notYet = new Promise<false>((resolve) => setImmediate(() => resolve(false)));
    const connected = await Promise.race([this.worker.waitUntilReady().then(() => true), notYet]);
    if (!connected) {
      await this.worker.close(true);
    }
  }

  /** Without a listener BullMQ prints every connection error to the console. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error.message }, 'queue connection error');
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job | undefined, error: Error): Promise<void> {
    if (!job?.id) {
      return;
    }
    const final =
      error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.error(
      { jobId: job.id, job: job.name, attempt: job.attemptsMade, final, err: error.message },
      'job failed',
    );
    if (final) {
      await this.outbox.markFailed(job.id, error.message);
    }
  }
}

/** One processor class per queue, since BullMQ binds a worker to a queue by decorator. */
export function processorFor(
  queue: QueueName,
  options: { concurrency: number; stalledInterval: number; connection: RedisOptions },
): Type<QueueProcessor> {
  // The worker gets its own connection settings: the queue's are the producer's (fail fast), but a
  // worker blocks on Redis and must wait out an outage instead.
  // A job's lock lasts one stalled interval (renewed at half of it): when a worker dies, its job is
  // found stalled and re-run within about two intervals, instead of BullMQ's fixed 30 s lock.
  @Processor(queue, { ...options, lockDuration: options.stalledInterval, maxStalledCount: 2 })
  class Bound extends QueueProcessor {
    protected readonly logger = new Logger(`QueueProcessor:${queue}`);
  }
  return Bound;
}
