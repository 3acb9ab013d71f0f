import { Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerModuleOptions } from '@nestjs/throttler';
import type { AuthConfig } from 'src/config/config.types';

interface LoginRequest {
  ip: string;
  body?: unknown;
}

function attemptedEmail(request: LoginRequest): string {
  const body = request.body;
  if (typeof body === 'object' && body !== null && typeof (body as { email?: unknown }).email === 'string') {
    return (body as { email: string }).email.trim().toLowerCase();
  }
  return '';
}

/**
 * Two limits on login: attempts on one account from one address (tight), and attempts from one
 * address on any account (generous, for members behind one office NAT). The account limit is keyed
 * by address too, so an attacker elsewhere cannot lock a member out. The address is the socket's
 * unless TRUST_PROXY names the proxy, so a forged X-Forwarded-For changes nothing.
 */
export function loginThrottlers(auth: AuthConfig): ThrottlerModuleOptions {
  const ttl = auth.loginWindowSeconds * 1000;
  return {
    errorMessage: 'Too many login attempts; try again later',
    throttlers: [
      {
        name: 'login-account',
        ttl,
        limit: auth.loginLimitPerAccount,
        blockDuration: ttl,
        getTracker: (req) => `${(req as LoginRequest).ip}|${attemptedEmail(req as LoginRequest)}`,
      },
      {
        name: 'login-ip',
        ttl,
        limit: auth.loginLimitPerIp,
        blockDuration: ttl,
        getTracker: (req) => (req as LoginRequest).ip,
      },
    ],
  };
}

@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {}
