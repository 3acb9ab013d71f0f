import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Actor, AuditService } from 'src/audit/audit.service';
import { UsersRepository } from 'src/auth/users.repository';
import type { AuthUser } from 'src/common/auth/auth-user';
import { Database } from 'src/database/database';
import { inputDigest } from 'src/tallying/input-digest';
import { TallyingService } from 'src/tallying/tallying.service';
import { engineBallot } from './award-rules';
import { AwardsErrorCode, AwardsException } from './awards.exception';
import type { CreateRoundDto, ResolveTieDto } from './dto/round.dto';
import type { AwardCategoryEntity } from './entities/award-category.entity';
import type { AwardRoundEntity, RoundKind } from './entities/award-round.entity';
import { EditionsRepository } from './editions.repository';
import { JuryRepository } from './jury.repository';
import { JuryService } from './jury.service';
import { NominationsRepository } from './nominations.repository';
import { RoundsRepository } from './rounds.repository';

export const AWARD_ROUND_CONTEST = 'award_round';

export interface RoundProgress {
  round: AwardRoundEntity;
  minScores: number;
  jurors: {
    userId: string;
    displayName: string;
    role: string;
    ballot: 'none' | 'draft' | 'submitted';
    submittedAt: Date | null;
    revision: number;
    conflicts: number;
  }[];
  nominees: {
    nomineeId: string;
    name: string;
    scores: number;
    recusals: number;
    lacking: boolean;
  }[];
}

/** A category's jury rounds: create, open, close (freeze and enqueue the tally), settle ties. */
@Injectable()
export class RoundsService {
  constructor(
    private readonly db: Database,
    private readonly rounds: RoundsRepository,
    private readonly editions: EditionsRepository,
    private readonly nominations: NominationsRepository,
    private readonly jury: JuryRepository,
    private readonly juries: JuryService,
    private readonly users: UsersRepository,
    private readonly tallying: TallyingService,
    private readonly audit: AuditService,
  ) {}

  async round(id: string): Promise<AwardRoundEntity> {
    const round = await this.rounds.findRound(id);
    if (!round) {
      throw new AwardsException(AwardsErrorCode.RoundNotFound, 'Round not found');
    }
    return round;
  }

  async roundsOf(categoryId: string): Promise<AwardRoundEntity[]> {
    await this.category(categoryId);
    return this.rounds.findRoundsOfCategory(categoryId);
  }

  /**
   * The next round of the category: a short-list round first when the category has a short
   * list, then the final round over the short list.
   */
  async create(
    caller: AuthUser,
    categoryId: string,
    dto: CreateRoundDto,
  ): Promise<AwardRoundEntity> {
    const opensAt = dto.opensAt ? new Date(dto.opensAt) : null;
    const closesAt = dto.closesAt ? new Date(dto.closesAt) : null;
    if (opensAt && closesAt && opensAt >= closesAt) {
      throw new AwardsException(
        AwardsErrorCode.InvalidConfiguration,
        'closesAt must be after opensAt',
      );
    }
    return this.db.transaction(async () => {
      await this.db.lock('award_category', categoryId);
      const category = await this.category(categoryId);
      const edition = (await this.editions.findEditionForShare(category.editionId))!;
      if (edition.phase === 'results' || edition.phase === 'closed') {
        throw new AwardsException(
          AwardsErrorCode.WrongPhase,
          `The edition is in ${edition.phase}; no more rounds`,
        );
      }
      const existing = await this.rounds.findRoundsOfCategory(categoryId);
      const last = existing.at(-1);
      if (last && last.status !== 'decided') {
        throw new AwardsException(
          AwardsErrorCode.WrongRoundStatus,
          `Round ${last.number} is ${last.status}; the next round waits for its decision`,
        );
      }
      if (last?.kind === 'final') {
        throw new AwardsException(
          AwardsErrorCode.WrongRoundStatus,
          'The final round is decided; the category has its winners',
        );
      }
      const kind: RoundKind = !last && category.shortListSize !== null ? 'shortlist' : 'final';
      const round = await this.rounds.insertRound({
        categoryId,
        number: (last?.number ?? 0) + 1,
        kind,
        seats: kind === 'shortlist' ? category.shortListSize! : category.winners,
        tieBreakSeed: randomBytes(16).toString('hex'),
        opensAt,
        closesAt,
      });
      await this.audit.record({
        actor: { kind: 'user', id: caller.id },
        action: 'award.round_created',
        subjectType: 'award_round',
        subjectId: round.id,
        data: {
          categoryId,
          number: round.number,
          kind,
          seats: round.seats,
          tieBreakSeed: round.tieBreakSeed,
          opensAt: opensAt?.toISOString() ?? null,
          closesAt: closesAt?.toISOString() ?? null,
        },
      });
      return round;
    });
  }

