import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { producerOptions } from './redis-connection';

/**
 * A small connection of its own for health and settings checks. It never buffers commands, gives
 * up on a command Redis does not answer, and reconnects by itself after an outage.
 */
@Injectable()
export class RedisProbe implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly client: Redis;

  constructor(@InjectConfig() config: Config) {
    this.client = new Redis({
      ...producerOptions(
        config.queue.redisUrl!,
        config.queue.connectTimeoutMs,
        config.queue.commandTimeoutMs,
      ),
      lazyConnect: true,
      connectionName: 'association-ballot:probe',
    });
    this.client.on('error', () => undefined);
  }

  onApplicationBootstrap(): void {
    // Connected from the start, so a Redis that becomes reachable later is noticed at once.
    void this.ready().catch(() => undefined);
  }

  /** Runs `listener` each time the connection is (re)established. */
  onConnected(listener: () => void): void {
    this.client.on('ready', listener);
  }

  /** Runs `listener` each time an established connection is lost. */
  onDisconnected(listener: () => void): void {
    this.client.on('close', listener);
  }

  private async ready(): Promise<Redis> {
    if (this.client.status === 'wait') {
      await this.client.connect();
    }
    return this.client;
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
