import { Rational } from '../arith/rational';
import { TallyInputError } from '../errors';
import { CandidateIndex, checkSeats, parseCount, type Normalised } from '../prepare';
import { emptyResult, recordOf } from '../result';
import { selectByScore } from '../select';
import { TieBreaker, type TieCriterion } from '../ties';
import type {
  Ballot,
  ScoreBallot,
  ScoreConfig,
  TallyInput,
  TallyResult,
  TallyStats,
} from '../types';

/**
 * Jury scoring. Each juror's score for a nominee is the weighted average of the criteria
 * scores. A nominee a juror did not score (a recusal) is left out, never counted as zero.
 * Optional z-score normalisation is per juror over the nominees that juror actually scored,
 * so a recusal does not shift the juror's scale. The nominee's result is the mean, or the
 * trimmed mean (dropping `trim` lowest and highest), of the scores received. Nominees with
 * fewer than `minScores` scores are flagged and left out of the ranking.
 *
 * Exactness: criteria averages and means are exact rationals over integer numerators. A
 * z-score needs a square root; it is computed as y·⌊√⌊m·10^36/T⌋⌋ / 10^9 truncated (9 decimals),
 * where y and T are exact integers, so it is the same on every machine.
 */

export function tallyScore(input: TallyInput): TallyResult {
  const config = input.config as ScoreConfig;
  const c = new CandidateIndex(input.candidates, 'score');
  const seats = checkSeats(config.seats, 1);
  const criteria = config.criteria;
  if (!Array.isArray(criteria) || criteria.length === 0) {
    throw new TallyInputError('score voting needs at least one criterion');
  }
  if (config.aggregate !== 'mean' && config.aggregate !== 'trimmed_mean') {
    throw new TallyInputError(`unknown aggregate "${String(config.aggregate)}"`);
  }
  const trim = config.aggregate === 'trimmed_mean' ? (config.trim ?? 1) : 0;
  const minScores = config.minScores ?? 1;
  const weights = criteria.map((k) => Rational.from(k.weight));
  if (weights.some((w) => w.sign() <= 0)) {
    throw new TallyInputError('criterion weights must be positive');
  }
  // Common denominators: scores are decimals, weights rationals; everything becomes integers.
  const wDen = weights.reduce((acc, w) => lcm(acc, w.den), 1n);
  const wInt = weights.map((w) => (w.num * wDen) / w.den);
  const wSum = wInt.reduce((a, b) => a + b, 0n);

  // Every juror's ballot is distinct, so there is nothing to group: ballots are read directly.
  const stats: TallyStats = {
    ballots: 0,
    valid: 0,
    invalid: 0,
    blank: 0,
    distinct: 0,
    invalidReasons: {},
  };
  const valid: { ballot: ScoreBallot; count: number }[] = [];
  const seenJurors = new Set<string>();
  const criterionIds = new Set(criteria.map((k) => k.id));
  for (const b of input.ballots) {
    const count = parseCount((b as ScoreBallot | null)?.count);
    stats.ballots += count;
    const n = validateScoreBallot(b, c, config, criterionIds);
    if (n.kind === 'invalid') {
      stats.invalid += count;
      stats.invalidReasons[n.reason] = (stats.invalidReasons[n.reason] ?? 0) + count;
      continue;
    }
    if (n.kind === 'blank') {
      stats.blank += count;
      continue;
    }
    if (seenJurors.has(n.value.juror)) {
      throw new TallyInputError(`juror "${n.value.juror}" has more than one ballot`);
    }
    seenJurors.add(n.value.juror);
    stats.valid += count;
    valid.push({ ballot: n.value, count });
  }
  stats.distinct = valid.length;

  // Scores are decimals: scaled by sDen they are small integers, exact in doubles.
  let sDenBig = 1n;
  const critIds = criteria.map((k) => k.id);
  for (const { ballot } of valid) {
    // Validation checked that every key of a nominee's scores is a criterion.
    for (const nominee of Object.keys(ballot.scores)) {
      const per = ballot.scores[nominee];
      for (const id of critIds) {
        const v = per[id];
        if (!Number.isInteger(v)) {
          sDenBig = lcm(sDenBig, ratOf(v).den);
        }
      }
    }
  }
  const sDen = Number(sDenBig);
  const wNum = wInt.map(Number);
  // A juror's score for a nominee = numerator / (wSum · sDen), numerator an exact integer.
  const den = wSum * sDenBig;
  const jurors: { values: Map<number, number>; count: number }[] = [];
  const critSum = criteria.map(() => new Float64Array(c.size));
  const critCount = new Float64Array(c.size);
  const rawTotal = new Float64Array(c.size);
  for (const { ballot, count } of valid) {
    const values = new Map<number, number>();
    for (const nominee of Object.keys(ballot.scores)) {
      const i = c.of(nominee)!;
      const per = ballot.scores[nominee];
      let num = 0;
      for (let j = 0; j < critIds.length; j++) {
        const sInt = Math.round(per[critIds[j]] * sDen);
        num += wNum[j] * sInt;
        critSum[j][i] += sInt * count;
      }
      critCount[i] += count;
      rawTotal[i] += num * count;
      values.set(i, num);
    }
    jurors.push({ values, count });
  }
  if (rawTotal.some((v) => !Number.isSafeInteger(v))) {
    throw new TallyInputError('scores are too large or too fine-grained to total exactly');
  }

  // Per-nominee list of (value, multiplicity) over a shared denominator.
  const SCALE = 10n ** 9n;
  const received: { v: bigint; count: number }[][] = c.ids.map(() => []);
  let valueDen: bigint;
  if (config.normalise === 'zscore') {
    valueDen = SCALE;
    for (const j of jurors) {
      const m = j.values.size;
      let sum = 0;
      j.values.forEach((v) => (sum += v));
      let t = 0n;
      const ys: [number, bigint][] = [];
      j.values.forEach((v, i) => {
        const y = BigInt(m * v - sum);
        ys.push([i, y]);
        t += y * y;
      });
      const r = t === 0n ? 0n : isqrt((BigInt(m) * 10n ** 36n) / t);
      for (const [i, y] of ys) {
        received[i].push({ v: (y * r) / SCALE, count: j.count });
      }
    }
  } else {
    valueDen = den;
    for (const j of jurors) {
      j.values.forEach((v, i) => received[i].push({ v: BigInt(v), count: j.count }));
    }
  }

  const result = emptyResult('score', stats);
  const aggregate: (Rational | null)[] = c.ids.map(() => null);
  const means: (Rational | null)[] = c.ids.map(() => null);
  const flagged: Record<string, string> = {};
  const numScores: number[] = [];
  c.ids.forEach((id, i) => {
    const list = received[i].sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : 0));
    const total = list.reduce((a, e) => a + e.count, 0);
    numScores[i] = total;
    if (total > 0) {
      means[i] = sumOf(list, 0, total).div(Rational.of(BigInt(total) * valueDen));
    }
    if (total < minScores) {
      flagged[id] = `${total} score(s), fewer than the minimum ${minScores}`;
      return;
    }
    if (total <= 2 * trim) {
      flagged[id] = `${total} score(s), too few to drop ${trim} at each end`;
      return;
    }
    aggregate[i] =
      trim === 0
        ? means[i]
        : sumOf(list, trim, total - trim).div(Rational.of(BigInt(total - 2 * trim) * valueDen));
  });

  const ranked = c.ids.map((_, i) => i).filter((i) => aggregate[i] !== null);
  const tieCriteria: TieCriterion[] =
    trim > 0 ? [{ rule: 'countback', prefer: 'high', value: (i) => means[i]! }] : [];
  const ties = new TieBreaker(input.seed, c.ids, config.lotOrder);
  const sel = selectByScore(ranked, (i) => aggregate[i]!, seats, ties, tieCriteria);
  result.winners = sel.winners.map((i) => c.ids[i]);
  result.ranking = sel.ranking.map((grp) => grp.map((i) => c.ids[i]));
  if (sel.unresolvedTie) {
    result.unresolvedTie = {
      seats: sel.unresolvedTie.seats,
      between: sel.unresolvedTie.between.map((i) => c.ids[i]),
    };
  }
  result.rounds = [
    {
      round: 1,
      votes: recordOf(c.ids, ranked, (i) => aggregate[i]!.toString()),
      elected: result.winners,
      excluded: [],
    },
  ];
  result.ties = ties.reports;
  const all = c.ids.map((_, i) => i);
  const perCriterion: Record<string, Record<string, string>> = {};
  criteria.forEach((k, j) => {
    perCriterion[k.id] = recordOf(
      c.ids,
      all.filter((i) => critCount[i] > 0),
      (i) => Rational.of(BigInt(critSum[j][i]), sDenBig * BigInt(critCount[i])).toString(),
    );
  });
  result.details = {
    seats,
    aggregate: config.aggregate,
    trim,
    normalise: config.normalise ?? null,
    minScores,
    scores: recordOf(c.ids, ranked, (i) => aggregate[i]!.toString()),
    means: recordOf(
      c.ids,
      all.filter((i) => means[i] !== null),
      (i) => means[i]!.toString(),
    ),
    totals: recordOf(
      c.ids,
      all.filter((i) => critCount[i] > 0),
      (i) => Rational.of(BigInt(rawTotal[i]), den).toString(),
    ),
    numberOfScores: recordOf(c.ids, all, (i) => String(numScores[i])),
    criterionMeans: perCriterion,
    flagged,
  };
  return result;
}

