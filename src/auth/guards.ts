import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { normalizeIp } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from 'src/common/auth/auth-user';
import { AccessPolicy, POLICY_KEY } from 'src/common/auth/policy.decorators';
import { RateLimitException } from 'src/common/rate-limit/rate-limit.exception';
import { admit, Limit, RateLimits } from 'src/common/rate-limit/rate-limits';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { createValidationPipe } from 'src/common/validation/validation.pipe';
import { AuthErrorCode, AuthException } from './auth.exception';
import { LoginDto } from './dto/auth.dto';
import { sessionCheckedByRoute } from './session-check';

export function policyOf(
  reflector: Reflector,
  context: ExecutionContext,
): AccessPolicy | undefined {
  return reflector.getAllAndOverride<AccessPolicy | undefined>(POLICY_KEY, [
    context.getHandler(),
    context.getClass(),
  ]);
}

/**
 * Every route needs a login unless it is marked public, and every route must declare a policy:
 * a route without one is refused rather than left open. Public routes (results, exports, bundles,
 * login) are limited per network address (IPv6 per /64), generously, so that one client cannot
 * keep the server rendering exports.
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  private readonly publicPerIp: Limit;

  constructor(
    private readonly reflector: Reflector,
    @InjectConfig() config: Config,
    limits: RateLimits,
  ) {
    super();
    this.publicPerIp = limits.limit({
      name: 'public-ip',
      points: config.rateLimits.publicLimitPerIp,
      windowSeconds: config.rateLimits.publicLimitWindowSeconds,
    });
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = policyOf(this.reflector, context);
    if (policy?.kind === 'public') {
      await this.admitPublic(context.switchToHttp().getRequest<FastifyRequest>());
      return true;
    }
    if (policy?.kind === 'authenticated' && policy.session === 'checked-by-route') {
      sessionCheckedByRoute.add(context.switchToHttp().getRequest<object>());
    }
    await (super.canActivate(context) as Promise<boolean>);
    if (policy === undefined) {
      throw new AuthException(AuthErrorCode.NoPolicy, 'This route has no access policy');
    }
    if (policy.kind === 'roles') {
      const user = context.switchToHttp().getRequest<{ user: AuthUser }>().user;
      if (!policy.roles.includes(user.role)) {
        throw new AuthException(AuthErrorCode.Forbidden, 'Your role does not allow this');
      }
    }
    return true;
  }

  private async admitPublic(request: FastifyRequest): Promise<void> {
    const admission = await admit([[this.publicPerIp, normalizeIp(request.ip)]]);
    if (!admission.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
      throw new RateLimitException(
        `Too many requests from this network address; try again in ${retryAfterSeconds} s`,
        { reason: 'ip', retryAfterSeconds },
      );
    }
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    // A token Passport rejects arrives as no user; an error means checking the session failed
    // (the database is away, say), which is not the caller's fault and must not look like a 401.
    if (error instanceof Error) {
      throw error;
    }
    if (error || !user) {
      throw new AuthException(AuthErrorCode.InvalidToken, 'Authentication required');
    }
    return user;
  }
}

@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  private readonly validation = createValidationPipe();

  /** The body is validated before Passport reads it, so a malformed login is a 400, not a 401. */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ body: unknown }>();
    request.body = await this.validation.transform(request.body, {
      type: 'body',
      metatype: LoginDto,
    });
    return super.canActivate(context) as Promise<boolean>;
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    if (error instanceof Error) {
      throw error;
    }
    if (error || !user) {
      throw new AuthException(AuthErrorCode.InvalidCredentials, 'Invalid e-mail or password');
    }
    return user;
  }
}
