import { Injectable } from '@nestjs/common';
import type { OutboxEntity } from './entities/outbox.entity';
import type { JobName } from './job-catalogue';
import { JobRegistry } from './job-registry';
import type { QueueDriver } from './queue-driver';

/** Without Redis, the relay runs each job here through the very same handler a worker would call. */
@Injectable()
export class InProcessDriver implements QueueDriver {
  readonly kind = 'in-process' as const;

  constructor(private readonly registry: JobRegistry) {}

  async dispatch(row: OutboxEntity): Promise<'done'> {
    await this.registry.run(row.jobName as JobName, row.payload as never);
    return 'done';
  }
}
