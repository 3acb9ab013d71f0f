import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SYSTEM } from 'src/audit/audit.service';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { EditionsRepository } from './editions.repository';
import { EditionsService } from './editions.service';
import { RoundsRepository } from './rounds.repository';
import { RoundsService } from './rounds.service';

/**
 * The award schedule is data: each sweep opens and closes nominations and jury rounds whose time
 * has come, so a restart loses no transition. Row locks and status checks make each happen once
 * when several processes sweep.
 */
@Injectable()
export class AwardsScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AwardsScheduler.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @InjectConfig() private readonly config: Config,
    private readonly editions: EditionsRepository,
    private readonly editionsService: EditionsService,
    private readonly rounds: RoundsRepository,
    private readonly roundsService: RoundsService,
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
  async sweep(now = new Date()): Promise<{ phases: number; opened: number; closed: number }> {
    const done = { phases: 0, opened: 0, closed: 0 };
    try {
      for (const e of await this.editions.findDueForPhase(now)) {
        const to = e.phase === 'draft' ? 'nominations' : 'screening';
        done.phases += await this.attempt(`edition → ${to}`, e.id, () =>
          this.editionsService.changePhase(SYSTEM, e.id, to, now),
        );
      }
      for (const id of await this.rounds.findDueToOpen(now)) {
        done.opened += await this.attempt('round open', id, () =>
          this.roundsService.open(SYSTEM, id, now),
        );
      }
      for (const id of await this.rounds.findDueToClose(now)) {
        done.closed += await this.attempt('round close', id, () =>
          this.roundsService.close(SYSTEM, id, now),
        );
      }
    } catch (error) {
      this.logger.error({ err: String(error) }, 'award schedule sweep failed');
    }
    return done;
  }

  private async attempt(what: string, id: string, work: () => Promise<unknown>): Promise<number> {
    try {
      await work();
      this.logger.log({ id }, `${what} on schedule`);
      return 1;
    } catch (error) {
      this.logger.warn({ id, err: String(error) }, `scheduled ${what} refused`);
      return 0;
    }
  }
}
