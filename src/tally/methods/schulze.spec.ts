import { ranked, rankedSet } from '../spec-helpers';
import { tally } from '../tally';
import type { RankedBallot, SchulzeConfig } from '../types';

const count = (ballots: RankedBallot[], config: SchulzeConfig = {}, candidates = ['A', 'B', 'C']) =>
  tally({ method: 'schulze', config, candidates, ballots, seed: 's' });

describe('Schulze', () => {
  it('reports the pairwise matrix and the strongest paths', () => {
    const r = count(rankedSet(['A>B>C', 3], ['B>C>A', 2], ['C>A>B', 1]));
    expect(r.details.pairwise).toMatchObject({ A: { B: '4', C: '3' }, B: { A: '2', C: '5' } });
    expect(r.details.strongestPaths).toMatchObject({ A: { B: '4', C: '4' } });
    expect(r.winners).toEqual(['A']);
  });

  it('finds the Condorcet winner', () => {
    const r = count(rankedSet(['A>B>C', 2], ['B>A>C', 1], ['C>A>B', 1]));
    expect(r.details.condorcetWinner).toBe('A');
  });

  it('keeps unranked candidates out of comparisons without implicit ranking', () => {
    const implicit = count([ranked('A')]);
    const explicit = count([ranked('A')], { implicitRanking: false });
    expect(implicit.details.pairwise).toMatchObject({ A: { B: '1' } });
    expect(explicit.details.pairwise).toMatchObject({ A: { B: '0' } });
  });

  it('ranks tied candidates together and draws the seat between them', () => {
    const r = count(rankedSet(['A>B', 1], ['B>A', 1]), {}, ['A', 'B']);
    expect(r.ranking).toEqual([['A', 'B']]);
    expect(r.unresolvedTie).toEqual({ seats: 1, between: ['A', 'B'] });
  });

  it('fills several seats down the ranking', () => {
    const r = count(rankedSet(['A>B>C', 3], ['B>C>A', 2]), { seats: 2 });
    expect(r.winners).toEqual(['A', 'B']);
  });

  it('uses exact ratios without dividing by zero', () => {
    const r = count([ranked('A>B=C', 10)], { strength: 'ratio' });
    expect(r.details.strongestPaths).toMatchObject({ A: { B: 'infinity' }, B: { C: '0' } });
  });
});
