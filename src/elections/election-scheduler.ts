import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { SYSTEM } from 'src/audit/audit.service';
import { ScheduleSweeper } from 'src/jobs/schedule-sweeper';
import { ElectionsRepository } from './elections.repository';
import { ElectionsService } from './elections.service';

/**
 * The schedule is data: every sweep opens drafts whose `opensAt` has come and closes open elections
 * whose `closesAt` has passed, so a restart loses no transition. Several processes may sweep; the
 * per-election lock and the status check make a transition happen once.
 */
@Injectable()
export class ElectionScheduler implements OnModuleInit {
  private readonly logger = new Logger(ElectionScheduler.name);

  constructor(
    private readonly sweeper: ScheduleSweeper,
    private readonly elections: ElectionsRepository,
    private readonly service: ElectionsService,
  ) {}

  onModuleInit(): void {
    this.sweeper.register('elections', (now) => this.sweep(now));
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
        closed += await this.attempt('close', id, () => this.service.close(SYSTEM, id));
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
