import { DomainException } from 'src/common/errors/domain.exception';

/** A failure a retry cannot fix (bad configuration, missing data): the job fails for good. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

export function isPermanent(error: unknown): boolean {
  if (error instanceof PermanentJobError) {
    return true;
  }
  // Domain rules do not change between attempts; only unknown (infrastructure) errors are retried.
  return error instanceof DomainException && error.kind !== 'unavailable';
}

/**
 * The queue cannot be reached (Redis is away). Not a failure of the job: the outbox offers it again
 * on the next relay pass without using up an attempt or growing a back-off, so it is handed over
 * within one relay period of Redis returning.
 */
export class QueueUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueueUnavailableError';
  }
}
