import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { confirmSessionBeforeRefusal, whenSessionEnded } from 'src/auth/session-check';
import type { AuthUser, SessionCallerClaims } from 'src/common/auth/auth-user';
import { RateLimiter } from 'src/common/rate-limit/rate-limiter';
import { RateLimitException } from 'src/common/rate-limit/rate-limit.exception';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';

/**
 * Limits casting per user (whichever session) and per network address, after authentication and
 * before the body is validated, so a refused request costs no query but the session lookup and
 * stores nothing. A request
 * counts against both limits only if both let it through. IPv6 addresses count per /64, the block
 * one household or office is given. Not @nestjs/throttler's guard: its storage filters a key's
 * whole log on every hit (about 12 µs at 1,200 a minute, growing with the limit), and its 429 names
 * the header after the throttler (Retry-After-<name>).
 */
@Injectable()
export class CastLimitsGuard implements CanActivate {
  private readonly perUser: RateLimiter;
  private readonly perIp: RateLimiter;

  constructor(@InjectConfig() config: Config) {
    const windowMs = config.casting.limitWindowSeconds * 1000;
    this.perUser = new RateLimiter(config.casting.limitPerUser, windowMs);
    this.perIp = new RateLimiter(config.casting.limitPerIp, windowMs);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<FastifyRequest & { user: AuthUser | SessionCallerClaims }>();
    const user = request.user.id;
    const ip = normalizeIp(request.ip);
    const now = Date.now();
    const userWait = this.perUser.waitMs(user, now);
    const ipWait = this.perIp.waitMs(ip, now);
    if (userWait > 0 || ipWait > 0) {
      await confirmSessionBeforeRefusal(request);
      const retryAfterSeconds = Math.max(1, Math.ceil(Math.max(userWait, ipWait) / 1000));
      throw userWait >= ipWait
        ? new RateLimitException(
            `Too many ballots sent by this user; try again in ${retryAfterSeconds} s`,
            { reason: 'user', retryAfterSeconds },
          )
        : new RateLimitException(
            `Too many ballots sent from this network address; try again in ${retryAfterSeconds} s`,
            { reason: 'ip', retryAfterSeconds },
          );
    }
    this.perUser.record(user, now);
    this.perIp.record(ip, now);
    // The session is checked later, by the casting statement: a request from an ended session is
    // answered 401 and must not use up the user's or the address's allowance.
    whenSessionEnded(request, () => {
      this.perUser.forget(user, now);
      this.perIp.forget(ip, now);
    });
    return true;
  }
}
