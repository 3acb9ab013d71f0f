import { Module } from '@nestjs/common';
import { AuditModule } from 'src/audit/audit.module';
import { MembersModule } from 'src/members/members.module';
import { TallyingModule } from 'src/tallying/tallying.module';
import { BallotsRepository } from './ballots.repository';
import { CandidatesRepository } from './candidates.repository';
import { BallotKeyService } from './ballot-key.service';
import { CastingService } from './casting.service';
import { CustodyController } from './custody.controller';
import { CustodyRepository } from './custody.repository';
import { CustodyService } from './custody.service';
import { ElectionContestSource } from './election-contest';
import { ElectionScheduler } from './election-scheduler';
import { ElectionsController } from './elections.controller';
import { ElectionsRepository } from './elections.repository';
import { ElectionsService } from './elections.service';
import { MeetingsController } from './meetings.controller';
import { MeetingsRepository } from './meetings.repository';
import { MeetingsService } from './meetings.service';
import { ResultsService } from './results.service';
import { VoterRollRepository } from './voter-roll.repository';

/** General meetings, elections, candidates, the voter roll, secret ballots and results. */
@Module({
  imports: [AuditModule, MembersModule, TallyingModule],
  controllers: [MeetingsController, ElectionsController, CustodyController],
  providers: [
    MeetingsService,
    MeetingsRepository,
    ElectionsService,
    ElectionsRepository,
    CandidatesRepository,
    VoterRollRepository,
    BallotsRepository,
    CastingService,
    CustodyService,
    CustodyRepository,
    BallotKeyService,
    ResultsService,
    ElectionContestSource,
    ElectionScheduler,
  ],
  exports: [ElectionsService, ElectionScheduler],
})
export class ElectionsModule {}
