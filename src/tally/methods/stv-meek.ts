import { formatScaled } from '../arith/rational';
import { TallyInputError } from '../errors';
import { CandidateIndex, checkSeats } from '../prepare';
import { prepareRanked } from '../ranked';
import { emptyResult, recordOf, statsOf } from '../result';
import { TieBreaker } from '../ties';
import type { Round, StvConfig, TallyInput, TallyResult } from '../types';
import { ELECTED, EXCLUDED, HOPEFUL, MeekTree } from './meek-trie';

/**
 * Meek STV (Hill, Wichmann & Woodall 1987; as in the PR Foundation reference rule).
 *
 * Every candidate has a keep factor k (1 hopeful, 0 excluded). A ballot of value w gives each
 * candidate in rank order w·k (truncated) and passes on the rest; equal-ranked candidates share
 * the value equally. Quota = (votes − excess)/(seats + 1), truncated, plus one unit of the last
 * place. Elected candidates' k are lowered to k·quota/votes (rounded up) until the total surplus
 * is below omega. With no new election the lowest hopeful is excluded (or, with `safe` batches,
 * every candidate who cannot catch up even with all surpluses). Ties go to lot: Meek's totals
 * already reflect every preference, so there is no earlier-stage rule.
 *
 * Arithmetic: fixed point with `precision` decimals (default 9) plus optional `guard` decimals
 * that are carried but ignored when comparing candidates. Up to 9 decimals in total the hot walk
 * runs on doubles with exact integer products; beyond that in bigint. Both give identical results.
 */
export function tallyMeek(input: TallyInput): TallyResult {
  const config = input.config as StvConfig;
  const c = new CandidateIndex(input.candidates, 'stv');
  const seats = checkSeats(config.seats, 1);
  const precision = config.precision ?? 9;
  const guard = config.guard ?? 0;
  const omegaDigits = config.omega ?? 6;
  if (
    ![precision, guard, omegaDigits].every((x) => Number.isInteger(x) && x >= 0 && x <= 40) ||
    precision < 1
  ) {
    throw new TallyInputError(
      'Meek precision, guard and omega must be small non-negative integers',
    );
  }
  const groups = prepareRanked(input.ballots, c, { ...config, equalRanks: true });
  const n = c.size;
  const digits = precision + guard;
  const S = 10n ** BigInt(digits);
  const G = 10n ** BigInt(guard);
  const omega = digits >= omegaDigits ? 10n ** BigInt(digits - omegaDigits) : 1n;

  const withdrawn = new Set((config.withdrawn ?? []).map((w) => c.of(w)!));
  const state = new Uint8Array(n);
  const keep: bigint[] = new Array<bigint>(n).fill(S);
  withdrawn.forEach((i) => {
    state[i] = EXCLUDED;
    keep[i] = 0n;
  });

  const tree = new MeekTree(groups, state);
  const rootValues = tree.roots.map((r) => (r.weightNum * S) / r.weightDen);
  let totalWeight = 0n;
  // Root i is node i.
  rootValues.forEach((v, i) => (totalWeight += v * BigInt(tree.count[i])));
  // Doubles hold every intermediate exactly only while values stay below 2^53.
  const useNumber =
    digits <= 9 && totalWeight < 2n ** 52n && rootValues.every((v) => v < 2n ** 37n);
  const counted = [...Array(n).keys()].filter((i) => !withdrawn.has(i));
  const votes: bigint[] = new Array<bigint>(n).fill(0n);
  const keepNum = new Float64Array(n);
  const votesNum = new Float64Array(n);
  const rootNum = rootValues.map(Number);

  const distribute = (): bigint => {
    // Ballots waiting at candidates who changed state since the last distribution move on.
    tree.sync(state);
    if (useNumber) {
      for (let i = 0; i < n; i++) {
        keepNum[i] = Number(keep[i]);
      }
      const excess = tree.distributeNumber(keepNum, Number(S), rootNum, votesNum);
      for (let i = 0; i < n; i++) {
        votes[i] = BigInt(votesNum[i]);
      }
      return BigInt(excess);
    }
    return tree.distributeBigint(keep, S, rootValues, votes);
  };

  const ties = new TieBreaker(input.seed, c.ids, config.lotOrder);
  const elected: number[] = [];
  const rounds: Round[] = [];
  // Guard decimals absorb rounding noise: values closer than half a unit of the last compared
  // decimal are equal.
  const near = (a: bigint, b: bigint): boolean =>
    guard === 0 ? a === b : (a > b ? a - b : b - a) * 2n < G;
  const fmt = (v: bigint): string => formatScaled(v / G, precision);
  let quota = 0n;
  let excess = 0n;
  let iterations = 0;
  const hopefuls = (): number[] => counted.filter((i) => state[i] === HOPEFUL);

  const record = (round: number, newlyElected: number[], excluded: number[]): void => {
    const keepFactors: Record<string, string> = {};
    for (const i of elected) {
      keepFactors[c.ids[i]] = fmt(keep[i]);
    }
    rounds.push({
      round,
      votes: recordOf(c.ids, counted, (i) => fmt(votes[i])),
      elected: newlyElected.map((i) => c.ids[i]),
      excluded: excluded.map((i) => c.ids[i]),
      nonTransferable: fmt(excess),
      quota: fmt(quota),
      keepFactors,
      iterations,
    });
  };

  for (let round = 1; elected.length < seats && hopefuls().length > 0; round++) {
    // Iterate keep factors until the surplus is negligible or a hopeful reaches the quota.
    let newly: number[];
    let lastSurplus = -1n;
    iterations = 0;
    for (;;) {
      iterations++;
      excess = distribute();
      let total = 0n;
      for (const i of counted) {
        total += votes[i];
      }
      // Truncated, plus one unit of the last place carried, so the quota is never reached by
      // more than `seats` candidates.
      quota = total / BigInt(seats + 1) + 1n;
      newly = hopefuls().filter((i) => votes[i] >= quota);
      if (newly.length > 0) {
        break;
      }
      let surplus = 0n;
      for (const i of elected) {
        if (votes[i] > quota) {
          surplus += votes[i] - quota;
        }
      }
      if (surplus < omega || (lastSurplus >= 0n && surplus >= lastSurplus) || iterations > 10000) {
        break;
      }
      lastSurplus = surplus;
      for (const i of elected) {
        // Rounded up, so an elected candidate never keeps less than the quota needs.
        if (votes[i] > 0n) {
          keep[i] = (keep[i] * quota + votes[i] - 1n) / votes[i];
        }
      }
    }

    if (newly.length > 0) {
      const ordered = orderDesc(newly, votes, near, ties, `round ${round}: order of election`);
      const taken = ordered.slice(0, seats - elected.length);
      for (const i of taken) {
        state[i] = ELECTED;
        elected.push(i);
      }
      const left = hopefuls();
      if (elected.length < seats && left.length <= seats - elected.length) {
        left.forEach((i) => (state[i] = ELECTED));
        elected.push(...orderDesc(left, votes, near, ties, `round ${round}: last vacancies`));
        taken.push(...left);
      }
      record(round, taken, []);
      continue;
    }

    const left = hopefuls();
    if (left.length <= seats - elected.length) {
      const ordered = orderDesc(left, votes, near, ties, `round ${round}: last vacancies`);
      ordered.forEach((i) => (state[i] = ELECTED));
      elected.push(...ordered);
      record(round, ordered, []);
      break;
    }

    const out = chooseDefeats(
      left,
      votes,
      elected,
      quota,
      seats,
      config.defeatBatch ?? 'safe',
      near,
      ties,
      round,
    );
    for (const i of out) {
      state[i] = EXCLUDED;
      keep[i] = 0n;
    }
    record(round, [], out);
  }

  const result = emptyResult('stv', statsOf(groups));
  result.winners = elected.map((i) => c.ids[i]);
  result.rounds = rounds;
  result.ties = ties.reports;
  result.details = {
    variant: 'meek',
    seats,
    precision,
    guard,
    omega: `1e-${omegaDigits}`,
    arithmetic: useNumber
      ? 'fixed point in doubles (exact integer products)'
      : 'fixed point in bigint',
    quota: fmt(quota),
    defeatBatch: config.defeatBatch ?? 'safe',
  };
  return result;
}

