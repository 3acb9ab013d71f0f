import { Injectable, OnModuleInit } from '@nestjs/common';
import { AuditService, SYSTEM } from 'src/audit/audit.service';
import type { TallyResult } from 'src/tally';
import type { ContestSource, FrozenContest } from 'src/tallying/contest-source';
import type { TallyRunEntity } from 'src/tallying/entities/tally-run.entity';
import { TallyingService } from 'src/tallying/tallying.service';
import { engineBallot, engineConfig } from './award-rules';
import { AwardsErrorCode, AwardsException } from './awards.exception';
import type { AwardRoundEntity } from './entities/award-round.entity';
import { EditionsRepository } from './editions.repository';
import { RoundsRepository } from './rounds.repository';
import { AWARD_ROUND_CONTEST, RoundsService } from './rounds.service';

/** How the shared tallying reads a closed jury round and what the round makes of the count. */
@Injectable()
export class AwardRoundContestSource implements ContestSource, OnModuleInit {
  readonly kind = AWARD_ROUND_CONTEST;

  constructor(
    private readonly tallying: TallyingService,
    private readonly rounds: RoundsRepository,
    private readonly editions: EditionsRepository,
    private readonly service: RoundsService,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.tallying.register(this);
  }

  async load(contestId: string): Promise<FrozenContest> {
    const round = await this.closed(contestId);
    const category = (await this.editions.findCategory(round.categoryId))!;
    const ballots = await this.rounds.findSubmittedBallots(contestId);
    return {
      method: category.method,
      config: engineConfig(category, round.seats),
      candidates: round.nomineeIds,
      ballots: ballots.map((b) => engineBallot(category, b.userId, b.content)),
      seed: round.tieBreakSeed,
      merkleRoot: null,
      participations: ballots.length,
    };
  }

  adjudicate(
    contestId: string,
    _contest: FrozenContest,
    result: TallyResult,
  ): Promise<Record<string, unknown>> {
    return Promise.resolve({
      selected: result.winners,
      ranking: result.ranking ?? [],
      unresolvedTie: result.unresolvedTie ?? null,
    });
  }

  /**
   * A clean result decides the round at once; a tie at the cut that only the lot could break
   * waits for an admin's recorded decision.
   */
  async onTallied(contestId: string, run: TallyRunEntity): Promise<void> {
    const round = await this.rounds.findRoundForTransition(contestId);
    if (!round || round.status !== 'closed') {
      return;
    }
    const result = run.result as unknown as TallyResult;
    const tie = result.unresolvedTie;
    if (tie) {
      const outcome = {
        runId: run.id,
        selected: result.winners,
        tie: {
          seats: tie.seats,
          between: tie.between,
          drawnByLot: result.winners.filter((w) => tie.between.includes(w)),
        },
        decision: null,
      };
      await this.rounds.updateRound(contestId, { status: 'tie_pending', outcome });
      await this.audit.record({
        actor: SYSTEM,
        action: 'award.round_tie_pending',
        subjectType: 'award_round',
        subjectId: contestId,
        data: { runId: run.id, seats: tie.seats, between: tie.between },
      });
      return;
    }
    await this.service.decide(round, {
      runId: run.id,
      selected: result.winners,
      tie: null,
      decision: null,
    });
    await this.audit.record({
      actor: SYSTEM,
      action: 'award.round_decided',
      subjectType: 'award_round',
      subjectId: contestId,
      data: { runId: run.id, kind: round.kind, selected: result.winners },
    });
  }

  private async closed(id: string): Promise<AwardRoundEntity> {
    const round = await this.rounds.findRound(id);
    if (!round) {
      throw new AwardsException(AwardsErrorCode.RoundNotFound, 'Round not found');
    }
    if (round.status === 'draft' || round.status === 'open') {
      throw new AwardsException(
        AwardsErrorCode.WrongRoundStatus,
        `The round is ${round.status}; only a closed round is tallied`,
      );
    }
    return round;
  }
}
