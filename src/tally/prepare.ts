import { Rational } from './arith/rational';
import { TallyInputError } from './errors';
import type {
  ApprovalBallot,
  Ballot,
  Method,
  MethodConfig,
  PluralityBallot,
  RankedBallot,
  RankedBallotRules,
  YesNoBallot,
} from './types';

/**
 * Turning raw ballots into counted groups. Identical ballots (same content, same weight) are
 * grouped before anything else, so each rule is checked once per distinct ballot and the
 * methods' cost grows with distinct ballots, not voters. Nothing downstream depends on the
 * order of groups: all sums are exact, and every choice goes through the tie rules.
 */

export interface Group<T> {
  key: string;
  /** Number of ballots. */
  count: number;
  /** Weight of each ballot; null means 1 (kept apart so unweighted counts stay integers). */
  weight: Rational | null;
  ballot: T;
}

export interface Prepared<T> {
  groups: Group<T>[];
  ballots: number;
  valid: number;
  invalid: number;
  blank: number;
  invalidReasons: Record<string, number>;
  /** Sum of weights over valid ballots, when any ballot carried a weight. */
  validWeight: Rational | null;
}

export type Normalised<T> =
  { kind: 'valid'; value: T } | { kind: 'blank' } | { kind: 'invalid'; reason: string };

export function parseWeight(weight: unknown): Rational | string {
  if (weight === undefined || weight === null) {
    return Rational.ONE;
  }
  if (typeof weight !== 'number' && typeof weight !== 'string') {
    return 'weight is not a number';
  }
  if (typeof weight === 'number' && !Number.isFinite(weight)) {
    return 'weight is not a number';
  }
  let w: Rational;
  try {
    w = Rational.from(weight);
  } catch {
    return 'weight is not a number';
  }
  return w.sign() > 0 ? w : 'weight is not positive';
}

export function parseCount(count: unknown): number {
  if (count === undefined) {
    return 1;
  }
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
    throw new TallyInputError(
      `ballot count must be a non-negative integer, got ${JSON.stringify(count)}`,
    );
  }
  return count;
}

/**
 * Groups ballots. `keyOf` must be cheap and injective on content; `normalise` runs once per
 * distinct key and applies the method's rules.
 */
export function prepare<T>(
  ballots: readonly Ballot[],
  keyOf: (b: Ballot) => string,
  normalise: (b: Ballot) => Normalised<T>,
): Prepared<T> {
  // Parallel arrays rather than an object per distinct ballot: a million ballots already fill
  // the heap, and every extra object makes the collector's job longer.
  const byKey = new Map<string, number>();
  const keys: string[] = [];
  const counts: number[] = [];
  const weights: (Rational | null)[] = [];
  const samples: Ballot[] = [];
  for (const b of ballots) {
    if (b === null || typeof b !== 'object') {
      throw new TallyInputError('a ballot is not an object');
    }
    const count = b.count === undefined ? 1 : parseCount(b.count);
    let key = keyOf(b);
    let weight: Rational | null = null;
    if (b.weight !== undefined) {
      const w = parseWeight(b.weight);
      if (typeof w === 'string') {
        key = `\u0002${w}`;
      } else if (!w.eq(Rational.ONE)) {
        weight = w;
        key += `\u0001${w.num}/${w.den}`;
      }
    }
    const at = byKey.get(key);
    if (at === undefined) {
      byKey.set(key, keys.length);
      keys.push(key);
      counts.push(count);
      weights.push(weight);
      samples.push(b);
    } else {
      counts[at] += count;
    }
  }
  // Groups stay in first-seen order: every method sums group values exactly (integers or
  // rationals), so the order of groups cannot change any result.

  const out: Prepared<T> = {
    groups: [],
    ballots: 0,
    valid: 0,
    invalid: 0,
    blank: 0,
    invalidReasons: {},
    validWeight: null,
  };
  let weighted = Rational.ZERO;
  let unweighted = 0;
  let anyWeight = false;
  for (let k = 0; k < keys.length; k++) {
    const count = counts[k];
    out.ballots += count;
    if (count === 0) {
      continue;
    }
    if (keys[k].startsWith('\u0002')) {
      addInvalid(out, keys[k].slice(1), count);
      continue;
    }
    const n = normalise(samples[k]);
    if (n.kind === 'invalid') {
      addInvalid(out, n.reason, count);
    } else if (n.kind === 'blank') {
      out.blank += count;
    } else {
      out.valid += count;
      const w = weights[k];
      if (w) {
        anyWeight = true;
        weighted = weighted.add(w.mulInt(count));
      } else {
        unweighted += count;
      }
      out.groups.push({ key: keys[k], count, weight: w, ballot: n.value });
    }
  }
  out.validWeight = anyWeight ? weighted.add(Rational.of(unweighted)) : null;
  return out;
}

function addInvalid(out: Prepared<unknown>, reason: string, count: number): void {
  out.invalid += count;
  out.invalidReasons[reason] = (out.invalidReasons[reason] ?? 0) + count;
}

/** Value of a group: count × weight. */
export function groupValue(g: Group<unknown>): Rational {
  return g.weight ? g.weight.mulInt(g.count) : Rational.of(g.count);
}

