import { tally } from '../tally';
import type { ApprovalBallot, Method } from '../types';

const count = (method: Method, seats: number, ballots: ApprovalBallot[]) =>
  tally({ method, config: { seats }, candidates: ['A', 'B', 'C', 'D'], ballots, seed: 's' });

describe('approval and block voting', () => {
  it('elects the highest approval totals', () => {
    const r = count('approval', 2, [
      { approve: ['A', 'B'], count: 3 },
      { approve: ['B', 'C'], count: 2 },
      { approve: ['D'] },
    ]);
    expect(r.winners).toEqual(['B', 'A']);
    expect(r.rounds[0].votes).toEqual({ A: '3', B: '5', C: '2', D: '1' });
  });

  it('refuses a block ballot with more marks than seats, and reports blanks', () => {
    const r = count('block', 2, [
      { approve: ['A', 'B', 'C'] },
      { approve: [] },
      { approve: ['A', 'A'] },
      { approve: ['A'] },
    ]);
    expect(r.stats).toMatchObject({ ballots: 4, valid: 1, blank: 1, invalid: 2 });
    expect(r.stats.invalidReasons).toEqual({ 'too many marks': 1, 'duplicate mark': 1 });
  });

  it('reports a tie at the last seat and how the lot settled it', () => {
    const r = count('block', 2, [
      { approve: ['A', 'B'], count: 2 },
      { approve: ['A', 'C'], count: 2 },
    ]);
    expect(r.winners[0]).toBe('A');
    expect(r.unresolvedTie).toEqual({ seats: 1, between: ['B', 'C'] });
  });

  it('weighs ballots exactly', () => {
    const r = count('approval', 1, [
      { approve: ['A'], weight: '0.5' },
      { approve: ['B'], weight: 0.25 },
      { approve: ['B'], weight: '1/3' },
    ]);
    expect(r.rounds[0].votes).toMatchObject({ A: '0.5', B: '7/12' });
    expect(r.winners).toEqual(['B']);
  });

  it('elects everyone when there are more seats than candidates', () => {
    const r = count('approval', 6, [{ approve: ['A'] }]);
    expect(r.winners).toHaveLength(4);
  });
});
