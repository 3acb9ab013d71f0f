import { formatScaled } from '../arith/rational';
import { TallyInputError } from '../errors';
import { CandidateIndex, checkSeats } from '../prepare';
import { prepareRanked } from '../ranked';
import { emptyResult, recordOf, statsOf } from '../result';
import { historyCriteria, TieBreaker } from '../ties';
import type { Round, StvConfig, TallyInput, TallyResult } from '../types';

/**
 * Scottish STV: the Scottish Local Government Elections Order 2007 (SSI 2007/42), Schedule 1,
 * rules 45–52.
 *
 * - Quota (Droop) = floor(valid first preferences / (seats + 1)) + 1.
 * - Weighted inclusive Gregory: a surplus moves ALL of the elected candidate's papers, each at
 *   surplus × (its value) / (candidate's total), truncated to 5 decimals; the lost remainders
 *   are reported as `residual`. Largest surplus first.
 * - Exclusion moves every paper of the lowest candidate at the value it arrived with, in one stage.
 * - Ties (which surplus first, whom to exclude) go to the most recent earlier stage at which the
 *   tied candidates had unequal votes, then to lot.
 * - A surplus of exactly zero is not a stage. When the continuing candidates are no more than
 *   the vacancies they are all elected.
 *
 * Values are integers in units of 10^-5 votes; they stay exact in doubles (< 2^53) and the one
 * product that could overflow (surplus × paper value) is done in bigint.
 */
const ONE = 100000;

/**
 * Parcels of papers (same ballot, same position, same value), kept in parallel arrays: a
 * million-voter count moves hundreds of thousands of them and objects would burden the heap.
 */
class Parcels {
  group: number[] = [];
  pos: number[] = [];
  /** Value of each paper, in 10^-5 units. */
  value: number[] = [];
  count: number[] = [];
  add(group: number, pos: number, value: number, count: number): number {
    this.group.push(group);
    this.pos.push(pos);
    this.value.push(value);
    this.count.push(count);
    return this.group.length - 1;
  }
}

