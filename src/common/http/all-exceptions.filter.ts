import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainException } from 'src/common/errors/domain.exception';
import { isDatabaseUnavailable } from 'src/database/database';
import { ErrorResponse, reasonPhrase, STATUS_BY_KIND } from './error-response';

export interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** One JSON error shape for every failure; unknown errors are logged and answered generically. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const body = this.toResponse(exception, request);
    if (body.statusCode === 503) {
      // Transient by definition: clients (with an Idempotency-Key where it matters) try again.
      void reply.header('Retry-After', '1');
    }
    if (body.statusCode === 429 && exception instanceof DomainException) {
      const retry = (exception.details as { retryAfterSeconds?: number } | undefined)
        ?.retryAfterSeconds;
      if (retry !== undefined) {
        void reply.header('Retry-After', String(retry));
      }
    }
    void reply.status(body.statusCode).send(body);
  }

  private toResponse(exception: unknown, request: FastifyRequest): ErrorResponse {
    if (exception instanceof DomainException) {
      const statusCode = STATUS_BY_KIND[exception.kind];
      return {
        statusCode,
        error: reasonPhrase(statusCode),
        message: exception.message,
        code: exception.code,
        ...(exception.details === undefined ? {} : { details: exception.details }),
      };
    }
    // The Fastify adapter wraps Fastify's own 4xx errors in an HttpException carrying Fastify's
    // message, which can echo the request; they are answered with the generic message instead.
    if (exception instanceof HttpException && isClientFastifyError(exception.cause)) {
      return this.toResponse(exception.cause, request);
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const raw = exception.getResponse();
      let message = exception.message;
      let details: unknown;
      if (typeof raw === 'object' && raw !== null) {
        const r = raw as { message?: unknown; details?: unknown };
        if (Array.isArray(r.message)) {
          message = 'Validation failed';
          details = r.message;
        } else if (typeof r.message === 'string') {
          message = r.message;
        }
        if (r.details !== undefined) {
          details = r.details;
        }
      }
      if (statusCode >= 500) {
        this.logUnknown(exception, request);
        return { statusCode, error: reasonPhrase(statusCode), message: 'Internal server error' };
      }
      return {
        statusCode,
        error: reasonPhrase(statusCode),
        message,
        ...(details === undefined ? {} : { details }),
      };
    }
    // Errors raised by Fastify itself (malformed JSON, body too large, wrong content type) carry a
    // 4xx status; their messages are safe, but are rewritten to stay generic.
    if (isClientFastifyError(exception)) {
      return fastifyErrorResponse(exception);
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(
        {
          err: exception instanceof Error ? exception.message : String(exception),
          method: request.method,
          url: request.url,
        },
        'database unavailable',
      );
      return {
        statusCode: 503,
        error: reasonPhrase(503),
        message: 'The service is briefly unavailable; try again in a moment',
      };
    }
    this.logUnknown(exception, request);
    return { statusCode: 500, error: reasonPhrase(500), message: 'Internal server error' };
  }

  private logUnknown(exception: unknown, request: FastifyRequest): void {
    const err = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(
      {
        err: { name: err.name, message: err.message, stack: err.stack },
        method: request.method,
        url: request.url,
      },
      'unhandled error',
    );
  }
}

export function isClientFastifyError(
  error: unknown,
): error is FastifyLikeError & { statusCode: number } {
  const e = error as FastifyLikeError | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.statusCode === 'number' &&
    e.statusCode >= 400 &&
    e.statusCode < 500 &&
    !(e instanceof HttpException)
  );
}

/** The answer to one of Fastify's own 4xx errors: its status, a generic message, never its text. */
export function fastifyErrorResponse(
  error: FastifyLikeError & { statusCode: number },
): ErrorResponse {
  const statusCode = error.statusCode;
  return { statusCode, error: reasonPhrase(statusCode), message: fastifyMessage(error) };
}

function fastifyMessage(error: FastifyLikeError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported content type; send application/json';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Request body is too large';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'Request body is empty';
    // The router's own messages quote the path, which may carry markup.
    case 'FST_ERR_BAD_URL':
      return 'The path is not validly percent-encoded';
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'A path segment is too long';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case undefined:
    default:
      if (error.statusCode === 400) {
        return 'Malformed request body';
      }
      return reasonPhrase(error.statusCode ?? 400);
  }
}
