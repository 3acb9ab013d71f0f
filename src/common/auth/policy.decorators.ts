import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from 'src/auth/entities/user.entity';
import type { AuthUser } from './auth-user';

export const POLICY_KEY = 'access-policy';

export type AccessPolicy = { kind: 'public' } | { kind: 'roles'; roles: Role[] } | { kind: 'authenticated' };

/** No login needed. */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(POLICY_KEY, { kind: 'public' } satisfies AccessPolicy);

/** Only callers with one of these roles; services still check ownership. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(POLICY_KEY, { kind: 'roles', roles } satisfies AccessPolicy);

/** Any logged-in caller; the service decides what they may see. */
export const Authenticated = (): MethodDecorator & ClassDecorator =>
  SetMetadata(POLICY_KEY, { kind: 'authenticated' } satisfies AccessPolicy);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const request = ctx.switchToHttp().getRequest<{ user?: AuthUser }>();
  if (!request.user) {
    throw new Error('CurrentUser used on a route without authentication');
  }
  return request.user;
});
