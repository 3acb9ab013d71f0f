import { Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { RateLimitException } from 'src/common/rate-limit/rate-limit.exception';
import { admit, Limit, RateLimits } from 'src/common/rate-limit/rate-limits';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';

/** A counted attempt, settled once the password has been checked. */
export interface Attempt {
  /** The password was right: the attempt gives its counts back. */
  succeeded(): void;
  /** The attempt could not be judged (the database was away, say): it gives its counts back. */
  abandoned(): void;
}

/**
 * What guessing a password costs. Login is limited per account from one address (tight) and per
 * address on any account (generous, for members behind one hall's or office's NAT); the account
 * limit is keyed by address too, so an attacker elsewhere cannot lock a member out. Only failures
 * use the allowance up: every attempt is counted before its password is checked, so parallel
 * guesses cannot all slip through, and a right password takes its counts back (and clears the
 * account's failures from that address). IPv6 addresses count per /64, as for casting; the
 * address is the socket's unless TRUST_PROXY names the proxy. A password change is limited per
 * user the same way, as tightly as a login to one account.
 */
@Injectable()
export class LoginLimits {
  private readonly perAccount: Limit;
  private readonly perIp: Limit;
  private readonly passwordChange: Limit;

  constructor(@InjectConfig() config: Config, limits: RateLimits) {
    const windowSeconds = config.auth.loginWindowSeconds;
    const points = config.auth.loginLimitPerAccount;
    this.perAccount = limits.limit({ name: 'login-account', points, windowSeconds });
    this.perIp = limits.limit({
      name: 'login-ip',
      points: config.auth.loginLimitPerIp,
      windowSeconds,
    });
    this.passwordChange = limits.limit({ name: 'password-change', points, windowSeconds });
  }

  /** Counts a login attempt before its password is checked; 429 when a limit is used up. */
  async login(ip: string, email: string): Promise<Attempt> {
    const address = normalizeIp(ip);
    const account = `${address}|${email.trim().toLowerCase()}`;
    const admission = await admit([
      [this.perAccount, account],
      [this.perIp, address],
    ]);
    if (!admission.allowed) {
      const retryAfterSeconds = seconds(admission.retryAfterMs);
      throw admission.refusedBy === 0
        ? new RateLimitException(
            `Too many failed logins to this account from this address; try again in ${retryAfterSeconds} s`,
            { reason: 'account', retryAfterSeconds },
          )
        : new RateLimitException(
            `Too many failed logins from this network address; try again in ${retryAfterSeconds} s`,
            { reason: 'ip', retryAfterSeconds },
          );
    }
    return {
      succeeded: () => {
        void this.perAccount.reset(account).catch(() => undefined);
        void this.perIp.uncount(address, admission.counts[1].store).catch(() => undefined);
      },
      abandoned: admission.uncount,
    };
  }

  /** Counts an attempt to change `userId`'s password before the current one is checked. */
  async passwordChangeAttempt(userId: string): Promise<Attempt> {
    const admission = await admit([[this.passwordChange, userId]]);
    if (!admission.allowed) {
      const retryAfterSeconds = seconds(admission.retryAfterMs);
      throw new RateLimitException(
        `Too many wrong current passwords; try again in ${retryAfterSeconds} s`,
        { reason: 'user', retryAfterSeconds },
      );
    }
    return {
      succeeded: () => {
        void this.passwordChange.reset(userId).catch(() => undefined);
      },
      abandoned: admission.uncount,
    };
  }
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