export class CandidateIndex {
  readonly ids: readonly string[];
  private readonly index = new Map<string, number>();

  constructor(candidates: readonly string[], method: Method) {
    if (!Array.isArray(candidates)) {
      throw new TallyInputError('candidates must be a list of ids');
    }
    if (method !== 'yes_no' && candidates.length === 0) {
      throw new TallyInputError('the contest has no candidates');
    }
    candidates.forEach((c, i) => {
      if (typeof c !== 'string' || c === '') {
        throw new TallyInputError('a candidate id is not a non-empty string');
      }
      if (this.index.has(c)) {
        throw new TallyInputError(`candidate "${c}" is listed twice`);
      }
      this.index.set(c, i);
    });
    this.ids = candidates;
  }

  get size(): number {
    return this.ids.length;
  }

  of(id: string): number | undefined {
    return this.index.get(id);
  }

  /** Key fragment for one id: a single character for a known candidate. */
  code(id: unknown): string {
    const i = typeof id === 'string' ? this.index.get(id) : undefined;
    return i === undefined ? `\uffff${String(id)}\ufffe` : String.fromCharCode(i + 3);
  }
}

// ---------- yes / no ----------

const YES_NO = new Set(['yes', 'no', 'abstain', 'blank', 'invalid']);
export function yesNoKey(b: Ballot): string {
  return String((b as YesNoBallot).choice);
}
export function normaliseYesNo(b: Ballot): Normalised<YesNoBallot['choice']> {
  const choice = (b as YesNoBallot).choice;
  if (typeof choice !== 'string' || !YES_NO.has(choice)) {
    return { kind: 'invalid', reason: 'unknown choice' };
  }
  // Abstentions and blanks are kept as valid groups so the threshold rule can see them.
  return { kind: 'valid', value: choice };
}

// ---------- plurality ----------

export function pluralityMarks(b: Ballot): unknown[] | null {
  const p = b as PluralityBallot;
  if (Array.isArray(p.marks)) {
    return p.marks;
  }
  if (p.choice === null || p.choice === undefined || p.choice === '') {
    return p.choice === undefined && !('choice' in p) ? null : [];
  }
  return [p.choice];
}
export function pluralityKey(c: CandidateIndex): (b: Ballot) => string {
  return (b) => {
    const marks = pluralityMarks(b);
    if (marks === null) {
      return '\u0003';
    }
    return marks
      .map((m) => c.code(m))
      .sort()
      .join('');
  };
}
export function normalisePlurality(
  c: CandidateIndex,
  split: boolean,
): (b: Ballot) => Normalised<number[]> {
  return (b) => {
    const marks = pluralityMarks(b);
    if (marks === null) {
      return { kind: 'invalid', reason: 'no choice field' };
    }
    const idx = resolveAll(c, marks);
    if (typeof idx === 'string') {
      return { kind: 'invalid', reason: idx };
    }
    if (idx.length === 0) {
      return { kind: 'blank' };
    }
    if (idx.length > 1 && !split) {
      return { kind: 'invalid', reason: 'too many marks' };
    }
    return { kind: 'valid', value: idx.sort((x, y) => x - y) };
  };
}

// ---------- approval / block ----------

export function approvalKey(c: CandidateIndex): (b: Ballot) => string {
  return (b) => {
    const a = (b as ApprovalBallot).approve;
    return Array.isArray(a)
      ? a
          .map((m) => c.code(m))
          .sort()
          .join('')
      : '\u0003';
  };
}
export function normaliseApproval(
  c: CandidateIndex,
  max: number | undefined,
): (b: Ballot) => Normalised<number[]> {
  return (b) => {
    const a = (b as ApprovalBallot).approve;
    if (!Array.isArray(a)) {
      return { kind: 'invalid', reason: 'no approve list' };
    }
    const idx = resolveAll(c, a);
    if (typeof idx === 'string') {
      return { kind: 'invalid', reason: idx };
    }
    if (idx.length === 0) {
      return { kind: 'blank' };
    }
    if (max !== undefined && idx.length > max) {
      return { kind: 'invalid', reason: 'too many marks' };
    }
    return { kind: 'valid', value: idx.sort((x, y) => x - y) };
  };
}

function resolveAll(c: CandidateIndex, ids: readonly unknown[]): number[] | string {
  const seen = new Set<number>();
  for (const id of ids) {
    const i = typeof id === 'string' ? c.of(id) : undefined;
    if (i === undefined) {
      return 'unknown candidate';
    }
    if (seen.has(i)) {
      return 'duplicate mark';
    }
    seen.add(i);
  }
  return [...seen];
}

// ---------- ranked ----------

/**
 * A ranking in flat form: candidate indices best first; an entry written `~i` (negative) is
 * ranked equal with the entry before it. Flat typed arrays keep a million ballots cheap.
 */
export type FlatRanking = readonly number[];

/** Splits a flat ranking into rank groups (for code that is not on a hot path). */
export function rankGroups(flat: FlatRanking): number[][] {
  const out: number[][] = [];
  for (const e of flat) {
    if (e < 0) {
      out[out.length - 1].push(~e);
    } else {
      out.push([e]);
    }
  }
  return out;
}

