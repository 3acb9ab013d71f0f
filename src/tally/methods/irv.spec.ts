import { ranked, rankedSet } from '../spec-helpers';
import { tally } from '../tally';
import type { IrvConfig, RankedBallot } from '../types';

const count = (
  ballots: RankedBallot[],
  config: IrvConfig = {},
  candidates = ['A', 'B', 'C', 'D'],
) => tally({ method: 'irv', config, candidates, ballots, seed: 's' });

describe('IRV', () => {
  it('excludes the lowest until a candidate has more than half of the continuing votes', () => {
    const r = count(rankedSet(['A', 4], ['B>C', 3], ['C>B', 2], ['D>C', 1]));
    expect(r.rounds.map((x) => x.excluded)).toEqual([['D'], ['C'], []]);
    expect(r.winners).toEqual(['B']);
    // C's second preferences go to B; the D>C ballot has nowhere to go.
    expect(r.rounds[2].votes).toEqual({ A: '4', B: '5' });
  });

  it('reports exhausted ballots round by round', () => {
    const r = count(rankedSet(['A', 4], ['B', 3], ['C', 2], ['D>C', 1]));
    expect(r.rounds.map((x) => x.exhausted)).toEqual(['0', '0', '3']);
    expect(r.stats.exhausted).toBe(3);
  });

  it('breaks a tie for last place by the earlier round, then by lot', () => {
    const r = count(rankedSet(['A', 5], ['B', 3], ['C', 2], ['D>C', 1]));
    // Round 2: B 3, C 3 — in round 1 C had 2, so C goes.
    expect(r.ties).toEqual([
      { at: 'round 2: exclusion', candidates: ['B', 'C'], rule: 'earlier_round', chosen: ['C'] },
    ]);
  });

  it('elects by the tie rules when the last two end exactly level', () => {
    const r = count(rankedSet(['A', 2], ['B', 2]), {}, ['A', 'B']);
    expect(r.winners).toHaveLength(1);
    expect(r.ties[0]).toMatchObject({ rule: 'lot', candidates: ['A', 'B'] });
  });

  it('skips a withdrawn candidate and elects a single remaining candidate', () => {
    const r = count(rankedSet(['A>B', 2], ['B', 1]), { withdrawn: ['A'] }, ['A', 'B']);
    expect(r.winners).toEqual(['B']);
    expect(r.rounds[0].votes).toEqual({ B: '3' });
  });

  it('excludes sure losers together with batch elimination', () => {
    const r = count(rankedSet(['A', 10], ['B', 8], ['C', 2], ['D', 1]), { batchElimination: true });
    expect(r.rounds[0].excluded.sort()).toEqual(['C', 'D']);
  });

  it('exhausts a ballot at an overvote (and from the start when the first rank is overvoted)', () => {
    const r = count([ranked('A=B'), ranked('C>A=B'), ranked('C'), ranked('A')]);
    expect(r.stats).toMatchObject({ valid: 4, invalid: 0 });
    expect(r.rounds[0].exhausted).toBe('1');
  });

  it('weighs ballots', () => {
    const r = count([ranked('A', 1, '1.5'), ranked('B', 1)]);
    expect(r.rounds[0].votes.A).toBe('1.5');
    expect(r.rounds[0].threshold).toBe('1.25');
    expect(r.winners).toEqual(['A']);
  });
});
