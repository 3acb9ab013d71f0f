import { DomainException, ErrorKind } from 'src/common/errors/domain.exception';

export enum AuthErrorCode {
  InvalidCredentials = 'AUTH_INVALID_CREDENTIALS',
  InvalidToken = 'AUTH_INVALID_TOKEN',
  TokenReused = 'AUTH_REFRESH_TOKEN_REUSED',
  Forbidden = 'AUTH_FORBIDDEN',
  NoPolicy = 'AUTH_ROUTE_WITHOUT_POLICY',
  UserNotFound = 'USER_NOT_FOUND',
  EmailTaken = 'USER_EMAIL_TAKEN',
  CannotChangeSelf = 'USER_CANNOT_CHANGE_SELF',
  WrongPassword = 'AUTH_WRONG_PASSWORD',
  WeakPassword = 'AUTH_WEAK_PASSWORD',
}

const KINDS: Record<AuthErrorCode, ErrorKind> = {
  [AuthErrorCode.InvalidCredentials]: 'unauthorized',
  [AuthErrorCode.InvalidToken]: 'unauthorized',
  [AuthErrorCode.TokenReused]: 'unauthorized',
  [AuthErrorCode.Forbidden]: 'forbidden',
  [AuthErrorCode.NoPolicy]: 'forbidden',
  [AuthErrorCode.UserNotFound]: 'not_found',
  [AuthErrorCode.EmailTaken]: 'conflict',
  [AuthErrorCode.CannotChangeSelf]: 'conflict',
  [AuthErrorCode.WrongPassword]: 'invalid',
  [AuthErrorCode.WeakPassword]: 'invalid',
};

export class AuthException extends DomainException {
  constructor(code: AuthErrorCode, message: string, details?: unknown) {
    super(KINDS[code], code, message, details);
  }
}

/** The answer to a genuine token whose session has ended (logout, expiry, password or role change). */
export function sessionEnded(): AuthException {
  return new AuthException(
    AuthErrorCode.InvalidToken,
    'Session has ended or the token is no longer valid',
  );
}
