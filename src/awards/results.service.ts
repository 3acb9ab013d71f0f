import { Injectable } from '@nestjs/common';
import { UsersRepository } from 'src/auth/users.repository';
import type { TallyResult } from 'src/tally';
import { TallyingService } from 'src/tallying/tallying.service';
import { jurorLabel } from './award-rules';
import { AwardsErrorCode, AwardsException } from './awards.exception';
import type { AwardCategoryEntity } from './entities/award-category.entity';
import type { AwardRoundEntity } from './entities/award-round.entity';
import { EditionsRepository } from './editions.repository';
import { JuryRepository } from './jury.repository';
import { NominationsRepository } from './nominations.repository';
import { RoundsRepository } from './rounds.repository';
import { AWARD_ROUND_CONTEST } from './rounds.service';

export interface NomineeResult {
  nomineeId: string;
  name: string;
  /** 1-based place in the ranking; null when the nominee was not ranked (too few scores). */
  place: number | null;
  selected: boolean;
  aggregate: string | null;
  mean: string | null;
  criteria: Record<string, string>;
  /** Submitted ballots that scored or ranked the nominee. */
  scores: number;
  /** Jurors who submitted but left the nominee out because of a conflict. */
  recusals: number;
  flagged: string | null;
}

export interface JurorScores {
  userId: string;
  displayName: string;
  label: string;
  scores?: Record<string, Record<string, number>>;
  ranking?: string[];
}

export interface RoundResult {
  round: AwardRoundEntity;
  run: {
    id: string;
    method: string;
    engineVersion: string;
    inputDigest: string;
    outputDigest: string;
    seed: string;
    ballotCount: number;
  } | null;
  nominees: NomineeResult[];
  report: Pick<TallyResult, 'rounds' | 'ties' | 'stats' | 'details'> | null;
  /** Admins see jurors as assigned. */
  jurors: JurorScores[];
  /** The per-juror part as publication will show it, per the category's setting. */
  published: { display: string; jurors: Omit<JurorScores, 'userId' | 'displayName'>[] };
}

/** Results for admins: per round of a category, the computed ranking and everything behind it. */
@Injectable()
export class ResultsService {
  constructor(
    private readonly editions: EditionsRepository,
    private readonly rounds: RoundsRepository,
    private readonly nominations: NominationsRepository,
    private readonly jury: JuryRepository,
    private readonly users: UsersRepository,
    private readonly tallying: TallyingService,
  ) {}

  async category(
    categoryId: string,
  ): Promise<{ category: AwardCategoryEntity; rounds: RoundResult[] }> {
    const category = await this.editions.findCategory(categoryId);
    if (!category) {
      throw new AwardsException(AwardsErrorCode.CategoryNotFound, 'Category not found');
    }
    const rounds = await this.rounds.findRoundsOfCategory(categoryId);
    const results: RoundResult[] = [];
    for (const round of rounds) {
      // Before the close an admin sees progress only, never contents.
      if (round.status === 'draft' || round.status === 'open') {
        continue;
      }
      results.push(await this.roundResult(category, round));
    }
    return { category, rounds: results };
  }

  private async roundResult(
    category: AwardCategoryEntity,
    round: AwardRoundEntity,
  ): Promise<RoundResult> {
    const run = await this.tallying.latestRun(AWARD_ROUND_CONTEST, round.id);
    const result = run ? (run.result as unknown as TallyResult) : null;
    const details = (result?.details ?? {}) as {
      scores?: Record<string, string>;
      means?: Record<string, string>;
      criterionMeans?: Record<string, Record<string, string>>;
      flagged?: Record<string, string>;
    };
    const ballots = await this.rounds.findSubmittedBallots(round.id);
    const panel = await this.jury.findPanel(category.id);
    const order = new Map(panel.map((a, i) => [a.userId, i]));
    ballots.sort((a, b) => (order.get(a.userId) ?? 0) - (order.get(b.userId) ?? 0));
    const names = new Map(
      (await this.nominations.findNomineesByIds(round.nomineeIds)).map((n) => [n.id, n.name]),
    );
    const selected = new Set(round.outcome?.selected ?? []);
    const places = new Map<string, number>();
    let place = 1;
    for (const group of result?.ranking ?? []) {
      for (const id of group) {
        places.set(id, place);
      }
      place += group.length;
    }
    const includes = (content: { scores?: object; ranking?: string[] }, id: string): boolean =>
      content.scores ? id in content.scores : (content.ranking ?? []).includes(id);
    const nominees: NomineeResult[] = round.nomineeIds.map((id) => {
      const scores = ballots.filter((b) => includes(b.content, id)).length;
      return {
        nomineeId: id,
        name: names.get(id) ?? '',
        place: places.get(id) ?? null,
        selected: selected.has(id),
        aggregate: details.scores?.[id] ?? result?.rounds.at(-1)?.votes[id] ?? null,
        mean: details.means?.[id] ?? null,
        criteria: Object.fromEntries(
          Object.entries(details.criterionMeans ?? {})
            .filter(([, perNominee]) => id in perNominee)
            .map(([criterion, perNominee]) => [criterion, perNominee[id]]),
        ),
        scores,
        recusals: ballots.length - scores,
        flagged: details.flagged?.[id] ?? null,
      };
    });
    nominees.sort(
      (a, b) => (a.place ?? Infinity) - (b.place ?? Infinity) || a.name.localeCompare(b.name),
    );
    const jurors: JurorScores[] = await Promise.all(
      ballots.map(async (b, i) => ({
        userId: b.userId,
        displayName: (await this.users.findById(b.userId))?.displayName ?? '',
        label: jurorLabel(i),
        ...(b.content.scores ? { scores: b.content.scores } : {}),
        ...(b.content.ranking ? { ranking: b.content.ranking } : {}),
      })),
    );
    return {
      round,
      run: run
        ? {
            id: run.id,
            method: run.method,
            engineVersion: run.engineVersion,
            inputDigest: run.inputDigest,
            outputDigest: run.outputDigest,
            seed: run.seed,
            ballotCount: run.ballotCount,
          }
        : null,
      nominees,
      report: result
        ? { rounds: result.rounds, ties: result.ties, stats: result.stats, details: result.details }
        : null,
      jurors,
      published: {
        display: category.resultsDisplay,
        jurors:
          category.resultsDisplay === 'anonymised_jurors'
            ? jurors.map(({ userId: _u, displayName: _d, ...rest }) => rest)
            : [],
      },
    };
  }
}
