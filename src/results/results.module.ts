import { Module } from '@nestjs/common';
import { AuditModule } from 'src/audit/audit.module';
import { AuthModule } from 'src/auth/auth.module';
import { AwardsModule } from 'src/awards/awards.module';
import { EditionsRepository } from 'src/awards/editions.repository';
import { NominationsRepository } from 'src/awards/nominations.repository';
import { RoundsRepository } from 'src/awards/rounds.repository';
import { BallotsRepository } from 'src/elections/ballots.repository';
import { CandidatesRepository } from 'src/elections/candidates.repository';
import { ElectionsModule } from 'src/elections/elections.module';
import { ElectionsRepository } from 'src/elections/elections.repository';
import { MeetingsRepository } from 'src/elections/meetings.repository';
import { TallyingModule } from 'src/tallying/tallying.module';
import { BundleBuilder } from './bundle-builder';
import { PublishResultJobHandler } from './jobs/publish.handler';
import { PublicResultsController } from './public-results.controller';
import { PublicResultsService } from './public-results.service';
import { PublicationService } from './publication.service';
import { PublicationsRepository } from './publications.repository';
import { AwardRoundResultContest, ElectionResultContest, ResultContests } from './result-contests';
import { ResultExportsService } from './result-exports.service';
import { ResultsController } from './results.controller';
import { ResultsScheduler } from './results-scheduler';
import { SigningKeyService } from './signing-key.service';

/**
 * Certification, embargoed publication, public results, exports and audit bundles. Reads the
 * contest modules' repositories (stateless, re-provided here) and never writes their tables.
 */
@Module({
  imports: [AuditModule, AuthModule, TallyingModule, ElectionsModule, AwardsModule],
  controllers: [ResultsController, PublicResultsController],
  providers: [
    PublicationService,
    BundleBuilder,
    PublicResultsService,
    ResultExportsService,
    PublicationsRepository,
    SigningKeyService,
    ResultsScheduler,
    PublishResultJobHandler,
    ResultContests,
    ElectionResultContest,
    AwardRoundResultContest,
    ElectionsRepository,
    CandidatesRepository,
    BallotsRepository,
    MeetingsRepository,
    EditionsRepository,
    RoundsRepository,
    NominationsRepository,
  ],
})
export class ResultsModule {}
