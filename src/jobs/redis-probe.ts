import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { producerOptions } from './redis-connection';

/** A small connection of its own for health and start-up checks; it never buffers commands. */
@Injectable()
export class RedisProbe implements OnApplicationShutdown {
  private readonly client: Redis;

  constructor(@InjectConfig() config: Config) {
    this.client = new Redis({
      ...producerOptions(config.queue.redisUrl!, config.queue.connectTimeoutMs),
      lazyConnect: true,
      connectionName: 'association-ballot:probe',
    });
    this.client.on('error', () => undefined);
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
