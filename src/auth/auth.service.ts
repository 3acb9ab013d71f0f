import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ANONYMOUS, AuditService } from 'src/audit/audit.service';
import type { AuthUser, SessionCallerClaims } from 'src/common/auth/auth-user';
import { sha256Hex } from 'src/common/canonical-json';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { Database } from 'src/database/database';
import { AuthErrorCode, AuthException, sessionEnded } from './auth.exception';
import type { UserEntity } from './entities/user.entity';
import { Attempt, LoginLimits } from './login-limits';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';
import { SessionsRepository } from './sessions.repository';
import { UsersRepository } from './users.repository';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  role: string;
  ver: number;
  typ: 'access';
}

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Token versions are stored as a 32-bit integer; anything else cannot match a session. */
const MAX_TOKEN_VERSION = 2_147_483_647;

/** What a signed token must also hold before anything is looked up with it. */
function checkAccessClaims(claims: AccessTokenClaims): void {
  if (
    claims.typ !== 'access' ||
    typeof claims.sub !== 'string' ||
    typeof claims.sid !== 'string' ||
    !UUID_SHAPE.test(claims.sid) ||
    !UUID_SHAPE.test(claims.sub) ||
    !Number.isSafeInteger(claims.ver) ||
    claims.ver < 0 ||
    claims.ver > MAX_TOKEN_VERSION
  ) {
    throw new AuthException(AuthErrorCode.InvalidToken, 'Invalid access token');
  }
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

@Injectable()
export class AuthService {
  constructor(
    @InjectConfig() private readonly config: Config,
    private readonly db: Database,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    private readonly limits: LoginLimits,
    private readonly policy: PasswordPolicy,
  ) {}

  /**
   * Checks a login; every failure is audited and answered the same way, whatever its cause. Only
   * failures use up the login limits.
   */
  async validateCredentials(email: string, password: string, ip: string): Promise<UserEntity> {
    const attempt = await this.limits.login(ip, email);
    const user = await settle(attempt, this.checkCredentials(email, password, ip));
    attempt.succeeded();
    return user;
  }

  private async checkCredentials(email: string, password: string, ip: string): Promise<UserEntity> {
    const user = await this.users.findByEmail(email);
    const ok = await this.hasher.verify(user?.passwordHash, password);
    if (!user || !ok || user.status !== 'active') {
      await this.audit.record({
        actor: ANONYMOUS,
        action: 'auth.login_failed',
        subjectType: 'user',
        subjectId: user?.id ?? null,
        data: {
          email: email.toLowerCase(),
          ip,
          reason: !user ? 'unknown_email' : !ok ? 'wrong_password' : 'disabled',
        },
      });
      throw new AuthException(AuthErrorCode.InvalidCredentials, 'Invalid e-mail or password');
    }
    return user;
  }

  async login(user: UserEntity, ip: string): Promise<TokenPair> {
    return this.db.transaction(async () => {
      const tokens = await this.openSession(user);
      await this.users.touchLogin(user.id);
      await this.audit.record({
        actor: { kind: 'user', id: user.id },
        action: 'auth.login_succeeded',
        subjectType: 'user',
        subjectId: user.id,
        data: { ip },
      });
      return tokens;
    });
  }

  /**
   * Rotates the refresh token. A token that was already rotated away means it was copied: the whole
   * session is revoked, so neither the thief nor the owner keeps it.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const sessionId = refreshToken.split('.')[0] ?? '';
    if (!/^[0-9a-f-]{36}$/.test(sessionId)) {
      throw new AuthException(AuthErrorCode.InvalidToken, 'Invalid refresh token');
    }
    return this.db
      .transaction(async () => {
        const session = await this.sessions.findById(sessionId);
        if (!session || session.revokedAt !== null || session.expiresAt.getTime() <= Date.now()) {
          throw new AuthException(AuthErrorCode.InvalidToken, 'Invalid refresh token');
        }
        const user = await this.users.findById(session.userId);
        if (!user || user.status !== 'active') {
          throw new AuthException(AuthErrorCode.InvalidToken, 'Invalid refresh token');
        }
        const next = this.newRefreshToken(session.id);
        const rotated = await this.sessions.rotate(
          session.id,
          sha256Hex(refreshToken),
          sha256Hex(next),
        );
        if (!rotated) {
          await this.sessions.revoke(session.id, 'refresh_token_reused');
          await this.audit.record({
            actor: { kind: 'user', id: user.id },
            action: 'auth.refresh_token_reused',
            subjectType: 'user',
            subjectId: user.id,
            data: { sessionId: session.id },
          });
          return null;
        }
        return { ...this.issueAccess(user, session.id), refreshToken: next };
      })
      .then((pair) => {
        if (pair === null) {
          throw new AuthException(
            AuthErrorCode.TokenReused,
            'Refresh token was already used; please log in again',
          );
        }
        return pair;
      });
  }

  async logout(caller: AuthUser): Promise<void> {
    await this.db.transaction(async () => {
      await this.sessions.revoke(caller.sessionId, 'logout');
      await this.audit.record({
        actor: { kind: 'user', id: caller.id },
        action: 'auth.logout',
        subjectType: 'user',
        subjectId: caller.id,
      });
    });
  }

  /** A wrong current password uses up the caller's allowance, as a failed login does. */
  async changePassword(caller: AuthUser, current: string, next: string): Promise<void> {
    const attempt = await this.limits.passwordChangeAttempt(caller.id);
    const user = await settle(
      attempt,
      this.users.findById(caller.id).then(async (found) => {
        if (!found || !(await this.hasher.verify(found.passwordHash, current))) {
          throw new AuthException(AuthErrorCode.WrongPassword, 'Current password is wrong');
        }
        return found;
      }),
    );
    attempt.succeeded();
    await this.policy.check(next, user, 'newPassword');
    const passwordHash = await this.hasher.hash(next);
    await this.db.transaction(async () => {
      await this.users.update(user.id, { passwordHash }, true);
      await this.sessions.revokeAllForUser(user.id, 'password_changed');
      await this.audit.record({
        actor: { kind: 'user', id: user.id },
        action: 'auth.password_changed',
        subjectType: 'user',
        subjectId: user.id,
      });
    });
  }

  /** Called for every request with an access token: the token must still match a live session. */
  async resolveAccessToken(claims: AccessTokenClaims): Promise<AuthUser> {
    checkAccessClaims(claims);
    const user = await this.sessions.findUserOfLiveSession(claims.sid, claims.sub, claims.ver);
    if (!user) {
      throw sessionEnded();
    }
    return { id: user.id, email: user.email, role: user.role, sessionId: claims.sid };
  }

  /**
   * For an `@AuthenticatedInStatement()` route: the token's claims, checked for shape but with the
   * session not yet looked up; the route's statement checks it, or `confirm` does.
   */
  sessionCaller(claims: AccessTokenClaims): SessionCallerClaims {
    checkAccessClaims(claims);
    return {
      kind: 'session-unchecked',
      id: claims.sub,
      sessionId: claims.sid,
      tokenVersion: claims.ver,
      confirm: () => this.resolveAccessToken(claims),
    };
  }

  private async openSession(user: UserEntity): Promise<TokenPair> {
    const sessionId = randomUUID();
    const refreshToken = this.newRefreshToken(sessionId);
    await this.sessions.insert({
      id: sessionId,
      userId: user.id,
      refreshTokenHash: sha256Hex(refreshToken),
      expiresAt: new Date(Date.now() + this.config.auth.refreshTokenTtlSeconds * 1000),
    });
    return { ...this.issueAccess(user, sessionId), refreshToken };
  }

  private issueAccess(user: UserEntity, sessionId: string): Omit<TokenPair, 'refreshToken'> {
    const claims: AccessTokenClaims = {
      sub: user.id,
      sid: sessionId,
      role: user.role,
      ver: user.tokenVersion,
      typ: 'access',
    };
    return {
      accessToken: this.jwt.sign(claims),
      tokenType: 'Bearer',
      expiresIn: this.config.auth.accessTokenTtlSeconds,
    };
  }

  private newRefreshToken(sessionId: string): string {
    return `${sessionId}.${randomBytes(32).toString('base64url')}`;
  }
}

/** The attempt's outcome: a refusal (an AuthException) keeps its count, any other failure gives it back. */
async function settle<T>(attempt: Attempt, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!(error instanceof AuthException)) {
      attempt.abandoned();
    }
    throw error;
  }
}
