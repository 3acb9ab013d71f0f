import { Rational } from '../arith/rational';
import { TallyInputError } from '../errors';
import { CandidateIndex, checkSeats } from '../prepare';
import { prepareRanked } from '../ranked';
import { emptyResult, statsOf } from '../result';
import { fillSeats } from '../select';
import { TieBreaker } from '../ties';
import { unitsOf } from '../units';
import type { SchulzeConfig, TallyInput, TallyResult } from '../types';

/**
 * Schulze (beatpath). Pairwise counts come from grouped ballots (n² work per distinct
 * ballot), strongest paths from Floyd–Warshall over the chosen link strength.
 * A path strength is a fraction num/den so that the ratio measure (wins/losses, possibly
 * infinite when nobody prefers the other way) compares exactly: den = 0 means infinity.
 */
export function tallySchulze(input: TallyInput): TallyResult {
  const config = input.config as SchulzeConfig;
  const strength = config.strength ?? 'winning';
  if (!['winning', 'margin', 'ratio'].includes(strength)) {
    throw new TallyInputError(`unknown Schulze strength "${strength}"`);
  }
  const implicit = config.implicitRanking ?? true;
  const c = new CandidateIndex(input.candidates, 'schulze');
  const seats = checkSeats(config.seats, 1);
  const groups = prepareRanked(input.ballots, c, {
    equalRanks: true,
    withdrawn: config.withdrawn,
    duplicate: 'invalid',
  });
  const units = unitsOf(groups.count, groups.weight);
  const withdrawn = new Set((config.withdrawn ?? []).map((w) => c.of(w)!));
  const active = c.ids.map((_, i) => i).filter((i) => !withdrawn.has(i));
  const n = c.size;

  // d[x·n + y] = value of ballots ranking x above y. With implicit ranking a ranked x beats
  // every unranked y: that is added as a row total (beatsAll) with a correction for the ranked
  // candidates, so a ballot costs (ranked)² rather than ranked × candidates.
  const d = new Float64Array(n * n);
  const beatsAll = new Float64Array(n);
  const rankOf = new Int32Array(n);
  const { pool, start } = groups;
  for (let k = 0; k < groups.size; k++) {
    const v = units.values[k];
    const s = start[k];
    const e = start[k + 1];
    let r = -1;
    for (let p = s; p < e; p++) {
      const x = pool[p] >= 0 ? pool[p] : ~pool[p];
      if (pool[p] >= 0) {
        r++;
      }
      rankOf[x] = r;
    }
    for (let p = s; p < e; p++) {
      const x = pool[p] >= 0 ? pool[p] : ~pool[p];
      const rx = rankOf[x];
      const row = x * n;
      if (implicit) {
        beatsAll[x] += v;
      }
      for (let q = s; q < e; q++) {
        const y = pool[q] >= 0 ? pool[q] : ~pool[q];
        if (rankOf[y] > rx) {
          d[row + y] += v;
        }
        if (implicit) {
          d[row + y] -= v;
        }
      }
    }
  }
  if (implicit) {
    for (const x of active) {
      for (const y of active) {
        d[x * n + y] += beatsAll[x];
      }
    }
  }

  // Link strengths as fractions [num, den] (den 0 = infinite; [0, 1] = no link).
  const pn = new Array<number>(n * n).fill(0);
  const pd = new Array<number>(n * n).fill(1);
  for (const x of active) {
    for (const y of active) {
      if (x === y) {
        continue;
      }
      const xy = d[x * n + y];
      const yx = d[y * n + x];
      if (xy > yx) {
        if (strength === 'winning') {
          pn[x * n + y] = xy;
        } else if (strength === 'margin') {
          pn[x * n + y] = xy - yx;
        } else {
          pn[x * n + y] = xy;
          pd[x * n + y] = yx;
        }
      }
    }
  }
  const less = (an: number, ad: number, bn: number, bd: number): boolean =>
    BigInt(an) * BigInt(bd) < BigInt(bn) * BigInt(ad);
  const lessFast =
    strength === 'ratio' ? less : (an: number, _ad: number, bn: number): boolean => an < bn;
  for (const i of active) {
    for (const j of active) {
      if (i === j) {
        continue;
      }
      const ji = j * n + i;
      for (const k of active) {
        if (k === i || k === j) {
          continue;
        }
        const ik = i * n + k;
        const jk = j * n + k;
        // min(p[j][i], p[i][k])
        const useJi = lessFast(pn[ji], pd[ji], pn[ik], pd[ik]);
        const mn = useJi ? pn[ji] : pn[ik];
        const md = useJi ? pd[ji] : pd[ik];
        if (lessFast(pn[jk], pd[jk], mn, md)) {
          pn[jk] = mn;
          pd[jk] = md;
        }
      }
    }
  }

  const beats = (x: number, y: number): boolean =>
    lessFast(pn[y * n + x], pd[y * n + x], pn[x * n + y], pd[x * n + y]);
  // Schulze's order: the winners are the candidates nobody beats; remove them and repeat.
  // (Counting wins would be wrong: "not beaten" is not transitive, so equal counts can hide
  // a candidate that is beaten.)
  const ranking: number[][] = [];
  let remaining = [...active];
  while (remaining.length > 0) {
    const top = remaining.filter((x) => !remaining.some((y) => y !== x && beats(y, x)));
    ranking.push(top);
    remaining = remaining.filter((x) => !top.includes(x));
  }

  const ties = new TieBreaker(input.seed, c.ids, config.lotOrder);
  const sel = fillSeats(ranking, seats, ties, [], 'winners');
  const result = emptyResult('schulze', statsOf(groups));
  result.winners = sel.winners.map((i) => c.ids[i]);
  result.ranking = ranking.map((g) => g.map((i) => c.ids[i]));
  if (sel.unresolvedTie) {
    result.unresolvedTie = {
      seats: sel.unresolvedTie.seats,
      between: sel.unresolvedTie.between.map((i) => c.ids[i]),
    };
  }
  const condorcet = active.find((x) => active.every((y) => y === x || d[x * n + y] > d[y * n + x]));
  const pairwise: Record<string, Record<string, string>> = {};
  const paths: Record<string, Record<string, string>> = {};
  for (const x of active) {
    pairwise[c.ids[x]] = {};
    paths[c.ids[x]] = {};
    for (const y of active) {
      if (x === y) {
        continue;
      }
      pairwise[c.ids[x]][c.ids[y]] = units.toText(d[x * n + y]);
      const num = pn[x * n + y];
      const den = pd[x * n + y];
      paths[c.ids[x]][c.ids[y]] =
        den === 0
          ? 'infinity'
          : strength === 'ratio'
            ? Rational.of(num, den).toString()
            : units.toText(num);
    }
  }
  result.ties = ties.reports;
  result.details = {
    seats,
    strength,
    implicitRanking: implicit,
    condorcetWinner: condorcet === undefined ? null : c.ids[condorcet],
    pairwise,
    strongestPaths: paths,
  };
  return result;
}
