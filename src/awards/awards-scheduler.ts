import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { SYSTEM } from 'src/audit/audit.service';
import { ScheduleSweeper } from 'src/jobs/schedule-sweeper';
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
export class AwardsScheduler implements OnModuleInit {
  private readonly logger = new Logger(AwardsScheduler.name);

  constructor(
    private readonly sweeper: ScheduleSweeper,
    private readonly editions: EditionsRepository,
    private readonly editionsService: EditionsService,
    private readonly rounds: RoundsRepository,
    private readonly roundsService: RoundsService,
  ) {}

  onModuleInit(): void {
    this.sweeper.register('awards', (now) => this.sweep(now));
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
