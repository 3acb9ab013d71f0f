import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { catchError, from, Observable } from 'rxjs';
import { AuthUser, isSessionCaller, SessionCallerClaims } from 'src/common/auth/auth-user';
import { AuthErrorCode, AuthException } from './auth.exception';

/** Requests to `@AuthenticatedInStatement()` routes, marked by the access guard for the JWT strategy. */
export const sessionCheckedByRoute = new WeakSet<object>();

const endedHooks = new WeakMap<object, (() => void)[]>();

type RequestWithCaller = { user?: AuthUser | SessionCallerClaims };

/**
 * Runs `hook` if this request's session turns out to have ended, i.e. if it is answered 401: what
 * the request was counted for (a rate limit) must not count.
 */
export function whenSessionEnded(request: object, hook: () => void): void {
  const hooks = endedHooks.get(request);
  if (hooks) {
    hooks.push(hook);
  } else {
    endedHooks.set(request, [hook]);
  }
}

function sessionHasEnded(request: object): void {
  const hooks = endedHooks.get(request) ?? [];
  endedHooks.delete(request);
  for (const hook of hooks) {
    hook();
  }
}

/**
 * Before a request whose session has not been looked up yet is refused for any other reason, its
 * session is checked: a caller whose session has ended gets 401, as on every route, and never
 * learns whether the rest of the request would have been accepted. Success costs nothing here;
 * the route's own statement checked the session.
 */
export async function confirmSessionBeforeRefusal(request: RequestWithCaller): Promise<void> {
  if (request.user && isSessionCaller(request.user)) {
    try {
      await request.user.confirm();
    } catch (error) {
      if (isSessionEnded(error)) {
        sessionHasEnded(request);
      }
      throw error;
    }
  }
}

function isSessionEnded(error: unknown): boolean {
  return error instanceof AuthException && error.code === (AuthErrorCode.InvalidToken as string);
}

/** Rethrows a refusal, turned into 401 first when the caller's session has ended. */
async function refuse(request: RequestWithCaller, error: unknown): Promise<never> {
  if (isSessionEnded(error)) {
    // The route's statement found the session ended.
    sessionHasEnded(request);
  } else if (!(error instanceof AuthException)) {
    await confirmSessionBeforeRefusal(request);
  }
  throw error;
}

/**
 * Applies `confirmSessionBeforeRefusal` to whatever the handler, or a pipe before it, throws; put
 * on every `@AuthenticatedInStatement()` route by that decorator.
 */
@Injectable()
export class SessionCheckInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    return next.handle().pipe(catchError((error: unknown) => from(refuse(request, error))));
  }
}
