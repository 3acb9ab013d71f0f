import { BadRequestException } from '@nestjs/common';
import type { FastifyBodyParser, FastifyInstance } from 'fastify';

/** No request body of this API nests anywhere near this deep. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether the JSON text nests objects and arrays at most `max` deep: one pass over the bytes,
 * counting brackets outside strings and stopping at the first one too deep. UTF-8 keeps every
 * byte of a multi-byte character above 0x7f, so the bytes can be read without decoding them.
 */
export function nestsWithin(body: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) {
        i++;
      } else if (byte === QUOTE) {
        inString = false;
      }
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > max) {
        return false;
      }
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return true;
}

/**
 * Fastify's JSON parser (with its prototype-poisoning checks) behind a depth check. Deeply nested
 * JSON parses quickly but then overflows the stack of everything that walks it (class-transformer,
 * class-validator), which answered 500, and a 200 KB body nested 100,000 deep cost a third of a
 * second of CPU; refused here, it costs one pass over the bytes and reaches no validation.
 */
export function depthLimitedJsonParser(fastify: FastifyInstance): FastifyBodyParser<Buffer> {
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parse = fastify.getDefaultJsonParser(
    onProtoPoisoning ?? 'error',
    onConstructorPoisoning ?? 'error',
  );
  return (request, body, done) => {
    if (!nestsWithin(body, MAX_JSON_DEPTH)) {
      done(
        new BadRequestException(`Request body nests deeper than ${MAX_JSON_DEPTH} levels`),
        undefined,
      );
      return;
    }
    void parse(request, body.toString('utf8'), done);
  };
}
