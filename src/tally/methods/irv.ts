import { Rational } from '../arith/rational';
import { TallyInputError } from '../errors';
import { CandidateIndex } from '../prepare';
import { prepareRanked } from '../ranked';
import { emptyResult, recordOf, statsOf } from '../result';
import { historyCriteria, TieBreaker } from '../ties';
import { unitsOf } from '../units';
import type { IrvConfig, Round, TallyInput, TallyResult } from '../types';

/**
 * Instant-runoff voting, single seat. Each round counts every ballot for its highest-ranked
 * continuing candidate; a candidate with more than half of the continuing votes wins, else the
 * lowest is excluded. A tie for lowest goes to the candidate lowest at the most recent earlier
 * round where the tied candidates differed, then to lot.
 *
 * Ballots sit in one pile per candidate, so an exclusion only touches that candidate's pile:
 * work grows with distinct ballots moved, not with voters × rounds.
 */
export function tallyIrv(input: TallyInput): TallyResult {
  const config = input.config as IrvConfig;
  const c = new CandidateIndex(input.candidates, 'irv');
  const groups = prepareRanked(input.ballots, c, {
    ...config,
    equalRanks: false,
    firstOvervote: 'exhaust',
  });
  const units = unitsOf(groups.count, groups.weight);
  const n = c.size;
  // Strict orders (equal ranks were read as overvotes): group k is pool[start[k]..start[k+1]).
  const { pool, start } = groups;
  const withdrawn = new Set((config.withdrawn ?? []).map((w) => c.of(w)!));

  const continuing = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    continuing[i] = withdrawn.has(i) ? 0 : 1;
  }
  if (continuing.every((x) => x === 0)) {
    throw new TallyInputError('every candidate has withdrawn');
  }
  const pos = start.slice(0, groups.size);
  const piles: number[][] = Array.from({ length: n }, () => []);
  const votes = new Array<number>(n).fill(0);
  let exhaustedValue = 0;
  let exhaustedBallots = 0;

  const place = (k: number): void => {
    const end = start[k + 1];
    let p = pos[k];
    while (p < end && continuing[pool[p]] === 0) {
      p++;
    }
    pos[k] = p;
    if (p < end) {
      piles[pool[p]].push(k);
      votes[pool[p]] += units.values[k];
    } else {
      exhaustedValue += units.values[k];
      exhaustedBallots += groups.count[k];
    }
  };
  for (let k = 0; k < groups.size; k++) {
    place(k);
  }

  const ties = new TieBreaker(input.seed, c.ids, config.lotOrder);
  const history: number[][] = [];
  const rounds: Round[] = [];
  const eliminated: { cands: number[]; votes: number[] }[] = [];
  const excludeFirst = (config.excludeFirst ?? []).map((id) => {
    const i = c.of(id);
    if (i === undefined) {
      throw new TallyInputError(`excludeFirst: "${id}" is not a candidate`);
    }
    return i;
  });
  let winner = -1;

  for (let round = 1; ; round++) {
    const alive = [...Array(n).keys()].filter((i) => continuing[i] === 1);
    const total = alive.reduce((s, i) => s + votes[i], 0);
    const record: Round = {
      round,
      votes: recordOf(c.ids, alive, (i) => units.toText(votes[i])),
      elected: [],
      excluded: [],
      exhausted: units.toText(exhaustedValue),
      threshold:
        units.scale === 1n
          ? String(Math.floor(total / 2) + 1)
          : units.toRational(total).div(Rational.of(2)).toString(),
    };
    if (winner >= 0) {
      // After the winner is known the report keeps the winning threshold (RCTab does the same).
      record.threshold = rounds[rounds.length - 1].threshold;
    }
    rounds.push(record);
    history.push([...votes]);

    let out: number[] = [];
    if (winner < 0) {
      const top = alive.filter((i) => votes[i] * 2 > total);
      if (top.length === 1 || alive.length === 1) {
        winner = top.length === 1 ? top[0] : alive[0];
        record.elected = [c.ids[winner]];
        if (!config.continueUntilTwo || alive.length <= 2) {
          break;
        }
        // The winner is known; the report goes on excluding from the next round.
        continue;
      }
      if (alive.length === 2) {
        // Two left, exactly tied: the loser is settled like any exclusion.
        const loser = ties.pick(
          `round ${round}: exclusion`,
          alive,
          historyCriteria(history.slice(0, -1), 'low'),
        );
        winner = alive.find((i) => i !== loser)!;
        record.elected = [c.ids[winner]];
        break;
      }
    } else if (alive.length <= 2) {
      break;
    }

    if (round === 1) {
      out = excludeFirst.filter((i) => continuing[i] === 1 && votes[i] > 0);
    }
    if (out.length === 0) {
      out = chooseExclusions(
        alive.filter((i) => i !== winner),
        votes,
        config,
        ties,
        history,
        round,
      );
    }
    record.excluded = out.map((i) => c.ids[i]);
    eliminated.push({ cands: out, votes: [...votes] });
    for (const i of out) {
      continuing[i] = 0;
    }
    for (const i of out) {
      const pile = piles[i];
      piles[i] = [];
      votes[i] = 0;
      for (const k of pile) {
        place(k);
      }
    }
  }

  const result = emptyResult('irv', { ...statsOf(groups), exhausted: exhaustedBallots });
  result.winners = winner >= 0 ? [c.ids[winner]] : [];
  result.rounds = rounds;
  result.ranking = irvRanking(winner, history[history.length - 1], continuing, eliminated, c.ids);
  result.ties = ties.reports;
  result.details = { exhaustedValue: units.toText(exhaustedValue) };
  return result;
}

