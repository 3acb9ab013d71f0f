import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { redisOptions } from 'src/jobs/redis-connection';

/** How often a suspended connection is asked whether Redis answers again. */
const PROBE_EVERY_MS = 500;

/**
 * The Redis connection the limits are kept on. A check never waits for Redis longer than the
 * command timeout: while the connection is down, or after a command timed out (a hung or
 * partitioned server keeps its socket open), the limits are counted in memory until a PING is
 * answered again, so requests do not each wait out the timeout.
 */
export class LimiterConnection {
  private readonly logger = new Logger(LimiterConnection.name);
  readonly client: Redis;
  private suspended = false;
  private probe: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(url: string, connectTimeoutMs: number, commandTimeoutMs: number) {
    this.client = new Redis({
      ...redisOptions(url, connectTimeoutMs),
      // Fail at once while disconnected, rather than queue checks until Redis returns.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: commandTimeoutMs,
      // The checks of one request (and of requests arriving together) go out as one write.
      enableAutoPipelining: true,
    });
    // Connection errors show as a status other than ready; the queue's own connection logs them.
    this.client.on('error', () => undefined);
  }

  /** Whether a check should go to Redis now. */
  get usable(): boolean {
    return !this.suspended && this.client.status === 'ready';
  }

  /** A command failed (timed out, or the connection dropped): count in memory until Redis answers. */
  failed(error: unknown): void {
    if (this.suspended || this.closed) {
      return;
    }
    this.suspended = true;
    this.logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'rate limits are counted in memory until Redis answers again',
    );
    this.scheduleProbe();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.probe);
    this.client.disconnect();
  }

  private scheduleProbe(): void {
    this.probe = setTimeout(() => {
      this.client.ping().then(
        () => {
          this.suspended = false;
          this.logger.log('rate limits are kept in Redis again');
        },
        () => {
          if (!this.closed) {
            this.scheduleProbe();
          }
        },
      );
    }, PROBE_EVERY_MS);
    this.probe.unref();
  }
}
