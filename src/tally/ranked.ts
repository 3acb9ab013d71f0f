import { Rational } from './arith/rational';
import { TallyInputError } from './errors';
import {
  CandidateIndex,
  normaliseRanked,
  parseCount,
  parseWeight,
  rankedKey,
  type RankedReading,
} from './prepare';
import type { Ballot, RankedBallot } from './types';

/**
 * Grouping of ranked ballots, built for a million voters. Every distinct ranking lives in one
 * shared Int32Array pool (entry `~i` = ranked equal with the previous entry), found through an
 * open-addressing hash table over candidate indices: the common ballot (one candidate per rank,
 * no weight) is grouped without allocating anything. Other shapes go through the general
 * reader and a string key. Group order is first-seen; every method sums exactly, so the order
 * of groups cannot change a result.
 */
export interface RankedGroups {
  size: number;
  /** Flat rankings of all groups. */
  pool: Int32Array;
  /** Group k occupies pool[start[k] .. start[k + 1]). */
  start: Int32Array;
  count: number[];
  /** Per-group ballot weight; null entries (or a null list) mean 1. */
  weight: (Rational | null)[] | null;
  ballots: number;
  valid: number;
  invalid: number;
  blank: number;
  invalidReasons: Record<string, number>;
  validWeight: Rational | null;
}

class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

