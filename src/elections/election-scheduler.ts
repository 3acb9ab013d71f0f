import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SYSTEM } from 'src/audit/audit.service';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { ElectionsRepository } from './elections.repository';
import { ElectionsService } from './elections.service';

/**
 * The schedule is data: every sweep opens drafts whose `opensAt` has come and closes open elections
 * whose `closesAt` has passed, so a restart loses no transition. Several processes may sweep; the
 * per-election lock and the status check make a transition happen once.
 */
@Injectable()
export class ElectionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ElectionScheduler.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @InjectConfig() private readonly config: Config,
    private readonly elections: ElectionsRepository,
    private readonly service: ElectionsService,
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

  /** Runs due transitions; returns how many happened. */
  async sweep(now = new Date()): Promise<{ opened: number; closed: number }> {
    let opened = 0;
    let closed = 0;
    try {
      for (const id of await this.elections.findDueToOpen(now)) {
        opened += await this.attempt('open', id, () => this.service.open(SYSTEM, id, now));
      }
      for (const id of await this.elections.findDueToClose(now)) {
        closed += await this.attempt('close', id, () => this.service.close(SYSTEM, id, now));
      }
    } catch (error) {
      this.logger.error({ err: String(error) }, 'election schedule sweep failed');
    }
    return { opened, closed };
  }

  private async attempt(what: string, id: string, work: () => Promise<unknown>): Promise<number> {
    try {
      await work();
      this.logger.log({ election: id }, `election ${what} on schedule`);
      return 1;
    } catch (error) {
      this.logger.warn({ election: id, err: String(error) }, `scheduled ${what} refused`);
      return 0;
    }
  }
}
