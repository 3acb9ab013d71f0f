import { Rational } from '../arith/rational';
import { TallyInputError } from '../errors';
import {
  CandidateIndex,
  checkSeats,
  groupValue,
  normaliseRanked,
  rankGroups,
  prepare,
  rankedKey,
} from '../prepare';
import { baseStats, emptyResult, recordOf } from '../result';
import { selectByScore } from '../select';
import { TieBreaker, type TieCriterion } from '../ties';
import type { BordaConfig, TallyInput, TallyResult } from '../types';

/**
 * Borda count for jury rankings. Place p of n earns n − p + start points (Dowdall: 1/p).
 * Candidates sharing places (an equal rank, or the unranked tail when rankings are implicit)
 * share those places' points equally, so a truncated ballot never gives more than a full one.
 * Ties between totals go to countback: most first places, then most second places, …, then lot.
 */
export function tallyBorda(input: TallyInput): TallyResult {
  const config = input.config as BordaConfig;
  const points = config.points ?? 'borda';
  if (points !== 'borda' && points !== 'dowdall') {
    throw new TallyInputError(`unknown Borda points "${String(points)}"`);
  }
  const start = Rational.from(config.start ?? 0);
  const implicit = config.implicitRanking ?? true;
  const unrankedPoints = Rational.from(config.unrankedPoints ?? 0);
  const c = new CandidateIndex(input.candidates, 'borda');
  const seats = checkSeats(config.seats, 1);
  const prepared = prepare(
    input.ballots,
    rankedKey(c),
    normaliseRanked(c, { equalRanks: true, withdrawn: config.withdrawn, duplicate: 'invalid' }),
  );
  const withdrawn = new Set((config.withdrawn ?? []).map((w) => c.of(w)!));
  const active = c.ids.map((_, i) => i).filter((i) => !withdrawn.has(i));
  const n = active.length;

  const placePoints = (p: number): Rational =>
    points === 'dowdall' ? Rational.of(1, p) : Rational.of(n - p).add(start);
  // Average of the points of places first..last (1-based, inclusive).
  const shared = (first: number, last: number): Rational => {
    let sum = Rational.ZERO;
    for (let p = first; p <= last; p++) {
      sum = sum.add(placePoints(p));
    }
    return sum.div(Rational.of(last - first + 1));
  };

  const score = c.ids.map(() => Rational.ZERO);
  // countback[k][i]: value of ballots placing candidate i in rank group k+1.
  const countback: Rational[][] = [];
  for (const g of prepared.groups) {
    const v = groupValue(g);
    const ranked = new Set<number>();
    let place = 1;
    rankGroups(g.ballot).forEach((rank, k) => {
      const pts = shared(place, place + rank.length - 1).mul(v);
      countback[k] ??= c.ids.map(() => Rational.ZERO);
      for (const i of rank) {
        score[i] = score[i].add(pts);
        countback[k][i] = countback[k][i].add(v);
        ranked.add(i);
      }
      place += rank.length;
    });
    const rest = active.filter((i) => !ranked.has(i));
    if (rest.length > 0) {
      const pts = (implicit ? shared(place, n) : unrankedPoints).mul(v);
      for (const i of rest) {
        score[i] = score[i].add(pts);
      }
    }
  }

  const criteria: TieCriterion[] = countback.map((row) => ({
    rule: 'countback',
    prefer: 'high',
    value: (i: number) => row[i],
  }));
  const ties = new TieBreaker(input.seed, c.ids, config.lotOrder);
  const sel = selectByScore(active, (i) => score[i], seats, ties, criteria);
  const result = emptyResult('borda', baseStats(prepared));
  result.winners = sel.winners.map((i) => c.ids[i]);
  result.ranking = sel.ranking.map((grp) => grp.map((i) => c.ids[i]));
  result.rounds = [
    {
      round: 1,
      votes: recordOf(c.ids, active, (i) => score[i].toString()),
      elected: result.winners,
      excluded: [],
    },
  ];
  if (sel.unresolvedTie) {
    result.unresolvedTie = {
      seats: sel.unresolvedTie.seats,
      between: sel.unresolvedTie.between.map((i) => c.ids[i]),
    };
  }
  result.ties = ties.reports;
  result.details = {
    seats,
    points,
    start: start.toString(),
    implicitRanking: implicit,
    scores: recordOf(c.ids, active, (i) => score[i].toString()),
  };
  return result;
}