export function tallyScottish(input: TallyInput): TallyResult {
  const config = input.config as StvConfig;
  const c = new CandidateIndex(input.candidates, 'stv');
  const seats = checkSeats(config.seats, 1);
  const groups = prepareRanked(input.ballots, c, { ...config, equalRanks: false });
  const n = c.size;
  const withdrawn = new Set((config.withdrawn ?? []).map((w) => c.of(w)!));
  // Strict orders (equal ranks were read as overvotes): group k is pool[start[k]..start[k+1]).
  const { pool, start } = groups;
  // A weighted group counts as one parcel holding its exact total weight (count × weight,
  // truncated once), not as `count` papers of a truncated weight each: grouped ballots of
  // different weights then count exactly what they weighed (a weight such as 4/3 has no exact
  // 5-decimal form, but 3 × 4/3 has).
  const parcelValue: number[] = [];
  const parcelCount: number[] = [];
  groups.count.forEach((count, k) => {
    const w = groups.weight?.[k];
    if (!w) {
      parcelValue.push(ONE);
      parcelCount.push(count);
      return;
    }
    const v = Number(w.mulInt(count).toScaled(5));
    if (v <= 0) {
      throw new TallyInputError('a ballot weight is below 0.00001, the precision of Scottish STV');
    }
    parcelValue.push(v);
    parcelCount.push(1);
  });

  const HOPEFUL = 0;
  const ELECTED = 1;
  const EXCLUDED = 2;
  const state = new Uint8Array(n);
  withdrawn.forEach((i) => (state[i] = EXCLUDED));
  const counted = [...Array(n).keys()].filter((i) => !withdrawn.has(i));
  const parcels = new Parcels();
  const piles: number[][] = Array.from({ length: n }, () => []);
  const votes = new Array<number>(n).fill(0);
  let nonTransferable = 0;
  let residual = 0;

  /** Position of the next continuing candidate at or after `from` on ballot k, or -1. */
  const nextContinuing = (k: number, from: number): number => {
    const end = start[k + 1];
    for (let p = from; p < end; p++) {
      if (state[pool[p]] === HOPEFUL) {
        return p;
      }
    }
    return -1;
  };

  let total = 0;
  for (let k = 0; k < groups.size; k++) {
    const p = nextContinuing(k, start[k]);
    const value = parcelValue[k] * parcelCount[k];
    total += value;
    if (p >= 0) {
      piles[pool[p]].push(parcels.add(k, p, parcelValue[k], parcelCount[k]));
      votes[pool[p]] += value;
    } else {
      nonTransferable += value;
    }
  }
  const quota = (Math.floor(total / ONE / (seats + 1)) + 1) * ONE;
  const fmt = (u: number): string => formatScaled(u, 5);

  const ties = new TieBreaker(input.seed, c.ids, config.lotOrder);
  const history: number[][] = [];
  const rounds: Round[] = [];
  const elected: number[] = [];
  const pendingSurplus: number[] = [];

  const hopefuls = (): number[] => counted.filter((i) => state[i] === HOPEFUL);

  /** Elects candidates at or above the quota (highest first) and fills the last vacancies. */
  const electOnTotals = (stage: number, record: Round): void => {
    const reached = hopefuls().filter((i) => votes[i] >= quota);
    const ordered = orderByVotes(
      reached,
      votes,
      ties,
      history,
      `stage ${stage}: order of election`,
    );
    for (const i of ordered) {
      if (elected.length < seats) {
        state[i] = ELECTED;
        elected.push(i);
        record.elected.push(c.ids[i]);
        if (votes[i] > quota) {
          pendingSurplus.push(i);
        }
      }
    }
    const left = hopefuls();
    if (elected.length < seats && left.length <= seats - elected.length) {
      const ordered2 = orderByVotes(left, votes, ties, history, `stage ${stage}: last vacancies`);
      for (const i of ordered2) {
        state[i] = ELECTED;
        elected.push(i);
        record.elected.push(c.ids[i]);
      }
    }
  };

  const newRecord = (stage: number, transfer?: Round['transfer']): Round => {
    history.push([...votes]);
    const record: Round = {
      round: stage,
      votes: recordOf(c.ids, counted, (i) => fmt(votes[i])),
      elected: [],
      excluded: [],
      nonTransferable: fmt(nonTransferable),
      residual: fmt(residual),
      quota: fmt(quota),
    };
    if (transfer) {
      record.transfer = transfer;
    }
    rounds.push(record);
    return record;
  };

  let stage = 1;
  let record = newRecord(stage);
  electOnTotals(stage, record);

  while (elected.length < seats && (pendingSurplus.length > 0 || hopefuls().length > 0)) {
    // Rule 48: transfer the largest pending surplus first.
    const withSurplus = pendingSurplus.filter((i) => votes[i] > quota);
    pendingSurplus.length = 0;
    pendingSurplus.push(...withSurplus);
    if (pendingSurplus.length > 0) {
      const largest = Math.max(...pendingSurplus.map((i) => votes[i]));
      const tied = pendingSurplus.filter((i) => votes[i] === largest);
      const from = ties.pick(
        `stage ${stage}: order of surpluses`,
        tied,
        historyCriteria(history.slice(0, -1), 'high'),
      );
      pendingSurplus.splice(pendingSurplus.indexOf(from), 1);
      const surplus = votes[from] - quota;
      const totalFrom = votes[from];
      const pile = piles[from];
      piles[from] = [];
      let moved = 0;
      let lost = 0;
      const values = new Set<number>();
      // One transfer value per distinct paper value (usually one or a few).
      const tvOf = new Map<number, number>();
      for (const id of pile) {
        const value = parcels.value[id];
        let tv = tvOf.get(value);
        if (tv === undefined) {
          tv = Number((BigInt(surplus) * BigInt(value)) / BigInt(totalFrom));
          tvOf.set(value, tv);
          values.add(tv);
        }
        const group = parcels.group[id];
        const p = nextContinuing(group, parcels.pos[id] + 1);
        const amount = tv * parcels.count[id];
        if (p >= 0) {
          piles[pool[p]].push(parcels.add(group, p, tv, parcels.count[id]));
          votes[pool[p]] += amount;
          moved += amount;
        } else {
          lost += amount;
        }
      }
      nonTransferable += lost;
      residual += surplus - moved - lost;
      votes[from] = quota;
      stage++;
      record = newRecord(stage, {
        kind: 'surplus',
        from: [c.ids[from]],
        amount: fmt(surplus),
        values: [...values].sort((a, b) => b - a).map(fmt),
      });
      electOnTotals(stage, record);
      continue;
    }

    // Rule 50: exclude the lowest continuing candidate.
    const left = hopefuls();
    const low = Math.min(...left.map((i) => votes[i]));
    const tied = left.filter((i) => votes[i] === low);
    const out = ties.pick(
      `stage ${stage}: exclusion`,
      tied,
      historyCriteria(history.slice(0, -1), 'low'),
    );
    record.excluded.push(c.ids[out]);
    state[out] = EXCLUDED;
    const pile = piles[out];
    piles[out] = [];
    for (const id of pile) {
      const group = parcels.group[id];
      const p = nextContinuing(group, parcels.pos[id] + 1);
      const amount = parcels.value[id] * parcels.count[id];
      if (p >= 0) {
        // Excluded papers move at the value they arrived with; the parcel is reused.
        parcels.pos[id] = p;
        piles[pool[p]].push(id);
        votes[pool[p]] += amount;
      } else {
        nonTransferable += amount;
      }
    }
    votes[out] = 0;
    stage++;
    record = newRecord(stage, { kind: 'exclusion', from: [c.ids[out]] });
    electOnTotals(stage, record);
  }

  // Candidates still continuing when the seats are filled are excluded on the final totals.
  for (const i of hopefuls()) {
    state[i] = EXCLUDED;
    record.excluded.push(c.ids[i]);
  }
  const result = emptyResult('stv', statsOf(groups));
  result.winners = elected.map((i) => c.ids[i]);
  result.rounds = rounds;
  result.ties = ties.reports;
  result.details = {
    variant: 'scottish',
    seats,
    quota: fmt(quota),
    decimals: 5,
    nonTransferable: fmt(nonTransferable),
    residual: fmt(residual),
  };
  return result;
}

function orderByVotes(
  cands: number[],
  votes: readonly number[],
  ties: TieBreaker,
  history: number[][],
  at: string,
): number[] {
  const sorted = [...cands].sort((a, b) => votes[b] - votes[a] || a - b);
  const out: number[] = [];
  for (let k = 0; k < sorted.length;) {
    let j = k;
    while (j < sorted.length && votes[sorted[j]] === votes[sorted[k]]) {
      j++;
    }
    const group = sorted.slice(k, j);
    out.push(
      ...(group.length > 1
        ? ties.order(at, group, historyCriteria(history.slice(0, -1), 'high'))
        : group),
    );
    k = j;
  }
  return out;
}
