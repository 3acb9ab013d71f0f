import { Injectable, OnModuleInit } from '@nestjs/common';
import { AuditService, SYSTEM } from 'src/audit/audit.service';
import type { TallyResult } from 'src/tally';
import type { ContestSource, FrozenContest } from 'src/tallying/contest-source';
import type { TallyRunEntity } from 'src/tallying/entities/tally-run.entity';
import { TallyingService } from 'src/tallying/tallying.service';
import { BallotsRepository } from './ballots.repository';
import { CandidatesRepository } from './candidates.repository';
import type { ElectionEntity } from './entities/election.entity';
import { sealedDigest } from './ballot-sealing';
import { CustodyService } from './custody.service';
import { engineBallots } from './election-ballots';
import { electionOutcome, engineConfig } from './election-rules';
import { ElectionsErrorCode, ElectionsException } from './elections.exception';
import { ElectionsRepository } from './elections.repository';
import { ELECTION_CONTEST } from './elections.service';

/** How the shared tallying reads a closed election and what it makes of the count. */
@Injectable()
export class ElectionContestSource implements ContestSource, OnModuleInit {
  readonly kind = ELECTION_CONTEST;

  constructor(
    private readonly tallying: TallyingService,
    private readonly elections: ElectionsRepository,
    private readonly candidates: CandidatesRepository,
    private readonly ballots: BallotsRepository,
    private readonly custody: CustodyService,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.tallying.register(this);
  }

  /**
   * The counted ballots; the first time (in the tally's transaction) that means opening the sealed
   * ones, which stores them in `counted_ballot`. The frozen digest is recomputed from the sealed
   * ballots as they are now, so a ballot changed, added or removed after the close is caught.
   */
  async load(contestId: string): Promise<FrozenContest> {
    const election = await this.closed(contestId);
    const standing = await this.candidates.findStanding(contestId);
    const sealed = await this.ballots.findSealed(contestId);
    const snapshot = election.closeSnapshot!;
    const legacy = snapshot.sealedDigest === undefined;
    let counted = await this.ballots.findCounted(contestId);
    if (counted.length === 0 && sealed.length > 0 && !legacy) {
      counted = await this.custody.openBallots(election, sealed);
    }
    return {
      method: election.method,
      config: engineConfig(election, snapshot),
      candidates: standing.map((c) => c.id),
      ballots: engineBallots(counted),
      frozenDigest: legacy ? snapshot.inputDigest : sealedDigest(sealed),
      seed: election.tieBreakSeed,
      merkleRoot: election.merkleRoot,
      participations: await this.ballots.countParticipations(contestId),
    };
  }

  async adjudicate(
    contestId: string,
    _contest: FrozenContest,
    result: TallyResult,
  ): Promise<Record<string, unknown>> {
    const election = await this.closed(contestId);
    const standing = await this.candidates.findStanding(contestId);
    return electionOutcome({
      office: election.office,
      settings: election,
      names: new Map(standing.map((c) => [c.id, c.name])),
      snapshot: election.closeSnapshot!,
      result,
    });
  }

  async onTallied(contestId: string, run: TallyRunEntity): Promise<void> {
    const election = await this.elections.findById(contestId);
    if (!election || election.status !== 'closed') {
      return;
    }
    await this.elections.updateState(contestId, { status: 'tallied' });
    await this.audit.record({
      actor: SYSTEM,
      action: 'election.tallied',
      subjectType: 'election',
      subjectId: contestId,
      data: { runId: run.id, outputDigest: run.outputDigest, elected: run.outcome.elected ?? [] },
    });
  }

  /** Certified: a custodial key has no further use, and is destroyed with the certification. */
  async onCertified(contestId: string): Promise<void> {
    await this.custody.destroyKey(contestId);
  }

  private async closed(id: string): Promise<ElectionEntity> {
    const election = await this.elections.findById(id);
    if (!election) {
      throw new ElectionsException(ElectionsErrorCode.NotFound, 'Election not found');
    }
    if (
      (election.status !== 'closed' && election.status !== 'tallied') ||
      !election.closeSnapshot
    ) {
      throw new ElectionsException(
        ElectionsErrorCode.WrongStatus,
        `The election is ${election.status}; only a closed election is tallied`,
      );
    }
    return election;
  }
}
