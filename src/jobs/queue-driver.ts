import type { OutboxEntity } from './entities/outbox.entity';

export const QUEUE_DRIVER = Symbol('QUEUE_DRIVER');

export interface QueueDriver {
  readonly kind: 'bullmq' | 'in-process';
  /**
   * Hands one job over. 'queued': a worker will run it; 'done': it already ran here. Rejects when
   * the transport is unavailable or the job failed; the relay then retries or fails it.
   */
  dispatch(row: OutboxEntity): Promise<'queued' | 'done'>;
}