export function rankedKey(c: CandidateIndex): (b: Ballot) => string {
  const codes: number[] = [];
  return (b) => {
    const ranking = (b as RankedBallot).ranking;
    if (!Array.isArray(ranking)) {
      return '\u0003';
    }
    codes.length = 0;
    let slow = false;
    for (const rank of ranking) {
      if (!Array.isArray(rank) || rank.length !== 1) {
        slow = true;
        break;
      }
      const i = typeof rank[0] === 'string' ? c.of(rank[0]) : undefined;
      if (i === undefined) {
        slow = true;
        break;
      }
      codes.push(i + 8);
    }
    if (!slow) {
      return String.fromCharCode.apply(null, codes);
    }
    // Rare shapes (equal ranks, skipped ranks, unknown ids) get a longer but still injective key.
    let key = '\u0001';
    for (const rank of ranking) {
      if (!Array.isArray(rank)) {
        key += '\uffff\ufffe\u0000';
        continue;
      }
      key += rank
        .map((id) => c.code(id))
        .sort()
        .join('');
      key += '\u0000';
    }
    return key;
  };
}

export interface RankedReading extends RankedBallotRules {
  /** Equal ranks allowed (Meek, Schulze, Borda); otherwise an equal rank is an overvote. */
  equalRanks: boolean;
  /**
   * An overvote at the first rank: `invalid` (a paper without a clear first preference is
   * rejected, as under the Scottish rules) or `exhaust` (counted, exhausted from the start:
   * the US ranked-choice practice).
   */
  firstOvervote?: 'invalid' | 'exhaust';
}

/**
 * Reads a ranking into a flat ranking of candidate indices, applying the method's rules.
 * A ballot that stops being usable part-way (overvote, too many skipped ranks) keeps the
 * preferences before that point: it exhausts there, as a paper does at an ambiguous mark.
 */
export function normaliseRanked(
  c: CandidateIndex,
  rules: RankedReading,
): (b: Ballot) => Normalised<FlatRanking> {
  const withdrawn = new Uint8Array(c.size);
  for (const w of rules.withdrawn ?? []) {
    const i = c.of(w);
    if (i === undefined) {
      throw new TallyInputError(`withdrawn candidate "${w}" is not a candidate`);
    }
    withdrawn[i] = 1;
  }
  const duplicate = rules.duplicate ?? 'invalid';
  // `seen[i] === stamp` marks candidates already ranked on the current ballot (no clearing).
  const seen = new Uint32Array(c.size);
  let stamp = 0;
  const out: number[] = [];
  const group: number[] = [];
  return (b) => {
    const ranking = (b as RankedBallot).ranking;
    if (!Array.isArray(ranking)) {
      return { kind: 'invalid', reason: 'no ranking' };
    }
    let marked = 0;
    for (const rank of ranking) {
      if (!Array.isArray(rank)) {
        return { kind: 'invalid', reason: 'a rank is not a list' };
      }
      for (const id of rank) {
        if (typeof id !== 'string' || c.of(id) === undefined) {
          return { kind: 'invalid', reason: 'unknown candidate' };
        }
        marked++;
      }
    }
    if (marked === 0) {
      return { kind: 'blank' };
    }
    stamp++;
    out.length = 0;
    let skipped = 0;
    let ranks = 0;
    for (const rank of ranking) {
      if (rank.length === 0) {
        skipped++;
        if (rules.maxSkippedRanks !== undefined && skipped > rules.maxSkippedRanks) {
          break;
        }
        continue;
      }
      skipped = 0;
      group.length = 0;
      let stop = false;
      for (const id of rank) {
        const i = c.of(id)!;
        if (withdrawn[i] === 1) {
          continue;
        }
        if (seen[i] === stamp || group.includes(i)) {
          if (duplicate === 'invalid') {
            return { kind: 'invalid', reason: 'duplicate rank' };
          }
          if (duplicate === 'exhaust') {
            stop = true;
            break;
          }
          continue;
        }
        group.push(i);
      }
      if (stop) {
        break;
      }
      if (group.length === 0) {
        continue;
      }
      if (group.length > 1 && !rules.equalRanks) {
        if ((rules.overvote ?? 'exhaust') === 'skip') {
          group.forEach((i) => (seen[i] = stamp));
          continue;
        }
        if (ranks === 0 && rules.firstOvervote !== 'exhaust') {
          return { kind: 'invalid', reason: 'overvote at first preference' };
        }
        break;
      }
      if (group.length > 1) {
        group.sort((x, y) => x - y);
      }
      group.forEach((i, k) => {
        seen[i] = stamp;
        out.push(k === 0 ? i : ~i);
      });
      ranks++;
    }
    return { kind: 'valid', value: out.slice() };
  };
}

export function checkSeats(seats: unknown, fallback: number): number {
  const s = seats === undefined ? fallback : seats;
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 1) {
    throw new TallyInputError(`seats must be a positive integer, got ${String(seats)}`);
  }
  return s;
}

export type { MethodConfig };
