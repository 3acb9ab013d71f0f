import { ranked, rankedSet } from '../spec-helpers';
import { tally } from '../tally';
import type { RankedBallot, StvConfig } from '../types';

const count = (
  ballots: RankedBallot[],
  config: Partial<StvConfig> = {},
  candidates = ['A', 'B', 'C', 'D'],
) =>
  tally({
    method: 'stv',
    config: { variant: 'meek', seats: 2, ...config },
    candidates,
    ballots,
    seed: 's',
  });

describe('Meek STV', () => {
  it('lowers an elected candidate’s keep factor until the surplus is passed on', () => {
    // A's surplus lifts B to 3; D is excluded, its votes exhaust, the quota falls and C is in.
    const r = count(rankedSet(['A>B', 8], ['C', 5], ['D', 2]));
    const last = r.rounds[r.rounds.length - 1];
    expect(r.winners).toEqual(['A', 'C']);
    expect(Number(r.rounds[1].votes.B)).toBeCloseTo(3, 6);
    expect(Number(last.keepFactors?.A)).toBeLessThan(1);
  });

  it('states its precision and gives the same winners in doubles and in bigint', () => {
    const ballots = rankedSet(['A>B>C', 5], ['B>C', 3], ['C>A', 4], ['D>A', 2]);
    const nine = count(ballots, { precision: 9 });
    const wide = count(ballots, { precision: 18, guard: 9 });
    expect(nine.details).toMatchObject({
      precision: 9,
      arithmetic: 'fixed point in doubles (exact integer products)',
    });
    expect(wide.details).toMatchObject({ precision: 18, arithmetic: 'fixed point in bigint' });
    expect(wide.winners).toEqual(nine.winners);
  });

  it('shares an equal ranking equally', () => {
    const r = count([ranked('A=B', 2), ranked('C', 1)], { seats: 1 }, ['A', 'B', 'C']);
    expect(r.rounds[0].votes).toMatchObject({ A: '1.000000000', B: '1.000000000' });
  });

  it('draws lots for a tie it cannot separate and reports it', () => {
    const r = count(rankedSet(['A', 3], ['B', 1], ['C', 1]), { seats: 2 }, ['A', 'B', 'C']);
    expect(r.ties.some((t) => t.rule === 'lot')).toBe(true);
    expect(r.winners[0]).toBe('A');
  });

  it('elects everyone when there are more seats than candidates, and handles a withdrawal', () => {
    expect(count([ranked('A>B')], { seats: 3 }, ['A', 'B']).winners.sort()).toEqual(['A', 'B']);
    const w = count(rankedSet(['A>B', 3], ['C', 2]), { seats: 1, withdrawn: ['A'] }, [
      'A',
      'B',
      'C',
    ]);
    expect(w.winners).toEqual(['B']);
  });

  it('counts exhausted value as non-transferable', () => {
    const r = count(rankedSet(['A', 6], ['B', 2], ['C', 1]), { seats: 1 }, ['A', 'B', 'C']);
    expect(r.winners).toEqual(['A']);
  });
});
