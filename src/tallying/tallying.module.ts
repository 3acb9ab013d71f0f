import { Module } from '@nestjs/common';
import { AuditModule } from 'src/audit/audit.module';
import { TallyJobHandler } from './jobs/tally.handler';
import { TallyRunsRepository } from './tally-runs.repository';
import { TallyingService } from './tallying.service';

/** Tally runs and the tally job, for every kind of contest (elections now, award rounds later). */
@Module({
  imports: [AuditModule],
  providers: [TallyingService, TallyRunsRepository, TallyJobHandler],
  exports: [TallyingService],
})
export class TallyingModule {}
