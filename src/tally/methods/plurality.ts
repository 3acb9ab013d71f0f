import { Rational } from '../arith/rational';
import {
  CandidateIndex,
  checkSeats,
  groupValue,
  normalisePlurality,
  pluralityKey,
  prepare,
} from '../prepare';
import { baseStats, emptyResult, recordOf } from '../result';
import { selectByScore } from '../select';
import { TieBreaker } from '../ties';
import type { PluralityConfig, TallyInput, TallyResult } from '../types';

/** First past the post, one or several seats; optionally requiring an absolute majority. */
export function tallyPlurality(input: TallyInput): TallyResult {
  const config = input.config as PluralityConfig;
  const c = new CandidateIndex(input.candidates, 'plurality');
  const seats = checkSeats(config.seats, 1);
  const split = config.multipleMarks === 'split';
  const prepared = prepare(input.ballots, pluralityKey(c), normalisePlurality(c, split));

  // Exact rationals: a split mark gives fractions, and groups are few after grouping.
  const votes = c.ids.map(() => Rational.ZERO);
  let total = Rational.ZERO;
  for (const g of prepared.groups) {
    const v = groupValue(g);
    total = total.add(v);
    const share = v.div(Rational.of(g.ballot.length));
    for (const i of g.ballot) {
      votes[i] = votes[i].add(share);
    }
  }

  const ties = new TieBreaker(input.seed, c.ids, config.lotOrder);
  const all = c.ids.map((_, i) => i);
  const result = emptyResult('plurality', baseStats(prepared));
  const details: Record<string, unknown> = { seats, totalVotes: total.toString() };

  if (config.absoluteMajority && seats === 1) {
    const sel = selectByScore(all, (i) => votes[i], 2, ties, [], 'runoff places');
    const top = sel.winners[0];
    const majority = votes[top].mulInt(2).cmp(total) > 0;
    details.majorityRequired = true;
    details.runoffNeeded = !majority;
    if (majority) {
      result.winners = [c.ids[top]];
    } else {
      // The two leading candidates go to a runoff; ties for those places are in `ties`.
      details.runoff = sel.winners.map((i) => c.ids[i]);
    }
    result.ranking = sel.ranking.map((grp) => grp.map((i) => c.ids[i]));
  } else {
    const sel = selectByScore(all, (i) => votes[i], seats, ties, []);
    result.winners = sel.winners.map((i) => c.ids[i]);
    result.ranking = sel.ranking.map((grp) => grp.map((i) => c.ids[i]));
    if (sel.unresolvedTie) {
      result.unresolvedTie = {
        seats: sel.unresolvedTie.seats,
        between: sel.unresolvedTie.between.map((i) => c.ids[i]),
      };
    }
  }
  result.rounds = [
    {
      round: 1,
      votes: recordOf(c.ids, all, (i) => votes[i].toString()),
      elected: result.winners,
      excluded: [],
    },
  ];
  result.ties = ties.reports;
  result.details = details;
  return result;
}
