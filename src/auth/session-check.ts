import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { catchError, from, Observable } from 'rxjs';
import { AuthUser, isSessionCaller, SessionCallerClaims } from 'src/common/auth/auth-user';
import { AuthException } from './auth.exception';

/** Requests to `@AuthenticatedInStatement()` routes, marked by the access guard for the JWT strategy. */
export const sessionCheckedByRoute = new WeakSet<object>();

type RequestWithCaller = { user?: AuthUser | SessionCallerClaims };

/**
 * Before a request whose session has not been looked up yet is refused for any other reason, its
 * session is checked: a caller whose session has ended gets 401, as on every route, and never
 * learns whether the rest of the request would have been accepted. Success costs nothing here;
 * the route's own statement checked the session.
 */
export async function confirmSessionBeforeRefusal(request: RequestWithCaller): Promise<void> {
  if (request.user && isSessionCaller(request.user)) {
    await request.user.confirm();
  }
}

/** Applies `confirmSessionBeforeRefusal` to whatever the handler, or a pipe before it, throws. */
@Injectable()
export class SessionCheckInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    return next.handle().pipe(
      catchError((error: unknown) =>
        from(
          (async (): Promise<never> => {
            if (!(error instanceof AuthException)) {
              await confirmSessionBeforeRefusal(request);
            }
            throw error;
          })(),
        ),
      ),
    );
  }
}
