import type { Ballot, MethodConfig } from 'src/tally';
import { AwardsErrorCode, AwardsException } from './awards.exception';
import type { AwardCategoryEntity, Criterion } from './entities/award-category.entity';
import type { AwardRoundEntity } from './entities/award-round.entity';
import type { JuryBallotContent } from './entities/jury-ballot.entity';

/** Pure rules of the award cycle: category settings, engine input and jury-ballot checks. */

type CategorySettings = Pick<
  AwardCategoryEntity,
  'method' | 'methodConfig' | 'criteria' | 'winners' | 'shortListSize'
>;

function invalid(message: string): never {
  throw new AwardsException(AwardsErrorCode.InvalidConfiguration, message);
}

export function checkCategorySettings(c: CategorySettings): void {
  if (c.method === 'score') {
    if (c.criteria.length === 0) {
      invalid('A scored category needs at least one criterion');
    }
    const ids = new Set<string>();
    for (const k of c.criteria) {
      if (ids.has(k.id)) {
        invalid(`Criterion id "${k.id}" is used twice`);
      }
      ids.add(k.id);
      if (!(k.min < k.max)) {
        invalid(`Criterion "${k.id}": min must be below max`);
      }
    }
    const mc = c.methodConfig;
    if (mc.aggregate === 'trimmed_mean' && (mc.trim ?? 1) < 1) {
      invalid('A trimmed mean drops at least one score at each end');
    }
  } else if (c.criteria.length > 0) {
    invalid(`A ${c.method} category ranks nominees and has no scoring criteria`);
  }
  if (c.method === 'irv' && (c.winners !== 1 || c.shortListSize !== null)) {
    invalid('IRV picks one winner: set winners to 1 and no short list');
  }
  if (c.shortListSize !== null && c.shortListSize <= c.winners) {
    invalid('The short list must be longer than the number of winners');
  }
}

/** The engine configuration of a round: the category's method with the round's seats. */
export function engineConfig(category: CategorySettings, seats: number): MethodConfig {
  const mc = category.methodConfig;
  switch (category.method) {
    case 'score':
      return {
        seats,
        criteria: category.criteria.map((k) => ({
          id: k.id,
          weight: k.weight,
          min: k.min,
          max: k.max,
        })),
        aggregate: mc.aggregate ?? 'mean',
        ...(mc.aggregate === 'trimmed_mean' ? { trim: mc.trim ?? 1 } : {}),
        ...(mc.normalise ? { normalise: mc.normalise } : {}),
        minScores: mc.minScores ?? 1,
      };
    case 'borda':
      return { seats, points: mc.points ?? 'borda' };
    case 'schulze':
      // A recused juror's ballot does not compare the nominee with anyone.
      return { seats, strength: mc.strength ?? 'winning', implicitRanking: false };
    case 'irv':
      return {};
  }
}

/** The engine ballot of a submitted jury ballot; a conflicted nominee is simply absent (a recusal). */
export function engineBallot(
  category: Pick<AwardCategoryEntity, 'method'>,
  userId: string,
  content: JuryBallotContent,
): Ballot {
  if (category.method === 'score') {
    return { juror: userId, scores: content.scores ?? {} };
  }
  return { ranking: (content.ranking ?? []).map((id) => [id]) };
}

export interface BallotContext {
  category: Pick<AwardCategoryEntity, 'method' | 'criteria'>;
  round: Pick<AwardRoundEntity, 'nomineeIds'>;
  conflicted: ReadonlySet<string>;
}

/**
 * Why a jury ballot is refused, or null. A draft may be partial; a submitted ballot scores or
 * ranks every nominee of the round the juror has no conflict with.
 */
export function ballotProblem(
  ctx: BallotContext,
  content: JuryBallotContent,
  submit: boolean,
): string | null {
  const inRound = new Set(ctx.round.nomineeIds);
  const visible = ctx.round.nomineeIds.filter((id) => !ctx.conflicted.has(id));
  const checkNominee = (id: string): string | null => {
    if (!inRound.has(id)) {
      return `nominee ${id} is not in this round`;
    }
    if (ctx.conflicted.has(id)) {
      return `nominee ${id} is one you have a conflict of interest with`;
    }
    return null;
  };
  if (ctx.category.method === 'score') {
    if (content.ranking !== undefined || content.scores === undefined) {
      return 'this category is scored: send scores, not a ranking';
    }
    const scores = content.scores;
    for (const [nominee, per] of Object.entries(scores)) {
      const problem = checkNominee(nominee);
      if (problem) {
        return problem;
      }
      if (per === null || typeof per !== 'object' || Array.isArray(per)) {
        return `scores of nominee ${nominee} must be an object of criterion scores`;
      }
      const criteria = new Map<string, Criterion>(ctx.category.criteria.map((k) => [k.id, k]));
      for (const key of Object.keys(per)) {
        if (!criteria.has(key)) {
          return `unknown criterion "${key}"`;
        }
      }
      for (const k of ctx.category.criteria) {
        const v = (per as Record<string, unknown>)[k.id];
        if (v === undefined) {
          return `nominee ${nominee} has no score for criterion "${k.id}"`;
        }
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          return `the score for criterion "${k.id}" must be a number`;
        }
        if (v < k.min || v > k.max) {
          return `score ${v} for criterion "${k.id}" is outside ${k.min}–${k.max}`;
        }
        if (Math.round(v * 100) !== v * 100) {
          return `score ${v} for criterion "${k.id}" has more than two decimals`;
        }
      }
    }
    if (submit) {
      const missing = visible.filter((id) => !Object.hasOwn(scores, id));
      if (missing.length > 0) {
        return `a submitted ballot scores every nominee; missing: ${missing.join(', ')}`;
      }
    }
    return null;
  }
  if (content.scores !== undefined || content.ranking === undefined) {
    return 'this category is ranked: send a ranking, not scores';
  }
  const seen = new Set<string>();
  for (const id of content.ranking) {
    const problem = checkNominee(id);
    if (problem) {
      return problem;
    }
    if (seen.has(id)) {
      return `nominee ${id} is ranked twice`;
    }
    seen.add(id);
  }
  if (submit && seen.size !== visible.length) {
    const missing = visible.filter((id) => !seen.has(id));
    return `a submitted ballot ranks every nominee; missing: ${missing.join(', ')}`;
  }
  return null;
}

/** Labels jurors A, B, … Z, AA, … in a fixed order, for results shown without names. */
export function jurorLabel(index: number): string {
  let n = index;
  let label = '';
  do {
    label = String.fromCharCode(65 + (n % 26)) + label;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return `Juror ${label}`;
}
