import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AwardRoundContestSource } from 'src/awards/award-contest';
import { EditionsRepository } from 'src/awards/editions.repository';
import { NominationsRepository } from 'src/awards/nominations.repository';
import { RoundsRepository } from 'src/awards/rounds.repository';
import { AWARD_ROUND_CONTEST } from 'src/awards/rounds.service';
import { BallotsRepository } from 'src/elections/ballots.repository';
import { CandidatesRepository } from 'src/elections/candidates.repository';
import { ElectionContestSource } from 'src/elections/election-contest';
import { ElectionsRepository } from 'src/elections/elections.repository';
import { ELECTION_CONTEST } from 'src/elections/elections.service';
import type { TieDecision } from 'src/audit/manifest';
import type { Ballot, TallyResult } from 'src/tally';
import type { ContestSource } from 'src/tallying/contest-source';
import type { TallyRunEntity } from 'src/tallying/entities/tally-run.entity';
import { pseudonymiseJurors } from './anonymise';
import type { BundleParticipant } from './bundle';
import { ResultsErrorCode, ResultsException } from './results.exception';

/** What publication needs from a kind of contest besides what the tally run holds. */
export interface ResultContest {
  readonly kind: string;
  /** The audit action that records who closed the contest. */
  readonly closeAction: string;
  /** The contest's own source, so a re-tally reads exactly what the tally read. */
  source(): ContestSource;
  title(contestId: string): Promise<string>;
  candidateNames(contestId: string): Promise<{ id: string; name: string }[]>;
  /** Sorted receipts, or null for a kind without receipts. */
  receipts(contestId: string): Promise<string[] | null>;
  participants(contestId: string): Promise<BundleParticipant[]>;
  /** Refuses certification while the contest's own result is not final (e.g. a tie to decide). */
  checkFinal(contestId: string): Promise<void>;
  /** Who won, as the contest decided it. */
  winners(contestId: string, run: TallyRunEntity): Promise<string[]>;
  /** The recorded decision that settled a tie of the count, or null. */
  decision(contestId: string): Promise<TieDecision | null>;
  /** The ballots as published; null when they are the engine ballots unchanged. */
  publicBallots(ballots: readonly Ballot[]): Ballot[] | null;
  /** The award edition or meeting the contest belongs to. */
  groupId(contestId: string): Promise<string | null>;
}

/** Elections, read through the elections module's own repositories (read only). */
@Injectable()
export class ElectionResultContest implements ResultContest {
  readonly kind = ELECTION_CONTEST;
  readonly closeAction = 'election.closed';

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly elections: ElectionsRepository,
    private readonly candidates: CandidatesRepository,
    private readonly ballots: BallotsRepository,
  ) {}

  source(): ContestSource {
    return this.moduleRef.get(ElectionContestSource, { strict: false });
  }

  async title(contestId: string): Promise<string> {
    return (await this.elections.findById(contestId))?.office ?? contestId;
  }

  async candidateNames(contestId: string): Promise<{ id: string; name: string }[]> {
    return (await this.candidates.findByElection(contestId)).map((c) => ({
      id: c.id,
      name: c.name,
    }));
  }

  receipts(contestId: string): Promise<string[] | null> {
    return this.ballots.findReceipts(contestId);
  }

  participants(contestId: string): Promise<BundleParticipant[]> {
    return this.ballots.findParticipants(contestId);
  }

  checkFinal(): Promise<void> {
    return Promise.resolve();
  }

  winners(_contestId: string, run: TallyRunEntity): Promise<string[]> {
    const elected = (run.outcome.elected ?? []) as { candidateId: string }[];
    return Promise.resolve(elected.map((e) => e.candidateId));
  }

  /** Ties in elections are drawn by lot from the seed; nobody decides them. */
  decision(): Promise<null> {
    return Promise.resolve(null);
  }

  publicBallots(): null {
    return null;
  }

  async groupId(contestId: string): Promise<string | null> {
    return (await this.elections.findById(contestId))?.meetingId ?? null;
  }
}

/** Jury rounds of award categories, read through the awards module's repositories (read only). */
@Injectable()
export class AwardRoundResultContest implements ResultContest {
  readonly kind = AWARD_ROUND_CONTEST;
  readonly closeAction = 'award.round_closed';

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly rounds: RoundsRepository,
    private readonly editions: EditionsRepository,
    private readonly nominations: NominationsRepository,
  ) {}

  source(): ContestSource {
    return this.moduleRef.get(AwardRoundContestSource, { strict: false });
  }

  async title(contestId: string): Promise<string> {
    const round = await this.rounds.findRound(contestId);
    const category = round ? await this.editions.findCategory(round.categoryId) : null;
    return category ? `${category.title}: ${round!.kind} (round ${round!.number})` : contestId;
  }

  async candidateNames(contestId: string): Promise<{ id: string; name: string }[]> {
    const round = await this.rounds.findRound(contestId);
    const nominees = await this.nominations.findNomineesByIds(round?.nomineeIds ?? []);
    const names = new Map(nominees.map((n) => [n.id, n.name]));
    return (round?.nomineeIds ?? []).map((id) => ({ id, name: names.get(id) ?? id }));
  }

  receipts(): Promise<null> {
    return Promise.resolve(null);
  }

  participants(): Promise<BundleParticipant[]> {
    // Jurors are published as pseudonyms only.
    return Promise.resolve([]);
  }

  async checkFinal(contestId: string): Promise<void> {
    const round = await this.rounds.findRound(contestId);
    if (round?.status !== 'decided') {
      throw new ResultsException(
        ResultsErrorCode.NotTallied,
        `The round is ${round?.status ?? 'unknown'}; only a decided round is certified`,
      );
    }
  }

  async winners(contestId: string, run: TallyRunEntity): Promise<string[]> {
    const round = await this.rounds.findRound(contestId);
    return round?.outcome?.selected ?? (run.result as unknown as TallyResult).winners;
  }

  async decision(contestId: string): Promise<TieDecision | null> {
    const outcome = (await this.rounds.findRound(contestId))?.outcome;
    if (!outcome?.decision || !outcome.tie) {
      return null;
    }
    return {
      seats: outcome.tie.seats,
      between: [...outcome.tie.between].sort(),
      drawnByLot: outcome.tie.drawnByLot,
      chosen: outcome.decision.chosen,
      reason: outcome.decision.reason,
      // The round's record keeps the account; public material names the role.
      decidedBy: 'admin',
      decidedAt: outcome.decision.at,
    };
  }

  publicBallots(ballots: readonly Ballot[]): Ballot[] {
    return pseudonymiseJurors(ballots);
  }

  async groupId(contestId: string): Promise<string | null> {
    const round = await this.rounds.findRound(contestId);
    const category = round ? await this.editions.findCategory(round.categoryId) : null;
    return category?.editionId ?? null;
  }
}

/** The contest kinds that can be published, by kind. */
@Injectable()
export class ResultContests {
  private readonly byKind: Map<string, ResultContest>;

  constructor(election: ElectionResultContest, award: AwardRoundResultContest) {
    this.byKind = new Map<string, ResultContest>([
      [election.kind, election],
      [award.kind, award],
    ]);
  }

  get(kind: string): ResultContest {
    const contest = this.byKind.get(kind);
    if (!contest) {
      throw new ResultsException(
        ResultsErrorCode.UnknownContestKind,
        `No results for contests of kind ${kind}`,
      );
    }
    return contest;
  }

  kinds(): string[] {
    return [...this.byKind.keys()];
  }
}
