import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { validationFailed } from 'src/common/validation/validation.pipe';
import { malformedText } from 'src/common/validation/well-formed-text';

/**
 * A Fastify preValidation hook: after the body is parsed and before any guard, pipe or handler
 * sees the request, every string of the path, query and body is checked once, so no route (nor a
 * guard that reads the body itself, as the login's does) can hand PostgreSQL a NUL or a lone
 * surrogate. The refusal is the validation 400, naming each field.
 */
export function refuseMalformedText(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const errors = malformedText(request.params, '');
  malformedText(request.query, '', errors);
  malformedText(request.body, typeof request.body === 'string' ? 'body' : '', errors);
  done(errors.length > 0 ? validationFailed(errors) : undefined);
}
