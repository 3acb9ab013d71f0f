import { DomainException } from 'src/common/errors/domain.exception';

export enum RateLimitErrorCode {
  TooManyRequests = 'RATE_LIMITED',
}

/**
 * Which limit refused the request: the caller's own, the one their network address shares, or (for
 * a login) the one on the account tried from that address.
 */
export type RateLimitReason = 'user' | 'ip' | 'account';

/** A 429; the HTTP filter turns `retryAfterSeconds` into a Retry-After header. */
export class RateLimitException extends DomainException {
  constructor(
    message: string,
    override readonly details: { reason: RateLimitReason; retryAfterSeconds: number },
  ) {
    super('too_many_requests', RateLimitErrorCode.TooManyRequests, message, details);
  }
}
