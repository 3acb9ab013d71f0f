import { Injectable } from '@nestjs/common';
import type { TallyRunEntity } from 'src/tallying/entities/tally-run.entity';
import { TallyingService } from 'src/tallying/tallying.service';
import type { ElectionEntity } from './entities/election.entity';
import { ElectionOutcome, protocolText } from './election-rules';
import { ElectionsErrorCode, ElectionsException } from './elections.exception';
import { ElectionsRepository } from './elections.repository';
import { ELECTION_CONTEST } from './elections.service';
import { MeetingsRepository } from './meetings.repository';

export interface ElectionProtocol {
  electionId: string;
  outcome: ElectionOutcome;
  text: string;
  seed: string;
  merkleRoot: string | null;
  inputDigest: string;
  outputDigest: string;
  engineVersion: string;
  runId: string;
}

/** Results of tallied elections (admin-only until publication) and the protocol for the minutes. */
@Injectable()
export class ResultsService {
  constructor(
    private readonly elections: ElectionsRepository,
    private readonly meetings: MeetingsRepository,
    private readonly tallying: TallyingService,
  ) {}

  async result(electionId: string): Promise<{ election: ElectionEntity; run: TallyRunEntity }> {
    const election = await this.elections.findById(electionId);
    if (!election) {
      throw new ElectionsException(ElectionsErrorCode.NotFound, 'Election not found');
    }
    const run =
      election.status === 'tallied'
        ? await this.tallying.latestRun(ELECTION_CONTEST, electionId)
        : null;
    if (!run) {
      throw new ElectionsException(
        ElectionsErrorCode.NotTallied,
        `There is no result yet (the election is ${election.status})`,
      );
    }
    return { election, run };
  }

  async protocol(electionId: string): Promise<ElectionProtocol> {
    const { election, run } = await this.result(electionId);
    const meeting = election.meetingId ? await this.meetings.findById(election.meetingId) : null;
    const outcome = run.outcome as ElectionOutcome;
    return {
      electionId,
      outcome,
      text: protocolText(outcome, meeting),
      seed: run.seed,
      merkleRoot: run.merkleRoot,
      inputDigest: run.inputDigest,
      outputDigest: run.outputDigest,
      engineVersion: run.engineVersion,
      runId: run.id,
    };
  }
}
