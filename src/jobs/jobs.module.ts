import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Config } from 'src/config/config.types';
import { BullMqDriver } from './bullmq.driver';
import { Heartbeat } from './heartbeat';
import { InProcessDriver } from './in-process.driver';
import { QueueName } from './job-catalogue';
import { JobRegistry } from './job-registry';
import { JobsService } from './jobs.service';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository } from './outbox.repository';
import { QUEUE_DRIVER } from './queue-driver';
import { processorFor } from './queue.processor';
import { producerOptions, workerOptions } from './redis-connection';
import { RedisProbe } from './redis-probe';
import { RedisSettings } from './redis-settings';
import { ScheduleSweeper } from './schedule-sweeper';

/**
 * With REDIS_URL: BullMQ queues, and workers when this process consumes. Without: the in-process
 * driver. Either way work enters through the outbox and reaches the same handlers.
 */
@Global()
@Module({})
export class JobsModule {
  static forRoot(config: Config): DynamicModule {
    const common: Provider[] = [
      JobRegistry,
      JobsService,
      OutboxRelay,
      OutboxRepository,
      Heartbeat,
      ScheduleSweeper,
    ];
    const url = config.queue.redisUrl;
    if (!url) {
      return {
        module: JobsModule,
        imports: [DiscoveryModule],
        providers: [
          ...common,
          InProcessDriver,
          { provide: QUEUE_DRIVER, useExisting: InProcessDriver },
        ],
        exports: [JobsService, Heartbeat, ScheduleSweeper, QUEUE_DRIVER],
      };
    }
    const timeout = config.queue.connectTimeoutMs;
    const commandTimeout = config.queue.commandTimeoutMs;
    const processors = config.queue.runWorker
      ? Object.values(QueueName).map((q) =>
          processorFor(q, {
            concurrency: config.queue.concurrency,
            stalledInterval: config.queue.stalledIntervalMs,
            connection: workerOptions(url, timeout),
          }),
        )
      : [];
    return {
      module: JobsModule,
      imports: [
        DiscoveryModule,
        BullModule.forRoot({
          connection: workerOptions(url, timeout),
          prefix: config.queue.prefix,
        }),
        ...Object.values(QueueName).map((name) =>
          BullModule.registerQueue({
            name,
            prefix: config.queue.prefix,
            connection: producerOptions(url, timeout, commandTimeout),
          }),
        ),
      ],
      providers: [
        ...common,
        ...processors,
        BullMqDriver,
        RedisProbe,
        RedisSettings,
        { provide: QUEUE_DRIVER, useExisting: BullMqDriver },
      ],
      exports: [
        JobsService,
        Heartbeat,
        ScheduleSweeper,
        QUEUE_DRIVER,
        BullMqDriver,
        RedisProbe,
        RedisSettings,
      ],
    };
  }
}