function chooseExclusions(
  alive: number[],
  votes: readonly number[],
  config: IrvConfig,
  ties: TieBreaker,
  history: number[][],
  round: number,
): number[] {
  const sorted = [...alive].sort((a, b) => votes[a] - votes[b] || a - b);
  if (config.batchElimination) {
    // Exclude the largest set of lowest candidates whose combined votes cannot reach the next one.
    let sum = 0;
    let batch = 0;
    for (let k = 0; k < sorted.length - 1; k++) {
      sum += votes[sorted[k]];
      if (sum < votes[sorted[k + 1]]) {
        batch = k + 1;
      }
    }
    if (batch > 1) {
      return sorted.slice(0, batch);
    }
  }
  const low = votes[sorted[0]];
  const tied = sorted.filter((i) => votes[i] === low);
  if (tied.length > 1 && config.tiedLowest === 'all' && tied.length < alive.length) {
    return tied;
  }
  return [
    ties.pick(`round ${round}: exclusion`, tied, historyCriteria(history.slice(0, -1), 'low')),
  ];
}

/**
 * Winner, then the others still in the count by final-round votes, then the excluded in
 * reverse order of exclusion (a batch ordered by its votes when excluded; equal votes share a place).
 */
function irvRanking(
  winner: number,
  last: readonly number[],
  continuing: Uint8Array,
  eliminated: { cands: number[]; votes: number[] }[],
  ids: readonly string[],
): string[][] {
  const out: string[][] = [];
  if (winner >= 0) {
    out.push([ids[winner]]);
  }
  pushByVotes(
    out,
    [...continuing.keys()].filter((i) => continuing[i] === 1 && i !== winner),
    last,
    ids,
  );
  for (let r = eliminated.length - 1; r >= 0; r--) {
    pushByVotes(
      out,
      eliminated[r].cands.filter((i) => i !== winner),
      eliminated[r].votes,
      ids,
    );
  }
  return out;
}

function pushByVotes(
  out: string[][],
  cands: number[],
  votes: readonly number[],
  ids: readonly string[],
): void {
  const sorted = [...cands].sort((a, b) => votes[b] - votes[a] || (ids[a] < ids[b] ? -1 : 1));
  let prev = -1;
  for (const i of sorted) {
    if (prev >= 0 && votes[prev] === votes[i]) {
      out[out.length - 1].push(ids[i]);
    } else {
      out.push([ids[i]]);
    }
    prev = i;
  }
}
