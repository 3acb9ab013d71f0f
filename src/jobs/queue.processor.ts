import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, Type } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { isPermanent } from './job.errors';
import { JobName, QueueName } from './job-catalogue';
import { JobRegistry } from './job-registry';
import { OutboxRepository } from './outbox.repository';

/** Thin: unpack, call the one handler, record the outcome on the outbox row. */
abstract class QueueProcessor extends WorkerHost {
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

  @OnWorkerEvent('failed')
  async onFailed(job: Job | undefined, error: Error): Promise<void> {
    if (!job?.id) {
      return;
    }
    const final = error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.error({ jobId: job.id, job: job.name, attempt: job.attemptsMade, final, err: error.message }, 'job failed');
    if (final) {
      await this.outbox.markFailed(job.id, error.message);
    }
  }
}

/** One processor class per queue, since BullMQ binds a worker to a queue by decorator. */
export function processorFor(queue: QueueName, concurrency: number, stalledInterval: number): Type<QueueProcessor> {
  @Processor(queue, { concurrency, stalledInterval, maxStalledCount: 2 })
  class Bound extends QueueProcessor {
    protected readonly logger = new Logger(`QueueProcessor:${queue}`);
  }
  return Bound;
}
