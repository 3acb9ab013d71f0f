import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ScheduleSweeper } from 'src/jobs/schedule-sweeper';
import { PublicationService } from './publication.service';

/**
 * Embargoes are data: every sweep turns publications whose time has come into publish jobs (one
 * outbox row each, deterministic id), so a restart or a lost Redis loses no publication.
 */
@Injectable()
export class ResultsScheduler implements OnModuleInit {
  private readonly logger = new Logger(ResultsScheduler.name);

  constructor(
    private readonly sweeper: ScheduleSweeper,
    private readonly publications: PublicationService,
  ) {}

  onModuleInit(): void {
    this.sweeper.register('results', (now) => this.sweep(now));
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
