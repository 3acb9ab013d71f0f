import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { confirmSessionBeforeRefusal, whenSessionEnded } from 'src/auth/session-check';
import type { AuthUser, SessionCallerClaims } from 'src/common/auth/auth-user';
import { RateLimitException } from 'src/common/rate-limit/rate-limit.exception';
import { admit, Limit, RateLimits } from 'src/common/rate-limit/rate-limits';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';

/**
 * Limits casting per user (whichever session) and per network address, after authentication and
 * before the body is validated, so a refused request costs no query but the session lookup and
 * stores nothing. A request counts against both limits only if both let it through. IPv6
 * addresses count per /64, the block one household or office is given. With REDIS_URL the counts
 * are shared by every API process, at the cost of one pipelined Redis round trip a ballot.
 */
@Injectable()
export class CastLimitsGuard implements CanActivate {
  private readonly perUser: Limit;
  private readonly perIp: Limit;

  constructor(@InjectConfig() config: Config, limits: RateLimits) {
    const windowSeconds = config.casting.limitWindowSeconds;
    this.perUser = limits.limit({
      name: 'cast-user',
      points: config.casting.limitPerUser,
      windowSeconds,
    });
    this.perIp = limits.limit({
      name: 'cast-ip',
      points: config.casting.limitPerIp,
      windowSeconds,
    });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<FastifyRequest & { user: AuthUser | SessionCallerClaims }>();
    const admission = await admit([
      [this.perUser, request.user.id],
      [this.perIp, normalizeIp(request.ip)],
    ]);
    if (!admission.allowed) {
      await confirmSessionBeforeRefusal(request);
      const retryAfterSeconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
      throw admission.refusedBy === 0
        ? new RateLimitException(
            `Too many ballots sent by this user; try again in ${retryAfterSeconds} s`,
            { reason: 'user', retryAfterSeconds },
          )
        : new RateLimitException(
            `Too many ballots sent from this network address; try again in ${retryAfterSeconds} s`,
            { reason: 'ip', retryAfterSeconds },
          );
    }
    // The session is checked later, by the casting statement: a request from an ended session is
    // answered 401 and must not use up the user's or the address's allowance.
    whenSessionEnded(request, admission.uncount);
    return true;
  }
}
