import {
  approvalKey,
  CandidateIndex,
  checkSeats,
  normaliseApproval,
  parseCount,
  prepare,
} from '../prepare';
import { baseStats, emptyResult, recordOf } from '../result';
import { selectByScore } from '../select';
import { TieBreaker } from '../ties';
import { toUnits } from '../units';
import { Rational } from '../arith/rational';
import type { ApprovalBallot, ApprovalConfig, Ballot, TallyInput, TallyResult } from '../types';

/**
 * Approval (vote for any number) and block voting (vote for up to N for N seats).
 * The highest totals win; a tie at the last seat is drawn by lot and reported.
 */
export function tallyApproval(input: TallyInput): TallyResult {
  const config = input.config as ApprovalConfig;
  const block = input.method === 'block';
  const c = new CandidateIndex(input.candidates, input.method);
  const seats = checkSeats(config.seats, 1);
  const max = config.maxApprovals ?? (block ? seats : undefined);
  // Common ballots (no weight, known names, up to 52 candidates) are grouped by a bitmask of
  // the approved candidates: exact in a double, and no string or array per ballot.
  // Common ballots (no weight, known names, up to 52 candidates) are counted straight into
  // the totals, one ballot at a time with no allocation; their approval sets (two 26-bit
  // masks) go into a small hash set only to report how many were distinct.
  const fastVotes = new Float64Array(c.size);
  const seen = new MaskSet();
  const rest: Ballot[] = [];
  let fastValid = 0;
  let fastBlank = 0;
  let fastTooMany = 0;
  const marked = new Int32Array(c.size);
  let stamp = 0;
  for (const b of input.ballots) {
    const approve = (b as ApprovalBallot | null)?.approve;
    if (
      b === null ||
      typeof b !== 'object' ||
      c.size > 52 ||
      b.weight !== undefined ||
      !Array.isArray(approve)
    ) {
      rest.push(b);
      continue;
    }
    stamp++;
    let lo = 0;
    let hi = 0;
    let ok = true;
    for (const id of approve) {
      const i = typeof id === 'string' ? c.of(id) : undefined;
      if (i === undefined || marked[i] === stamp) {
        ok = false;
        break;
      }
      marked[i] = stamp;
      if (i < 26) {
        lo |= 1 << i;
      } else {
        hi |= 1 << (i - 26);
      }
    }
    if (!ok) {
      rest.push(b);
      continue;
    }
    const count = b.count === undefined ? 1 : parseCount(b.count);
    if (approve.length === 0) {
      fastBlank += count;
    } else if (max !== undefined && approve.length > max) {
      fastTooMany += count;
    } else {
      fastValid += count;
      for (const id of approve) {
        fastVotes[c.of(id)!] += count;
      }
      seen.add(hi, lo);
    }
  }
  const prepared = prepare(rest, approvalKey(c), normaliseApproval(c, max));
  const units = toUnits(prepared.groups);
  const votes = new Array<number>(c.size).fill(0);
  prepared.groups.forEach((g, k) => {
    for (const i of g.ballot) {
      votes[i] += units.values[k];
    }
  });
  const scale = Number(units.scale);
  for (let i = 0; i < c.size; i++) {
    votes[i] += fastVotes[i] * scale;
  }
  const stats = baseStats(prepared);
  stats.ballots += fastValid + fastBlank + fastTooMany;
  stats.valid += fastValid;
  stats.blank += fastBlank;
  stats.distinct += seen.size;
  if (fastTooMany > 0) {
    stats.invalid += fastTooMany;
    stats.invalidReasons['too many marks'] =
      (stats.invalidReasons['too many marks'] ?? 0) + fastTooMany;
  }
  if (stats.validWeight) {
    stats.validWeight = Rational.parse(stats.validWeight).add(Rational.of(fastValid)).toString();
  }

  const ties = new TieBreaker(input.seed, c.ids, config.lotOrder);
  const all = c.ids.map((_, i) => i);
  const sel = selectByScore(all, (i) => votes[i], seats, ties, []);
  const result = emptyResult(input.method, stats);
  result.winners = sel.winners.map((i) => c.ids[i]);
  result.ranking = sel.ranking.map((grp) => grp.map((i) => c.ids[i]));
  result.rounds = [
    {
      round: 1,
      votes: recordOf(c.ids, all, (i) => units.toText(votes[i])),
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
  result.details = { seats, maxApprovals: max ?? null };
  return result;
}

/** A hash set of (hi, lo) 26-bit mask pairs in typed arrays (open addressing). */
class MaskSet {
  size = 0;
  private his = new Int32Array(1 << 10).fill(-1);
  private los = new Int32Array(1 << 10);

  add(hi: number, lo: number): void {
    if ((this.size + 1) * 2 > this.his.length) {
      this.grow();
    }
    this.insert(hi, lo);
  }

  private insert(hi: number, lo: number): void {
    const mask = this.his.length - 1;
    let slot = (Math.imul(hi, 0x9e3779b1) ^ Math.imul(lo, 0x85ebca6b)) & mask;
    for (;;) {
      if (this.his[slot] === -1) {
        this.his[slot] = hi;
        this.los[slot] = lo;
        this.size++;
        return;
      }
      if (this.his[slot] === hi && this.los[slot] === lo) {
        return;
      }
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const his = this.his;
    const los = this.los;
    this.his = new Int32Array(his.length * 2).fill(-1);
    this.los = new Int32Array(his.length * 2);
    this.size = 0;
    for (let k = 0; k < his.length; k++) {
      if (his[k] !== -1) {
        this.insert(his[k], los[k]);
      }
    }
  }
}
