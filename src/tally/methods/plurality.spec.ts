import { tally } from '../tally';
import type { PluralityBallot, PluralityConfig } from '../types';

const count = (config: PluralityConfig, ballots: PluralityBallot[], seed = 's') =>
  tally({ method: 'plurality', config, candidates: ['A', 'B', 'C'], ballots, seed });

describe('plurality', () => {
  it('elects the most votes and ranks the rest', () => {
    const r = count({}, [
      { choice: 'A', count: 3 },
      { choice: 'B', count: 5 },
      { choice: 'C', count: 1 },
    ]);
    expect(r.winners).toEqual(['B']);
    expect(r.ranking).toEqual([['B'], ['A'], ['C']]);
  });

  it('counts an overvote as invalid and an empty ballot as blank', () => {
    const r = count({}, [
      { choice: 'A' },
      { marks: ['A', 'B'] },
      { choice: null },
      { choice: 'Z' },
    ]);
    expect(r.stats).toMatchObject({ ballots: 4, valid: 1, invalid: 2, blank: 1 });
    expect(r.stats.invalidReasons).toEqual({ 'too many marks': 1, 'unknown candidate': 1 });
  });

  it('reports a runoff between the two leaders when an absolute majority is required', () => {
    const r = count({ absoluteMajority: true }, [
      { choice: 'A', count: 4 },
      { choice: 'B', count: 3 },
      { choice: 'C', count: 2 },
    ]);
    expect(r.winners).toEqual([]);
    expect(r.details).toMatchObject({ runoffNeeded: true, runoff: ['A', 'B'] });
  });

  it('draws a tie for the seat by lot, reports it, and repeats the draw for the same seed', () => {
    const ballots: PluralityBallot[] = [
      { choice: 'A', count: 2 },
      { choice: 'B', count: 2 },
    ];
    const r = count({}, ballots);
    expect(r.unresolvedTie).toEqual({ seats: 1, between: ['A', 'B'] });
    expect(r.ties[0]).toMatchObject({ rule: 'lot', candidates: ['A', 'B'] });
    expect(count({}, [...ballots].reverse()).winners).toEqual(r.winners);
  });

  it('fills several seats', () => {
    const r = count({ seats: 2 }, [
      { choice: 'A', count: 3 },
      { choice: 'B', count: 2 },
      { choice: 'C' },
    ]);
    expect(r.winners).toEqual(['A', 'B']);
  });
});