function orderDesc(
  cands: number[],
  votes: bigint[],
  near: (a: bigint, b: bigint) => boolean,
  ties: TieBreaker,
  at: string,
): number[] {
  const sorted = [...cands].sort((a, b) => cmpBig(votes[b], votes[a]) || a - b);
  const out: number[] = [];
  for (let k = 0; k < sorted.length;) {
    let j = k + 1;
    while (j < sorted.length && near(votes[sorted[j]], votes[sorted[k]])) {
      j++;
    }
    const group = sorted.slice(k, j);
    out.push(...(group.length > 1 ? ties.order(at, group, []) : group));
    k = j;
  }
  return out;
}

function chooseDefeats(
  hopefuls: number[],
  votes: bigint[],
  elected: number[],
  quota: bigint,
  seats: number,
  batch: 'none' | 'safe',
  near: (a: bigint, b: bigint) => boolean,
  ties: TieBreaker,
  round: number,
): number[] {
  const sorted = [...hopefuls].sort((a, b) => cmpBig(votes[a], votes[b]) || a - b);
  let surplus = 0n;
  for (const i of elected) {
    if (votes[i] > quota) {
      surplus += votes[i] - quota;
    }
  }
  if (batch === 'safe') {
    // Sure losers: even with every surplus they could not pass the next candidate up.
    let sum = 0n;
    let k = 0;
    const mustKeep = seats - elected.length;
    for (let j = 0; j < sorted.length - 1; j++) {
      sum += votes[sorted[j]];
      if (sorted.length - (j + 1) < mustKeep) {
        break;
      }
      if (sum + surplus < votes[sorted[j + 1]] && !near(sum + surplus, votes[sorted[j + 1]])) {
        k = j + 1;
      }
    }
    if (k > 0) {
      return sorted.slice(0, k);
    }
  }
  // Candidates within the remaining surplus of the lowest could still change places with it,
  // so they count as tied with it (PR Foundation reference rule).
  const low = votes[sorted[0]];
  const tied = sorted.filter((i) => votes[i] - low <= surplus || near(votes[i], low));
  return [ties.pick(`round ${round}: exclusion`, tied, [])];
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
