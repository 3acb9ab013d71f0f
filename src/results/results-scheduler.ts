import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { PublicationService } from './publication.service';

/**
 * Embargoes are data: every sweep turns publications whose time has come into publish jobs (one
 * outbox row each, deterministic id), so a restart or a lost Redis loses no publication.
 */
@Injectable()
export class ResultsScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ResultsScheduler.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @InjectConfig() private readonly config: Config,
    private readonly publications: PublicationService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.running) {
        this.running = this.sweep()
          .then(() => undefined)
          .finally(() => {
            this.running = undefined;
          });
      }
    }, this.config.queue.sweepIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async sweep(now = new Date()): Promise<number> {
    try {
      const enqueued = await this.publications.enqueueDue(now);
      if (enqueued > 0) {
        this.logger.log({ enqueued }, 'publications due');
      }
      return enqueued;
    } catch (error) {
      this.logger.error({ err: String(error) }, 'publication sweep failed');
      return 0;
    }
  }
}
