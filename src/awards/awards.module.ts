import { Module } from '@nestjs/common';
import { AuditModule } from 'src/audit/audit.module';
import { AuthModule } from 'src/auth/auth.module';
import { MembersModule } from 'src/members/members.module';
import { TallyingModule } from 'src/tallying/tallying.module';
import { AwardRoundContestSource } from './award-contest';
import { AwardsScheduler } from './awards-scheduler';
import { BallotsService } from './ballots.service';
import { EditionsController } from './editions.controller';
import { EditionsRepository } from './editions.repository';
import { EditionsService } from './editions.service';
import { JuryController } from './jury.controller';
import { JuryRepository } from './jury.repository';
import { JuryService } from './jury.service';
import { NominationsController } from './nominations.controller';
import { NominationsRepository } from './nominations.repository';
import { NominationsService } from './nominations.service';
import { ResultsService } from './results.service';
import { RoundsController } from './rounds.controller';
import { RoundsRepository } from './rounds.repository';
import { RoundsService } from './rounds.service';

/** Award programs, editions, categories, nominations, screening, juries, rounds and results. */
@Module({
  imports: [AuditModule, AuthModule, MembersModule, TallyingModule],
  controllers: [EditionsController, NominationsController, JuryController, RoundsController],
  providers: [
    EditionsRepository,
    NominationsRepository,
    JuryRepository,
    RoundsRepository,
    EditionsService,
    NominationsService,
    JuryService,
    RoundsService,
    BallotsService,
    ResultsService,
    AwardRoundContestSource,
    AwardsScheduler,
  ],
  exports: [AwardsScheduler],
})
export class AwardsModule {}
