import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { SessionCheckInterceptor } from 'src/auth/session-check';
import type { Role } from 'src/auth/entities/user.entity';
import { AuthUser, isSessionCaller, SessionCallerClaims } from './auth-user';

export const POLICY_KEY = 'access-policy';

export type AccessPolicy =
  | { kind: 'public' }
  | { kind: 'roles'; roles: Role[] }
  | { kind: 'authenticated'; session?: 'checked-by-route' };

/** No login needed. */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(POLICY_KEY, { kind: 'public' } satisfies AccessPolicy);

/** Only callers with one of these roles; services still check ownership. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(POLICY_KEY, { kind: 'roles', roles } satisfies AccessPolicy);

/** Any logged-in caller; the service decides what they may see. */
export const Authenticated = (): MethodDecorator & ClassDecorator =>
  SetMetadata(POLICY_KEY, { kind: 'authenticated' } satisfies AccessPolicy);

/**
 * Any logged-in caller, on a hot path: the guard checks the token (signature, expiry, issuer,
 * audience) but not the session, which the route checks in its own database statement, atomically
 * with its work, instead of in a query of its own. The handler takes `@SessionCaller()`; the
 * `SessionCheckInterceptor` this puts on the route answers a caller whose session has ended 401
 * before any other refusal, as on every other route.
 */
export const AuthenticatedInStatement = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(POLICY_KEY, {
      kind: 'authenticated',
      session: 'checked-by-route',
    } satisfies AccessPolicy),
    UseInterceptors(SessionCheckInterceptor),
  );

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const request = ctx.switchToHttp().getRequest<{ user?: AuthUser }>();
  if (!request.user || isSessionCaller(request.user)) {
    throw new Error('CurrentUser used on a route without a checked session');
  }
  return request.user;
});

/** The caller on an `@AuthenticatedInStatement()` route. */
export const SessionCaller = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): SessionCallerClaims => {
    const request = ctx.switchToHttp().getRequest<{ user?: AuthUser | SessionCallerClaims }>();
    if (!request.user || !isSessionCaller(request.user)) {
      throw new Error('SessionCaller used on a route that is not @AuthenticatedInStatement()');
    }
    return request.user;
  },
);
