import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import type { OutboxEntity } from './entities/outbox.entity';
import { QueueUnavailableError } from './job.errors';
import { JOB_ATTEMPTS, JOB_BACKOFF_MS, QueueName } from './job-catalogue';
import type { QueueDriver } from './queue-driver';
import { isCommandTimeout } from './redis-connection';
import { RedisSettings } from './redis-settings';

@Injectable()
export class BullMqDriver implements QueueDriver, OnModuleInit {
  readonly kind = 'bullmq' as const;
  private readonly logger = new Logger(BullMqDriver.name);
  private queues = new Map<string, Queue>();

  constructor(
    private readonly moduleRef: ModuleRef,
    @InjectConfig() private readonly config: Config,
    private readonly settings: RedisSettings,
  ) {}

  onModuleInit(): void {
    for (const name of Object.values(QueueName)) {
      const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      // Without a listener BullMQ prints every connection error to the console.
      queue.on('error', (error) =>
        this.logger.warn({ queue: name, err: error.message }, 'queue connection error'),
      );
      this.queues.set(name, queue);
    }
  }

  queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) {
      throw new Error(`unknown queue ${name}`);
    }
    return queue;
  }

  async dispatch(row: OutboxEntity): Promise<'queued'> {
    const queue = this.queue(row.queue);
    // A Redis whose settings could lose the job gets none; the row waits in the outbox.
    const refusal = await this.settings.refusal();
    if (refusal) {
      throw new QueueUnavailableError(refusal);
    }
    await this.connected(queue);
    try {
      // The deterministic job id makes a second add of the same job a no-op in BullMQ too.
      await queue.add(row.jobName, row.payload, {
        jobId: row.jobId,
        attempts: JOB_ATTEMPTS,
        backoff: { type: 'exponential', delay: JOB_BACKOFF_MS },
        removeOnComplete: { count: this.config.queue.removeOnCompleteCount },
        removeOnFail: { count: this.config.queue.removeOnFailCount },
      });
    } catch (error) {
      // The producer does not buffer while disconnected, so a lost connection fails the add at once;
      // a hung Redis keeps the connection and lets the add time out.
      if (isCommandTimeout(error) || !(await this.isReady(queue))) {
        throw new QueueUnavailableError(`Redis is not reachable: ${String(error)}`, {
          cause: error,
        });
      }
      throw error;
    }
    return 'queued';
  }

  /**
   * Whether the producer's connection is up. The client promise settles at the first connection;
   * the wait is bounded all the same, so the relay can never hang on it.
   */
  private async isReady(queue: Queue): Promise<boolean> {
    const client = await within(
      queue.getBackend().client.catch(() => undefined),
      200,
    );
    return client?.status === 'ready';
  }

  /**
   * BullMQ waits for the first connection without limit, which would stall the relay (and the
   * shutdown waiting on it) for as long as Redis is away; the row stays pending and is retried.
   */
  private async connected(queue: Queue): Promise<void> {
    const ms = this.config.queue.connectTimeoutMs;
    if (
      (await within(
        queue.waitUntilReady().then(() => true),
        ms,
      )) === undefined
    ) {
      throw new QueueUnavailableError(`Redis is not reachable (no connection within ${ms} ms)`);
    }
  }
}

/** The promise's value, or undefined when it has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
