import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { producerOptions } from './redis-connection';

/**
 * A small connection of its own for health and settings checks. It never buffers commands, gives
 * up on a command Redis does not answer, and reconnects by itself after an outage.
 */
@Injectable()
export class RedisProbe implements OnApplicationShutdown {
  private readonly client: Redis;
  /** How long a check waits for a connection attempt in progress. */
  private readonly connectWaitMs: number;

  constructor(@InjectConfig() config: Config) {
    this.connectWaitMs = config.queue.connectTimeoutMs + 500;
    // Connected from the start, so a Redis that becomes reachable later is noticed at once.
    this.client = new Redis({
      ...producerOptions(
        config.queue.redisUrl!,
        config.queue.connectTimeoutMs,
        config.queue.commandTimeoutMs,
      ),
      connectionName: 'association-ballot:probe',
    });
    this.client.on('error', () => undefined);
  }

  /** Runs `listener` each time the connection is (re)established. */
  onConnected(listener: () => void): void {
    this.client.on('ready', listener);
  }

  /** Runs `listener` each time an established connection is lost. */
  onDisconnected(listener: () => void): void {
    this.client.on('close', listener);
  }

  /**
   * The client once its connection is up. Commands are not buffered, so one sent while a connection
   * is being made would fail although Redis is there: that attempt's outcome is awaited first.
   */
  private async ready(): Promise<Redis> {
    const client = this.client;
    if (client.status === 'connecting' || client.status === 'connect') {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          client.off('ready', done);
          client.off('close', done);
          resolve();
        };
        const timer = setTimeout(done, this.connectWaitMs);
        client.once('ready', done);
        client.once('close', done);
      });
    }
    if (client.status !== 'ready') {
      throw new Error(`Redis is not reachable (connection ${client.status})`);
    }
    return client;
  }

  async ping(): Promise<void> {
    await (await this.ready()).ping();
  }

  async configValue(name: string): Promise<string | undefined> {
    const reply = (await (await this.ready()).config('GET', name)) as string[];
    return reply[1];
  }

  onApplicationShutdown(): void {
    this.client.disconnect();
  }
}