  /** Opens a draft round: its nominees are fixed now (long list, or the short list after it). */
  async open(actor: Actor, id: string, now = new Date()): Promise<AwardRoundEntity> {
    return this.db.transaction(async () => {
      const round = await this.rounds.findRoundForTransition(id);
      if (!round) {
        throw new AwardsException(AwardsErrorCode.RoundNotFound, 'Round not found');
      }
      if (round.status !== 'draft') {
        throw new AwardsException(
          AwardsErrorCode.WrongRoundStatus,
          `The round is ${round.status}, not draft`,
        );
      }
      const category = (await this.editions.findCategory(round.categoryId))!;
      const edition = (await this.editions.findEditionForShare(category.editionId))!;
      const reasons: string[] = [];
      if (edition.phase !== 'jury') {
        reasons.push(`the edition is in ${edition.phase}, not jury`);
      }
      if ((await this.jury.findPanel(category.id)).length === 0) {
        reasons.push('the category has no jurors');
      }
      const status = round.number === 1 ? 'longlisted' : 'shortlisted';
      const nominees = await this.nominations.findNomineesWithStatus(category.id, status);
      if (nominees.length === 0) {
        reasons.push(`the category has no ${status} nominees`);
      }
      if (reasons.length > 0) {
        throw new AwardsException(
          AwardsErrorCode.TransitionRefused,
          `The round cannot open: ${reasons.join('; ')}`,
          { reasons },
        );
      }
      await this.juries.detect(category.id);
      const nomineeIds = nominees.map((n) => n.id).sort();
      await this.rounds.updateRound(id, { status: 'open', openedAt: now, nomineeIds });
      await this.audit.record({
        actor,
        action: 'award.round_opened',
        subjectType: 'award_round',
        subjectId: id,
        data: { categoryId: category.id, nomineeIds },
      });
      return this.round(id);
    });
  }

  /**
   * Closes the round: waits for ballot saves in flight (they share the round's row lock), fixes
   * the digest of the submitted ballots and enqueues the tally in the same transaction.
   * Drafts are never counted.
   */
  async close(actor: Actor, id: string, now = new Date()): Promise<AwardRoundEntity> {
    return this.db.transaction(async () => {
      const round = await this.rounds.findRoundForTransition(id);
      if (!round) {
        throw new AwardsException(AwardsErrorCode.RoundNotFound, 'Round not found');
      }
      if (round.status !== 'open') {
        throw new AwardsException(
          AwardsErrorCode.WrongRoundStatus,
          `The round is ${round.status}, not open`,
        );
      }
      const category = (await this.editions.findCategory(round.categoryId))!;
      const all = await this.rounds.findBallotsOfRound(id);
      const submitted = all.filter((b) => b.status === 'submitted');
      const digest = inputDigest(submitted.map((b) => engineBallot(category, b.userId, b.content)));
      await this.rounds.updateRound(id, { status: 'closed', closedAt: now, inputDigest: digest });
      await this.audit.record({
        actor,
        action: 'award.round_closed',
        subjectType: 'award_round',
        subjectId: id,
        data: {
          categoryId: category.id,
          inputDigest: digest,
          submitted: submitted.length,
          draftsNotCounted: all.length - submitted.length,
        },
      });
      await this.tallying.enqueue({
        contestKind: AWARD_ROUND_CONTEST,
        contestId: id,
        inputDigest: digest,
      });
      return this.round(id);
    });
  }

