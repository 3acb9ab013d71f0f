import { drawLots } from './arith/prng';
import { Rational } from './arith/rational';
import type { TieReport, TieRule } from './types';

export type TieValue = Rational | number | bigint;

/** One data rule used to separate tied candidates, applied in order before the lot. */
export interface TieCriterion {
  rule: TieRule;
  value: (candidate: number) => TieValue;
  /** Which end wins this decision: the highest value (e.g. elect) or the lowest (exclude). */
  prefer: 'high' | 'low';
}

export function compareValues(a: TieValue, b: TieValue): number {
  if (a instanceof Rational || b instanceof Rational) {
    return Rational.from(a).cmp(Rational.from(b));
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Settles ties: first by the method's data rules, then by lot, and records every tie with the
 * rule that settled it. Never falls back to input order.
 */
export class TieBreaker {
  readonly reports: TieReport[] = [];

  constructor(
    private readonly seed: string,
    private readonly ids: readonly string[],
    private readonly lotOrder?: readonly string[],
  ) {}

  /** Picks one of `tied` (indices). A single candidate is returned without a report. */
  pick(at: string, tied: readonly number[], criteria: readonly TieCriterion[]): number {
    if (tied.length === 1) {
      return tied[0];
    }
    let left = [...tied];
    let rule: TieRule = 'lot';
    for (const c of criteria) {
      let best: TieValue | null = null;
      let keep: number[] = [];
      for (const i of left) {
        const v = c.value(i);
        const cmp = best === null ? 1 : compareValues(v, best) * (c.prefer === 'high' ? 1 : -1);
        if (cmp > 0) {
          best = v;
          keep = [i];
        } else if (cmp === 0) {
          keep.push(i);
        }
      }
      left = keep;
      if (left.length === 1) {
        rule = c.rule;
        break;
      }
    }
    const chosen = left.length === 1 ? left[0] : this.lot(at, left)[0];
    this.reports.push({
      at,
      candidates: this.names(tied),
      rule,
      chosen: [this.ids[chosen]],
    });
    return chosen;
  }

  /**
   * Orders the whole tied set (best first) by repeated picks; one report for the set.
   * Used where a tie decides an order (elected order, ranking places, several seats).
   */
  order(
    at: string,
    tied: readonly number[],
    criteria: readonly TieCriterion[],
    take = tied.length,
  ): number[] {
    if (tied.length <= 1) {
      return [...tied];
    }
    const before = this.reports.length;
    const left = [...tied];
    const out: number[] = [];
    const rules = new Set<TieRule>();
    while (out.length < take && left.length > 0) {
      const i = this.pick(at, left, criteria);
      if (this.reports.length > before) {
        rules.add(this.reports[this.reports.length - 1].rule);
      }
      out.push(i);
      left.splice(left.indexOf(i), 1);
    }
    this.reports.splice(before);
    this.reports.push({
      at,
      candidates: this.names(tied),
      rule: rules.has('lot') ? 'lot' : ([...rules][0] ?? 'lot'),
      chosen: this.names(out),
    });
    return out;
  }

  /** The lot: a fixed order if one was given, otherwise SHA-256 keys from the seed. */
  lot(at: string, tied: readonly number[]): number[] {
    const names = tied.map((i) => this.ids[i]);
    const drawn = drawLots(this.seed, at, names);
    const fixed = this.lotOrder ?? [];
    const rank = (n: string): number => {
      const p = fixed.indexOf(n);
      return p < 0 ? fixed.length + drawn.indexOf(n) : p;
    };
    return [...tied].sort((a, b) => rank(this.ids[a]) - rank(this.ids[b]));
  }

  private names(idx: readonly number[]): string[] {
    return idx.map((i) => this.ids[i]);
  }
}

/** Criteria that look back over earlier rounds, most recent first (STV/IRV rule). */
export function historyCriteria(
  history: readonly (readonly TieValue[])[],
  prefer: 'high' | 'low',
  rule: TieRule = 'earlier_round',
): TieCriterion[] {
  const out: TieCriterion[] = [];
  for (let s = history.length - 1; s >= 0; s--) {
    const stage = history[s];
    out.push({ rule, prefer, value: (i) => stage[i] });
  }
  return out;
}

/** Groups items into tied groups by a comparator (best first). */
export function groupBy<T>(sorted: readonly T[], same: (a: T, b: T) => boolean): T[][] {
  const out: T[][] = [];
  for (const x of sorted) {
    const last = out[out.length - 1];
    if (last && same(last[0], x)) {
      last.push(x);
    } else {
      out.push([x]);
    }
  }
  return out;
}
