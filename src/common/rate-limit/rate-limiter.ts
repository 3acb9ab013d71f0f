/** The times of one key's requests let through within the last window, oldest first from `head`. */
interface Log {
  times: number[];
  head: number;
}

/**
 * At most `limit` requests per key in any `windowMs` (a sliding log). Unlike @nestjs/throttler's
 * storage, which filters a key's whole log on every hit, expired entries are dropped from the front
 * as time passes, so a check costs O(1) however generous the limit. A refused request uses up
 * nothing. In memory, so the limits hold per process.
 */
export class RateLimiter {
  private readonly logs = new Map<string, Log>();
  private nextSweepAt = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Milliseconds until `key` may send another request; 0 when it may now. */
  waitMs(key: string, now: number): number {
    const log = this.logs.get(key);
    if (log === undefined) {
      return 0;
    }
    this.expire(log, now);
    return log.times.length - log.head < this.limit ? 0 : log.times[log.head] + this.windowMs - now;
  }

  /** Counts a request by `key`; call it only for requests that were let through. */
  record(key: string, now: number): void {
    this.sweep(now);
    const log = this.logs.get(key);
    if (log === undefined) {
      this.logs.set(key, { times: [now], head: 0 });
    } else {
      log.times.push(now);
    }
  }

  /** Takes back a request counted at `time` that turned out not to count (its session had ended). */
  forget(key: string, time: number): void {
    const log = this.logs.get(key);
    if (log === undefined) {
      return;
    }
    const at = log.times.lastIndexOf(time);
    if (at >= log.head) {
      log.times.splice(at, 1);
    }
  }

  /** Keys currently tracked (for tests). */
  get size(): number {
    return this.logs.size;
  }

  private expire(log: Log, now: number): void {
    while (log.head < log.times.length && log.times[log.head] <= now - this.windowMs) {
      log.head++;
    }
    // Compacted once half the log has expired, so the work stays proportional to the hits.
    if (log.head > 64 && log.head * 2 > log.times.length) {
      log.times = log.times.slice(log.head);
      log.head = 0;
    }
  }

  /** Once a window, keys with nothing inside it are dropped. */
  private sweep(now: number): void {
    if (now < this.nextSweepAt) {
      return;
    }
    this.nextSweepAt = now + this.windowMs;
    for (const [key, log] of this.logs) {
      const last = log.times.at(-1);
      if (last === undefined || last <= now - this.windowMs) {
        this.logs.delete(key);
      }
    }
  }
}