  /** Who has submitted and which nominees lack scores; never what anyone scored. */
  async progress(id: string): Promise<RoundProgress> {
    const round = await this.round(id);
    const category = (await this.editions.findCategory(round.categoryId))!;
    const panel = await this.jury.findPanel(category.id);
    const ballots = await this.rounds.findBallotsOfRound(id);
    const conflicts = (await this.jury.findConflictsOfCategory(category.id)).filter(
      (c) => c.status === 'active' && panel.some((a) => a.userId === c.userId),
    );
    const minScores = category.method === 'score' ? (category.methodConfig.minScores ?? 1) : 1;
    const jurors = await Promise.all(
      panel.map(async (a) => {
        const ballot = ballots.find((b) => b.userId === a.userId);
        return {
          userId: a.userId,
          displayName: (await this.users.findById(a.userId))?.displayName ?? '',
          role: a.role,
          ballot: ballot?.status ?? ('none' as const),
          submittedAt: ballot?.submittedAt ?? null,
          revision: ballot?.revision ?? 0,
          conflicts: conflicts.filter((c) => c.userId === a.userId).length,
        };
      }),
    );
    const names = new Map(
      (await this.nominations.findNomineesByIds(round.nomineeIds)).map((n) => [n.id, n.name]),
    );
    const nominees = round.nomineeIds.map((nomineeId) => {
      const scores = ballots.filter(
        (b) =>
          b.status === 'submitted' &&
          (b.content.scores
            ? nomineeId in b.content.scores
            : (b.content.ranking ?? []).includes(nomineeId)),
      ).length;
      return {
        nomineeId,
        name: names.get(nomineeId) ?? '',
        scores,
        recusals: conflicts.filter((c) => c.nomineeId === nomineeId).length,
        lacking: scores < minScores,
      };
    });
    return { round, minScores, jurors, nominees };
  }

  /** An admin settles a tie at the cut by naming who takes the contested places, with a reason. */
  async resolveTie(caller: AuthUser, id: string, dto: ResolveTieDto): Promise<AwardRoundEntity> {
    return this.db.transaction(async () => {
      const round = await this.rounds.findRoundForTransition(id);
      if (!round) {
        throw new AwardsException(AwardsErrorCode.RoundNotFound, 'Round not found');
      }
      if (round.status !== 'tie_pending' || !round.outcome?.tie) {
        throw new AwardsException(
          AwardsErrorCode.WrongRoundStatus,
          `The round is ${round.status}; there is no tie to resolve`,
        );
      }
      const tie = round.outcome.tie;
      const chosen = [...new Set(dto.chosen)];
      if (
        chosen.length !== dto.chosen.length ||
        chosen.length !== tie.seats ||
        chosen.some((c) => !tie.between.includes(c))
      ) {
        throw new AwardsException(
          AwardsErrorCode.InvalidTieDecision,
          `Choose exactly ${tie.seats} different nominee(s) among the tied: ${tie.between.join(', ')}`,
          { seats: tie.seats, between: tie.between },
        );
      }
      const selected = [
        ...round.outcome.selected.filter((s) => !tie.between.includes(s)),
        ...chosen,
      ];
      const decision = {
        chosen,
        reason: dto.reason,
        by: caller.id,
        at: new Date().toISOString(),
      };
      await this.decide(round, { ...round.outcome, selected, decision });
      await this.audit.record({
        actor: { kind: 'user', id: caller.id },
        action: 'award.round_tie_resolved',
        subjectType: 'award_round',
        subjectId: id,
        data: { between: tie.between, chosen, reason: dto.reason, selected },
      });
      return this.round(id);
    });
  }

  /**
   * Marks the round decided and moves its nominees on: selected ones to the short list (or
   * winners), the others to not selected. Runs inside the caller's transaction.
   */
  async decide(
    round: AwardRoundEntity,
    outcome: AwardRoundEntity['outcome'] & object,
  ): Promise<void> {
    const selected = new Set(outcome.selected);
    const others = round.nomineeIds.filter((id) => !selected.has(id));
    await this.nominations.updateNomineesStatus(
      [...selected],
      round.kind === 'shortlist' ? 'shortlisted' : 'winner',
    );
    await this.nominations.updateNomineesStatus(others, 'not_selected');
    await this.rounds.updateRound(round.id, { status: 'decided', outcome });
  }

  private async category(id: string): Promise<AwardCategoryEntity> {
    const category = await this.editions.findCategory(id);
    if (!category) {
      throw new AwardsException(AwardsErrorCode.CategoryNotFound, 'Category not found');
    }
    return category;
  }
}
