import type { RedisOptions } from 'bullmq';

/** ioredis options from a redis:// or rediss:// URL. */
export function redisOptions(url: string, connectTimeoutMs: number): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    connectTimeout: connectTimeoutMs,
    // Reconnect forever, at least once a second: Redis coming back must resume the queue by itself
    // and soon, since the outbox hands waiting jobs over on its next pass after the reconnect.
    retryStrategy: (times: number) => Math.min(200 * times, 1000),
  };
}

/**
 * Producers fail fast when Redis is away instead of buffering commands in memory, and give up on a
 * command Redis does not answer: a hung server keeps the connection open and would hold the
 * caller (the outbox relay, a health check) for as long as it hangs.
 */
export function producerOptions(
  url: string,
  connectTimeoutMs: number,
  commandTimeoutMs: number,
): RedisOptions {
  return {
    ...redisOptions(url, connectTimeoutMs),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
  };
}

/** ioredis's rejection of a command that got no answer within `commandTimeout`. */
export function isCommandTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Command timed out';
}

/** Workers block on Redis and must wait for it rather than give up (BullMQ requires this). */
export function workerOptions(url: string, connectTimeoutMs: number): RedisOptions {
  return { ...redisOptions(url, connectTimeoutMs), maxRetriesPerRequest: null };
}