export function prepareRanked(
  ballots: readonly Ballot[],
  c: CandidateIndex,
  rules: RankedReading,
): RankedGroups {
  const n = c.size;
  const withdrawn = new Uint8Array(n);
  for (const w of rules.withdrawn ?? []) {
    const i = c.of(w);
    if (i === undefined) {
      throw new TallyInputError(`withdrawn candidate "${w}" is not a candidate`);
    }
    withdrawn[i] = 1;
  }
  const duplicate = rules.duplicate ?? 'invalid';

  // Raw (as cast) distinct rankings of the fast path, before the rules are applied.
  // Sized for the common case up front: regrowing large buffers costs full-heap collections.
  const rawPool = new IntList(Math.max(1 << 12, ballots.length * 3));
  const rawStart = new IntList(Math.max(1 << 12, (ballots.length >> 1) + 1));
  rawStart.push(0);
  const rawCount: number[] = [];
  let table = new Int32Array(1 << 12).fill(-1);
  let mask = table.length - 1;
  const hashes: number[] = [];
  const scratch = new Int32Array(Math.max(16, n + 1));

  const slowKey = rankedKey(c);
  const slowIndex = new Map<string, number>();
  const slowSamples: Ballot[] = [];
  const slowCounts: number[] = [];
  const slowWeights: (Rational | null)[] = [];
  let invalidByWeight: Record<string, number> = {};
  let ballotsTotal = 0;

  const grow = (): void => {
    table = new Int32Array(table.length * 2).fill(-1);
    mask = table.length - 1;
    for (let g = 0; g < hashes.length; g++) {
      let slot = hashes[g] & mask;
      while (table[slot] >= 0) {
        slot = (slot + 1) & mask;
      }
      table[slot] = g;
    }
  };

  for (const b of ballots) {
    if (b === null || typeof b !== 'object') {
      throw new TallyInputError('a ballot is not an object');
    }
    const count = b.count === undefined ? 1 : parseCount(b.count);
    ballotsTotal += count;
    const ranking = (b as RankedBallot).ranking;
    let len = -1;
    if (b.weight === undefined && Array.isArray(ranking) && ranking.length <= n) {
      len = 0;
      for (const rank of ranking) {
        const i =
          Array.isArray(rank) && rank.length === 1 && typeof rank[0] === 'string'
            ? c.of(rank[0])
            : undefined;
        if (i === undefined) {
          len = -1;
          break;
        }
        scratch[len++] = i;
      }
    }
    if (len < 0) {
      // General path: weights, equal or empty ranks, unknown ids, malformed input.
      let weight: Rational | null = null;
      let key = slowKey(b);
      if (b.weight !== undefined) {
        const w = parseWeight(b.weight);
        if (typeof w === 'string') {
          invalidByWeight = { ...invalidByWeight, [w]: (invalidByWeight[w] ?? 0) + count };
          continue;
        }
        if (!w.eq(Rational.ONE)) {
          weight = w;
          key += `\u0001${w.num}/${w.den}`;
        }
      }
      const at = slowIndex.get(key);
      if (at === undefined) {
        slowIndex.set(key, slowSamples.length);
        slowSamples.push(b);
        slowCounts.push(count);
        slowWeights.push(weight);
      } else {
        slowCounts[at] += count;
      }
      continue;
    }
    // FNV-1a over the candidate indices.
    let h = 0x811c9dc5 ^ len;
    for (let p = 0; p < len; p++) {
      h = Math.imul(h ^ scratch[p], 0x01000193);
    }
    let slot = h & mask;
    for (;;) {
      const g = table[slot];
      if (g < 0) {
        const id = rawCount.length;
        table[slot] = id;
        hashes.push(h);
        rawCount.push(count);
        for (let p = 0; p < len; p++) {
          rawPool.push(scratch[p]);
        }
        rawStart.push(rawPool.length);
        if (rawCount.length * 2 > table.length) {
          grow();
        }
        break;
      }
      const s = rawStart.data[g];
      if (hashes[g] === h && rawStart.data[g + 1] - s === len) {
        let same = true;
        for (let p = 0; p < len; p++) {
          if (rawPool.data[s + p] !== scratch[p]) {
            same = false;
            break;
          }
        }
        if (same) {
          rawCount[g] += count;
          break;
        }
      }
      slot = (slot + 1) & mask;
    }
  }

  // Apply the rules once per distinct ranking.
  const pool = new IntList(rawPool.length + 16);
  const start = new IntList(rawCount.length + slowCounts.length + 1);
  start.push(0);
  const count: number[] = [];
  const weight: (Rational | null)[] = [];
  const out: RankedGroups = {
    size: 0,
    pool: pool.data,
    start: start.data,
    count,
    weight: null,
    ballots: ballotsTotal,
    valid: 0,
    invalid: 0,
    blank: 0,
    invalidReasons: {},
    validWeight: null,
  };
  const addInvalid = (reason: string, k: number): void => {
    out.invalid += k;
    out.invalidReasons[reason] = (out.invalidReasons[reason] ?? 0) + k;
  };
  for (const [reason, k] of Object.entries(invalidByWeight)) {
    addInvalid(reason, k);
  }
  const seen = new Uint32Array(n);
  let stamp = 0;
  for (let g = 0; g < rawCount.length; g++) {
    const k = rawCount[g];
    if (k === 0) {
      continue;
    }
    const s = rawStart.data[g];
    const e = rawStart.data[g + 1];
    if (s === e) {
      out.blank += k;
      continue;
    }
    stamp++;
    const mark = pool.length;
    let bad = false;
    for (let p = s; p < e; p++) {
      const i = rawPool.data[p];
      if (withdrawn[i] === 1) {
        continue;
      }
      if (seen[i] === stamp) {
        if (duplicate === 'invalid') {
          bad = true;
          break;
        }
        if (duplicate === 'exhaust') {
          break;
        }
        continue;
      }
      seen[i] = stamp;
      pool.push(i);
    }
    if (bad) {
      pool.length = mark;
      addInvalid('duplicate rank', k);
      continue;
    }
    out.valid += k;
    count.push(k);
    weight.push(null);
    start.push(pool.length);
  }
  const read = normaliseRanked(c, rules);
  let anyWeight = false;
  for (let g = 0; g < slowSamples.length; g++) {
    const k = slowCounts[g];
    if (k === 0) {
      continue;
    }
    const r = read(slowSamples[g]);
    if (r.kind === 'invalid') {
      addInvalid(r.reason, k);
    } else if (r.kind === 'blank') {
      out.blank += k;
    } else {
      out.valid += k;
      for (const v of r.value) {
        pool.push(v);
      }
      count.push(k);
      weight.push(slowWeights[g]);
      start.push(pool.length);
      if (slowWeights[g]) {
        anyWeight = true;
      }
    }
  }
  out.size = count.length;
  out.pool = pool.data;
  out.start = start.data;
  if (anyWeight) {
    out.weight = weight;
    out.validWeight = weightedTotal(count, weight);
  }
  return out;
}

function weightedTotal(count: readonly number[], weight: readonly (Rational | null)[]): Rational {
  let plain = 0;
  let total = Rational.ZERO;
  count.forEach((k, g) => {
    const w = weight[g];
    if (w) {
      total = total.add(w.mulInt(k));
    } else {
      plain += k;
    }
  });
  return total.add(Rational.of(plain));
}

/** Rank groups of one ranking (for code off the hot path). */
export function groupRanks(groups: RankedGroups, g: number): number[][] {
  const out: number[][] = [];
  for (let p = groups.start[g]; p < groups.start[g + 1]; p++) {
    const e = groups.pool[p];
    if (e < 0) {
      out[out.length - 1].push(~e);
    } else {
      out.push([e]);
    }
  }
  return out;
}
