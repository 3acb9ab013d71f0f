import type { Prepared } from './prepare';
import type { Method, TallyResult, TallyStats } from './types';

export const ENGINE_VERSION = 'tally-engine/1.0.0';

export function baseStats(p: Prepared<unknown>): TallyStats {
  const stats: TallyStats = {
    ballots: p.ballots,
    valid: p.valid,
    invalid: p.invalid,
    blank: p.blank,
    distinct: p.groups.length,
    invalidReasons: p.invalidReasons,
  };
  if (p.validWeight) {
    stats.validWeight = p.validWeight.toString();
  }
  return stats;
}

/** Statistics for any prepared contest (general or ranked groups). */
export function statsOf(p: {
  ballots: number;
  valid: number;
  invalid: number;
  blank: number;
  invalidReasons: Record<string, number>;
  validWeight: { toString(): string } | null;
  size: number;
}): TallyStats {
  const stats: TallyStats = {
    ballots: p.ballots,
    valid: p.valid,
    invalid: p.invalid,
    blank: p.blank,
    distinct: p.size,
    invalidReasons: p.invalidReasons,
  };
  if (p.validWeight) {
    stats.validWeight = p.validWeight.toString();
  }
  return stats;
}

export function emptyResult(method: Method, stats: TallyStats): TallyResult {
  return {
    engineVersion: ENGINE_VERSION,
    method,
    winners: [],
    rounds: [],
    ties: [],
    stats,
    details: {},
  };
}

/** Record of each id in `ids` (in the given order), mapped through `f`. */
export function recordOf(
  ids: readonly string[],
  idx: readonly number[],
  f: (i: number) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of idx) {
    out[ids[i]] = f(i);
  }
  return out;
}
