import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import type { OutboxEntity } from './entities/outbox.entity';
import { JOB_ATTEMPTS, JOB_BACKOFF_MS, QueueName } from './job-catalogue';
import type { QueueDriver } from './queue-driver';

@Injectable()
export class BullMqDriver implements QueueDriver, OnModuleInit {
  readonly kind = 'bullmq' as const;
  private queues = new Map<string, Queue>();

  constructor(
    private readonly moduleRef: ModuleRef,
    @InjectConfig() private readonly config: Config,
  ) {}

  onModuleInit(): void {
    for (const name of Object.values(QueueName)) {
      this.queues.set(name, this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
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
    // The deterministic job id makes a second add of the same job a no-op in BullMQ too.
    await this.queue(row.queue).add(row.jobName, row.payload, {
      jobId: row.jobId,
      attempts: JOB_ATTEMPTS,
      backoff: { type: 'exponential', delay: JOB_BACKOFF_MS },
      removeOnComplete: { count: this.config.queue.removeOnCompleteCount },
      removeOnFail: { count: this.config.queue.removeOnFailCount },
    });
    return 'queued';
  }
}
