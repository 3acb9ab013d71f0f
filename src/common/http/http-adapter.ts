import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { fastifyErrorResponse, isClientFastifyError } from './all-exceptions.filter';
import { reasonPhrase } from './error-response';

type SecurityHook = Parameters<FastifyAdapter['registerSecurityHook']>[0];

/**
 * Nest's Fastify adapter, except for the router's own refusals. Fastify answers a path it cannot
 * decode (400) or a route parameter over `maxParamLength` (414) before any hook runs, with a body
 * that quotes the decoded path (`<script>` included), and Nest hands that error to Fastify's
 * default handler rather than to the filter. Here they get the security headers and the error
 * shape of every other answer.
 */
export function createHttpAdapter(options: FastifyServerOptions): FastifyAdapter {
  let securityHook: SecurityHook | undefined;
  class HttpAdapter extends FastifyAdapter {
    override registerSecurityHook(hook: SecurityHook): void {
      securityHook = hook;
      super.registerSecurityHook(hook);
    }
  }
  return new HttpAdapter({
    ...options,
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      // The hook only writes headers here (no CSRF check is enabled), so its verdict is moot.
      securityHook?.(request, reply.raw);
      const body = isClientFastifyError(error)
        ? fastifyErrorResponse(error)
        : { statusCode: 500, error: reasonPhrase(500), message: 'Internal server error' };
      void reply.status(body.statusCode).send(body);
    },
  });
}
