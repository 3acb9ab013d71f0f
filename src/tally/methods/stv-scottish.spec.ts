import { canonicalJson } from '../digest';
import { ranked, rankedSet } from '../spec-helpers';
import { tally } from '../tally';
import type { StvConfig, TallyInput } from '../types';

const stv = (
  candidates: string[],
  ballots: TallyInput['ballots'],
  config: Partial<StvConfig> = {},
): TallyInput => ({
  method: 'stv',
  config: { variant: 'scottish', seats: 2, ...config },
  candidates,
  ballots,
  seed: 'scottish-spec',
});

describe('Scottish STV', () => {
  it('uses the Droop quota and transfers a surplus at a truncated transfer value', () => {
    // 10 valid votes, 2 seats: quota floor(10/3)+1 = 4. A's surplus of 3 over 7 papers → 0.42857.
    const r = tally(stv(['A', 'B', 'C'], rankedSet(['A>B', 7], ['C', 2], ['B', 1])));
    expect(r.details.quota).toBe('4.00000');
    expect(r.rounds[1].transfer).toEqual({
      kind: 'surplus',
      from: ['A'],
      amount: '3.00000',
      values: ['0.42857'],
    });
    expect(r.rounds[1].votes.B).toBe('3.99999');
    expect(r.rounds[1].residual).toBe('0.00001');
    // B (3.99999) stays below the quota; C is excluded and B takes the last seat.
    expect(r.winners).toEqual(['A', 'B']);
  });

  it('reports the non-transferable value of exhausted papers', () => {
    const r = tally(stv(['A', 'B', 'C'], rankedSet(['A', 6], ['B', 3], ['C', 2]), { seats: 1 }));
    // Quota 6 reached at once: nothing to transfer, count over.
    expect(r.winners).toEqual(['A']);
    expect(r.rounds).toHaveLength(1);
    expect(r.rounds[0].excluded.sort()).toEqual(['B', 'C']);
  });

  it('excludes the lowest and moves its papers at their current value', () => {
    const r = tally(stv(['A', 'B', 'C'], rankedSet(['A', 4], ['B', 3], ['C>B', 2]), { seats: 1 }));
    expect(r.rounds[0].excluded).toEqual(['C']);
    expect(r.rounds[1].votes.B).toBe('5.00000');
    expect(r.winners).toEqual(['B']);
  });

  it('settles a tie for exclusion by the most recent stage where the tied candidates differed', () => {
    // F goes first and its paper lifts D to 3 = C; at stage 1 D had 2 and C had 3, so D goes.
    const r = tally(
      stv(['C', 'D', 'E', 'F'], rankedSet(['C', 3], ['D', 2], ['E', 5], ['F>D', 1]), { seats: 1 }),
    );
    const tie = r.ties.find((t) => t.at.includes('exclusion'));
    expect(tie).toMatchObject({ rule: 'earlier_round', chosen: ['D'] });
  });

  it('settles a tie with no earlier difference by lot from the seed, and reports it', () => {
    const input = stv(['A', 'B', 'C'], rankedSet(['A', 4], ['B', 2], ['C', 2]), { seats: 1 });
    const r = tally(input);
    const tie = r.ties.find((t) => t.at.includes('exclusion'));
    expect(tie).toMatchObject({ rule: 'lot', candidates: ['B', 'C'] });
    // The same seed always draws the same; a lot fixed in advance overrides the seed.
    expect(canonicalJson(tally(input))).toBe(canonicalJson(r));
    const fixed = tally({ ...input, config: { ...input.config, lotOrder: ['C', 'B'] } });
    expect(fixed.ties.find((t) => t.at.includes('exclusion'))?.chosen).toEqual(['C']);
  });

  it('transfers the larger of two surpluses first', () => {
    const r = tally(
      stv(['A', 'B', 'C', 'D'], rankedSet(['A>C', 10], ['B>D', 8], ['C', 1], ['D', 1]), {
        seats: 3,
      }),
    );
    expect(r.rounds[1].transfer?.from).toEqual(['A']);
    expect(r.rounds[2].transfer?.from).toEqual(['B']);
  });

  it('elects the remaining candidates when they are no more than the vacancies', () => {
    const r = tally(stv(['A', 'B'], rankedSet(['A', 1], ['B', 1]), { seats: 2 }));
    expect(r.winners.sort()).toEqual(['A', 'B']);
  });

  it('fills only the seats it has candidates for when there are more seats than candidates', () => {
    const r = tally(stv(['A', 'B'], rankedSet(['A', 3], ['B', 1]), { seats: 5 }));
    expect(r.winners.sort()).toEqual(['A', 'B']);
  });

  it('elects a single candidate', () => {
    expect(tally(stv(['A'], [ranked('A', 3)], { seats: 1 })).winners).toEqual(['A']);
  });

  it('counts every paper as non-transferable when all ballots exhaust', () => {
    // Nobody reaches the quota (5); C's and then the loser of the A–B draw's papers exhaust.
    const r = tally(stv(['A', 'B', 'C'], rankedSet(['A', 3], ['B', 3], ['C', 2]), { seats: 1 }));
    const last = r.rounds[r.rounds.length - 1];
    expect(last.nonTransferable).toBe('5.00000');
    expect(r.winners).toHaveLength(1);
    expect(r.ties.some((t) => t.rule === 'lot' && t.candidates.length === 2)).toBe(true);
  });

  it('removes a withdrawn candidate from every ballot, keeping the seats', () => {
    const r = tally(
      stv(['A', 'B', 'C'], rankedSet(['B>A', 5], ['C', 3], ['A', 1]), {
        seats: 1,
        withdrawn: ['B'],
      }),
    );
    expect(r.rounds[0].votes).not.toHaveProperty('B');
    expect(r.rounds[0].votes.A).toBe('6.00000');
    expect(r.winners).toEqual(['A']);
  });

  it('gives a weighted ballot its weight as the paper value', () => {
    const r = tally(stv(['A', 'B'], [ranked('A', 1, '2.5'), ranked('B', 2)], { seats: 1 }));
    expect(r.rounds[0].votes.A).toBe('2.50000');
    expect(r.winners).toEqual(['A']);
  });

  it('counts a paper without a clear first preference as invalid, not as a vote', () => {
    const r = tally(
      stv(['A', 'B'], [ranked('A>B>A'), ranked('A=B'), ranked('A', 2), ranked('Z')], { seats: 1 }),
    );
    expect(r.stats).toMatchObject({ ballots: 5, valid: 2, invalid: 3 });
    expect(r.stats.invalidReasons).toEqual({
      'duplicate rank': 1,
      'overvote at first preference': 1,
      'unknown candidate': 1,
    });
  });
});
