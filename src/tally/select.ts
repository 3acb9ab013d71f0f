import { TieBreaker, compareValues, type TieCriterion, type TieValue } from './ties';

export interface Selection {
  /** Winners in seat order. */
  winners: number[];
  /** Ranking groups, best first (ties in the data kept together). */
  ranking: number[][];
  unresolvedTie?: { seats: number; between: number[] };
}

/**
 * Ranks candidates by a score (higher is better) and fills `seats` from the top. A tie that
 * straddles the last seat is settled by the data criteria, then by lot, and reported.
 */
export function selectByScore(
  candidates: readonly number[],
  score: (i: number) => TieValue,
  seats: number,
  ties: TieBreaker,
  criteria: readonly TieCriterion[],
  at = 'last seat',
): Selection {
  const sorted = [...candidates].sort((a, b) => compareValues(score(b), score(a)) || a - b);
  const ranking: number[][] = [];
  for (const c of sorted) {
    const last = ranking[ranking.length - 1];
    if (last && compareValues(score(last[0]), score(c)) === 0) {
      last.push(c);
    } else {
      ranking.push([c]);
    }
  }
  return { ...fillSeats(ranking, seats, ties, criteria, at), ranking };
}

/** Fills seats from ranking groups; a group that does not fit is split by the tie rules. */
export function fillSeats(
  ranking: readonly number[][],
  seats: number,
  ties: TieBreaker,
  criteria: readonly TieCriterion[],
  at: string,
): { winners: number[]; unresolvedTie?: { seats: number; between: number[] } } {
  const winners: number[] = [];
  for (const group of ranking) {
    const open = seats - winners.length;
    if (open <= 0) {
      break;
    }
    if (group.length <= open) {
      winners.push(...group);
      continue;
    }
    const before = ties.reports.length;
    const chosen = ties.order(at, group, criteria, open);
    winners.push(...chosen);
    const report = ties.reports[ties.reports.length - 1];
    if (ties.reports.length > before && report.rule === 'lot') {
      return { winners, unresolvedTie: { seats: open, between: [...group] } };
    }
  }
  return { winners };
}