const ratCache = new Map<number, Rational>();
/** Scores repeat a lot (whole points); parse each distinct value once. */
function ratOf(v: number): Rational {
  let r = ratCache.get(v);
  if (r === undefined) {
    r = Rational.from(v);
    if (ratCache.size < 100000) {
      ratCache.set(v, r);
    }
  }
  return r;
}

function sumOf(list: { v: bigint; count: number }[], from: number, to: number): Rational {
  // Sum of the sorted multiset's elements at positions [from, to).
  let acc = 0n;
  let pos = 0;
  for (const e of list) {
    const lo = Math.max(pos, from);
    const hi = Math.min(pos + e.count, to);
    if (hi > lo) {
      acc += e.v * BigInt(hi - lo);
    }
    pos += e.count;
  }
  return Rational.of(acc);
}

export function validateScoreBallot(
  b: Ballot,
  c: CandidateIndex,
  config: ScoreConfig,
  /** The criterion ids as a set, when many ballots are checked against one config. */
  criterionIds?: ReadonlySet<string>,
): Normalised<ScoreBallot> {
  const s = b as ScoreBallot;
  if (typeof s.juror !== 'string' || s.juror === '') {
    return { kind: 'invalid', reason: 'no juror' };
  }
  if (s.weight !== undefined) {
    return { kind: 'invalid', reason: 'score ballots carry no weight' };
  }
  if (s.scores === null || typeof s.scores !== 'object') {
    return { kind: 'invalid', reason: 'no scores' };
  }
  const nominees = Object.keys(s.scores);
  if (nominees.length === 0) {
    return { kind: 'blank' };
  }
  for (const nominee of nominees) {
    if (c.of(nominee) === undefined) {
      return { kind: 'invalid', reason: 'unknown candidate' };
    }
    const per = s.scores[nominee];
    if (per === null || typeof per !== 'object') {
      return { kind: 'invalid', reason: 'scores of a nominee are not per criterion' };
    }
    for (const key in per) {
      if (
        Object.hasOwn(per, key) &&
        !(criterionIds ? criterionIds.has(key) : config.criteria.some((k) => k.id === key))
      ) {
        return { kind: 'invalid', reason: 'unknown criterion' };
      }
    }
    for (const k of config.criteria) {
      const v = per[k.id];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        return { kind: 'invalid', reason: 'missing criterion score' };
      }
      if (v < k.min || v > k.max) {
        return { kind: 'invalid', reason: 'score out of range' };
      }
    }
  }
  return { kind: 'valid', value: s };
}

function lcm(a: bigint, b: bigint): bigint {
  let x = a;
  let y = b;
  while (y !== 0n) {
    [x, y] = [y, x % y];
  }
  return (a / x) * b;
}

function isqrt(v: bigint): bigint {
  if (v < 2n) {
    return v;
  }
  // Newton's method from above converges to ⌊√v⌋.
  let x = BigInt(Math.ceil(Math.sqrt(Number(v)))) + 1n;
  for (;;) {
    const y = (x + v / x) / 2n;
    if (y >= x) {
      break;
    }
    x = y;
  }
  while (x * x > v) {
    x--;
  }
  return x;
}
