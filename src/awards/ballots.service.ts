import { Injectable } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import type { AuthUser } from 'src/common/auth/auth-user';
import { canonicalJson } from 'src/common/canonical-json';
import { Database } from 'src/database/database';
import { ballotProblem } from './award-rules';
import { AwardsErrorCode, AwardsException } from './awards.exception';
import type { SaveBallotDto } from './dto/round.dto';
import type { AwardCategoryEntity } from './entities/award-category.entity';
import type { AwardNomineeEntity } from './entities/award-nominee.entity';
import type { AwardRoundEntity } from './entities/award-round.entity';
import type { JuryBallotContent, JuryBallotEntity } from './entities/jury-ballot.entity';
import { EditionsRepository } from './editions.repository';
import { JuryRepository } from './jury.repository';
import { NominationsRepository } from './nominations.repository';
import { RoundsRepository } from './rounds.repository';

export interface JurorRound {
  round: AwardRoundEntity;
  category: AwardCategoryEntity;
  nominees: AwardNomineeEntity[];
  ballot: JuryBallotEntity | null;
}

/**
 * The juror's side of a round. Everything is scoped to the caller: a round of a category they do
 * not sit on, or a ballot that is not theirs, answers 404 as if it did not exist.
 */
@Injectable()
export class BallotsService {
  constructor(
    private readonly db: Database,
    private readonly rounds: RoundsRepository,
    private readonly editions: EditionsRepository,
    private readonly jury: JuryRepository,
    private readonly nominations: NominationsRepository,
    private readonly audit: AuditService,
  ) {}

  async openRounds(caller: AuthUser): Promise<JurorRound[]> {
    const assignments = await this.jury.findAssignmentsOfUser(caller.id);
    const open = await this.rounds.findOpenRoundsOfCategories(assignments.map((a) => a.categoryId));
    return Promise.all(open.map((r) => this.view(caller, r)));
  }

  async round(caller: AuthUser, roundId: string): Promise<JurorRound> {
    return this.view(caller, await this.assignedRound(caller, roundId));
  }

  async ballot(caller: AuthUser, ballotId: string): Promise<JuryBallotEntity> {
    const ballot = await this.rounds.findBallot(ballotId);
    if (!ballot || ballot.userId !== caller.id) {
      throw new AwardsException(AwardsErrorCode.BallotNotFound, 'Ballot not found');
    }
    return ballot;
  }

  /**
   * Saves a draft or submits. Under the round's share lock, so it either commits before the
   * close or finds the round closed; under the juror's own lock, so concurrent saves apply one
   * after the other to the juror's single ballot row.
   */
  async save(
    caller: AuthUser,
    roundId: string,
    dto: SaveBallotDto,
    now = new Date(),
  ): Promise<JuryBallotEntity> {
    const submit = dto.submit ?? false;
    const content: JuryBallotContent = {
      ...(dto.scores !== undefined ? { scores: dto.scores } : {}),
      ...(dto.ranking !== undefined ? { ranking: dto.ranking } : {}),
    };
    return this.db.transaction(async () => {
      const round = await this.rounds.findRoundForBallot(roundId);
      const assignment = round ? await this.jury.findAssignment(round.categoryId, caller.id) : null;
      if (!round || !assignment) {
        throw new AwardsException(AwardsErrorCode.RoundNotFound, 'Round not found');
      }
      if (round.status !== 'open' || (round.closesAt && now >= round.closesAt)) {
        throw new AwardsException(
          AwardsErrorCode.RoundClosed,
          'The round is not open for ballots',
          { status: round.status },
        );
      }
      const category = (await this.editions.findCategory(round.categoryId))!;
      const conflicted = await this.jury.findConflictedNomineeIds(category.id, caller.id);
      const problem = ballotProblem({ category, round, conflicted }, content, submit);
      if (problem) {
        throw new AwardsException(AwardsErrorCode.InvalidBallot, `Ballot refused: ${problem}`);
      }
      await this.db.lock('award_ballot', `${roundId}.${caller.id}`);
      const existing = await this.rounds.findBallotOf(roundId, caller.id);
      if (existing?.status === 'submitted' && !submit) {
        throw new AwardsException(
          AwardsErrorCode.BallotSubmitted,
          'The ballot is submitted; revise it by submitting again',
        );
      }
      const status = submit ? 'submitted' : 'draft';
      if (
        existing &&
        existing.status === status &&
        canonicalJson(existing.content) === canonicalJson(content)
      ) {
        return existing;
      }
      const ballot = await this.rounds.upsertBallot({
        roundId,
        userId: caller.id,
        content,
        status,
        submittedAt: submit ? now : null,
      });
      if (submit) {
        await this.audit.record({
          actor: { kind: 'user', id: caller.id },
          action:
            existing?.status === 'submitted' ? 'award.ballot_revised' : 'award.ballot_submitted',
          subjectType: 'award_round',
          subjectId: roundId,
          data: { ballotId: ballot.id, revision: ballot.revision },
        });
      }
      return ballot;
    });
  }

  private async assignedRound(caller: AuthUser, roundId: string): Promise<AwardRoundEntity> {
    const round = await this.rounds.findRound(roundId);
    const assignment = round ? await this.jury.findAssignment(round.categoryId, caller.id) : null;
    if (!round || !assignment || round.status === 'draft') {
      throw new AwardsException(AwardsErrorCode.RoundNotFound, 'Round not found');
    }
    return round;
  }

  private async view(caller: AuthUser, round: AwardRoundEntity): Promise<JurorRound> {
    const category = (await this.editions.findCategory(round.categoryId))!;
    const conflicted = await this.jury.findConflictedNomineeIds(category.id, caller.id);
    const nominees = (
      await this.nominations.findNomineesByIds(round.nomineeIds.filter((id) => !conflicted.has(id)))
    ).sort((a, b) => a.name.localeCompare(b.name));
    return {
      round,
      category,
      nominees,
      ballot: await this.rounds.findBallotOf(round.id, caller.id),
    };
  }
}
