import type { Role } from 'src/auth/entities/user.entity';

/** The authenticated caller, as guards put it on the request. */
export interface AuthUser {
  id: string;
  email: string;
  role: Role;
  sessionId: string;
}

/**
 * The caller of an `@AuthenticatedInStatement()` route: what a genuine, unexpired access token
 * says, before the session it names has been looked up. Only the route's own statement, which
 * checks the session, may act on it.
 */
export interface SessionCallerClaims {
  kind: 'session-unchecked';
  id: string;
  sessionId: string;
  tokenVersion: number;
  /** Looks the session up as every other route does; throws the usual 401 when it has ended. */
  confirm(): Promise<AuthUser>;
}

export function isSessionCaller(user: AuthUser | SessionCallerClaims): user is SessionCallerClaims {
  return (user as SessionCallerClaims).kind === 'session-unchecked';
}
