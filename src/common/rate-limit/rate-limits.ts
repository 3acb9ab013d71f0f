import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { LimiterConnection } from './limiter-connection';

export interface LimitRule {
  /** Names the limit's keys in Redis. */
  name: string;
  points: number;
  windowSeconds: number;
}

/** Where a count was made, so that taking it back goes to the same place. */
type Store = 'redis' | 'memory';

export type Count =
  { allowed: true; store: Store } | { allowed: false; store: Store; retryAfterMs: number };

/**
 * At most `points` counts per key in a window of `windowSeconds` that starts at the key's first
 * count (rate-limiter-flexible's fixed window). Kept in Redis, shared by every process, while
 * Redis answers; in this process's memory otherwise.
 */
export class Limit {
  constructor(
    readonly rule: LimitRule,
    private readonly memory: RateLimiterMemory,
    private readonly redis: RateLimiterRedis | undefined,
    private readonly connection: LimiterConnection | undefined,
  ) {}

  /** Counts one request by `key`; refused when that makes more than the limit in the window. */
  async count(key: string): Promise<Count> {
    if (this.redis !== undefined && this.connection?.usable) {
      try {
        await this.redis.consume(key);
        return { allowed: true, store: 'redis' };
      } catch (error) {
        if (error instanceof RateLimiterRes) {
          return { allowed: false, store: 'redis', retryAfterMs: error.msBeforeNext };
        }
        this.connection.failed(error);
      }
    }
    try {
      await this.memory.consume(key);
      return { allowed: true, store: 'memory' };
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        return { allowed: false, store: 'memory', retryAfterMs: error.msBeforeNext };
      }
      throw error;
    }
  }

  /**
   * Takes back a count made by `count`. Not awaited by callers: the answer does not wait for it, and
   * a count that cannot be taken back (Redis went away meanwhile) stays, erring on the strict side.
   */
  async uncount(key: string, store: Store): Promise<void> {
    if (store === 'memory') {
      await this.memory.reward(key);
    } else if (this.redis !== undefined && this.connection?.usable) {
      await this.redis.reward(key).catch((error: unknown) => this.connection?.failed(error));
    }
  }

  /** Forgets every count of `key`, wherever it was made. */
  async reset(key: string): Promise<void> {
    await this.memory.delete(key);
    if (this.redis !== undefined && this.connection?.usable) {
      await this.redis.delete(key).catch((error: unknown) => this.connection?.failed(error));
    }
  }
}

/** What `admit` answers: let through (with a way to take the counts back) or refused by one limit. */
export type Admission =
  | { allowed: true; counts: Count[]; uncount: () => void }
  | { allowed: false; refusedBy: number; retryAfterMs: number };

/**
 * Counts one request against several limits at once (one Redis round trip: the commands are
 * pipelined). It is let through only if every limit lets it; a refused request counts against
 * none, and `refusedBy` is the index of the limit with the longest wait.
 */
export async function admit(checks: readonly (readonly [Limit, string])[]): Promise<Admission> {
  const counts = await Promise.all(checks.map(([limit, key]) => limit.count(key)));
  const uncount = (): void => {
    counts.forEach((c, i) => {
      const [limit, key] = checks[i];
      void limit.uncount(key, c.store).catch(() => undefined);
    });
  };
  let refusedBy = -1;
  let retryAfterMs = 0;
  counts.forEach((c, i) => {
    if (!c.allowed && (refusedBy === -1 || c.retryAfterMs > retryAfterMs)) {
      refusedBy = i;
      retryAfterMs = c.retryAfterMs;
    }
  });
  if (refusedBy === -1) {
    return { allowed: true, counts, uncount };
  }
  uncount();
  return { allowed: false, refusedBy, retryAfterMs };
}

/** Makes the limits, in Redis when REDIS_URL is set; one connection for all of them. */
@Injectable()
export class RateLimits implements OnApplicationShutdown {
  private readonly connection: LimiterConnection | undefined;

  constructor(@InjectConfig() private readonly config: Config) {
    const url = config.queue.redisUrl;
    this.connection =
      url === undefined
        ? undefined
        : new LimiterConnection(
            url,
            config.queue.connectTimeoutMs,
            config.rateLimits.redisTimeoutMs,
          );
  }

  limit(rule: LimitRule): Limit {
    const options = { points: rule.points, duration: rule.windowSeconds };
    const memory = new RateLimiterMemory({ ...options, keyPrefix: rule.name });
    const redis =
      this.connection === undefined
        ? undefined
        : new RateLimiterRedis({
            ...options,
            storeClient: this.connection.client,
            keyPrefix: `${this.config.queue.prefix}:limit:${rule.name}`,
            rejectIfRedisNotReady: true,
          });
    return new Limit(rule, memory, redis, this.connection);
  }

  /** Whether the limits are being kept in Redis right now. */
  get inRedis(): boolean {
    return this.connection?.usable ?? false;
  }

  onApplicationShutdown(): void {
    this.connection?.close();
  }
}
