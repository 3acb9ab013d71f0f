/**
 * Every queue and job of the application, with one payload type per job, shared by the code that
 * enqueues and the handler that runs it.
 */
export enum QueueName {
  System = 'system',
  Tally = 'tally',
  Results = 'results',
}

export enum JobName {
  /** Round-trips through the queue; its completion time shows the worker is alive. */
  Heartbeat = 'system.heartbeat',
  /** Counts a closed contest (an election, later an award round) from its frozen ballots. */
  Tally = 'tallying.tally',
  /** Makes a certified result public once its embargo has passed. */
  PublishResult = 'results.publish',
}

export interface JobPayloads {
  [JobName.Heartbeat]: { requestedAt: string };
  [JobName.Tally]: { contestKind: string; contestId: string; inputDigest: string };
  [JobName.PublishResult]: { publicationId: string };
}

export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.Heartbeat]: QueueName.System,
  [JobName.Tally]: QueueName.Tally,
  [JobName.PublishResult]: QueueName.Results,
};

/** Retries for transient failures; a permanent failure is not retried. */
export const JOB_ATTEMPTS = 5;
export const JOB_BACKOFF_MS = 2000;

/** How long the outbox waits before offering a job to a queue that refused it. */
export const RELAY_RETRY_DELAY_MS = 2000;
export const RELAY_RETRY_MAX_DELAY_MS = 60_000;
export const RELAY_BATCH = 100;

/** Completed outbox rows are kept this long for inspection, then removed. */
export const OUTBOX_RETENTION_DAYS = 7;

export type JobPayload<N extends JobName> = JobPayloads[N];

/** Job ids must be deterministic and may not contain ':' (BullMQ reserves it). */
export function jobId(...parts: string[]): string {
  return parts.map((p) => p.replace(/[^A-Za-z0-9_.-]/g, '_')).join('.');
}
