import { ranked, rankedSet } from '../spec-helpers';
import { tally } from '../tally';
import type { BordaConfig, RankedBallot } from '../types';

const count = (ballots: RankedBallot[], config: BordaConfig = {}, candidates = ['A', 'B', 'C']) =>
  tally({ method: 'borda', config, candidates, ballots, seed: 's' });

describe('Borda', () => {
  it('gives n−1 … 0 points, plus the start value', () => {
    const r = count(rankedSet(['A>C>B', 1], ['B>C>A', 1], ['A>B>C', 1]), { start: 1 });
    expect(r.details.scores).toEqual({ A: '7', B: '6', C: '5' });
    expect(r.winners).toEqual(['A']);
  });

  it('shares the places of a truncated ballot among its unranked candidates', () => {
    expect(count([ranked('A')]).details.scores).toEqual({ A: '2', B: '0.5', C: '0.5' });
    expect(count([ranked('A')], { implicitRanking: false }).details.scores).toEqual({
      A: '2',
      B: '0',
      C: '0',
    });
  });

  it('breaks a tie on totals by countback (most first places), then by lot', () => {
    // A and B both score 7; A has two first places, B one.
    const r = count(rankedSet(['A>B>C', 2], ['B>C>A', 1]), { start: 1 });
    expect(r.details.scores).toEqual({ A: '7', B: '7', C: '4' });
    expect(r.winners).toEqual(['A']);
    expect(r.ties[0]).toMatchObject({ rule: 'countback', candidates: ['A', 'B'], chosen: ['A'] });
    // Same totals and same places at every rank: only the lot is left.
    const level = count(rankedSet(['A>B>C', 1], ['B>A>C', 1]));
    expect(level.ties[0]).toMatchObject({ rule: 'lot' });
  });

  it('supports Dowdall points and weights', () => {
    expect(count([ranked('A>B>C')], { points: 'dowdall' }).details.scores).toEqual({
      A: '1',
      B: '0.5',
      C: '1/3',
    });
    expect(count([ranked('A>B>C', 1, '3')]).details.scores).toEqual({ A: '6', B: '3', C: '0' });
  });
});
