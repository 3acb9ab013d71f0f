import type { TieDecision } from 'src/audit/manifest';
import { type Ballot, tally, type TallyResult } from 'src/tally';
import {
  applyDecision,
  applyDecisionToOutcome,
  countedWinners,
  decidedWinners,
  decisionProblem,
} from './decision';

/** Three nominees, two places: A first, B and C level for the second place. */
function tiedCount(): TallyResult {
  const ballot = (juror: string, a: number, b: number, c: number): Ballot => ({
    juror,
    scores: { A: { q: a }, B: { q: b }, C: { q: c } },
  });
  return tally({
    method: 'score',
    config: {
      seats: 2,
      criteria: [{ id: 'q', weight: 1, min: 1, max: 10 }],
      aggregate: 'mean',
      minScores: 1,
    },
    candidates: ['A', 'B', 'C'],
    ballots: [ballot('j1', 9, 7, 8), ballot('j2', 9, 8, 7)],
    seed: 'seed',
  });
}

function decisionFor(result: TallyResult): TieDecision {
  const drawn = result.winners.filter((w) => w !== 'A');
  return {
    seats: 1,
    between: ['B', 'C'],
    drawnByLot: drawn,
    chosen: drawn[0] === 'B' ? ['C'] : ['B'],
    reason: 'rule 7.3',
    decidedBy: 'admin',
    decidedAt: '2026-11-01T10:00:00.000Z',
  };
}

describe('tie decisions', () => {
  it('replaces the lot’s pick in every field and keeps what the lot drew on record', () => {
    const result = tiedCount();
    expect(result.unresolvedTie).toEqual({ seats: 1, between: ['B', 'C'] });
    const d = decisionFor(result);
    const published = applyDecision(result, d);
    expect(published.winners).toEqual(['A', ...d.chosen]);
    expect(published).not.toHaveProperty('unresolvedTie');
    expect(published.ties.at(-1)).toEqual({
      at: result.ties.at(-1)!.at,
      candidates: result.ties.at(-1)!.candidates,
      rule: 'decision',
      chosen: d.chosen,
      drawnByLot: d.drawnByLot,
      reason: 'rule 7.3',
    });
    expect(published.rounds).toEqual(result.rounds);
    const outcome = applyDecisionToOutcome(
      { selected: result.winners, unresolvedTie: result.unresolvedTie },
      d,
      published.winners,
    );
    expect(outcome).toEqual({ selected: published.winners, unresolvedTie: null, decision: d });
  });

  it('leaves a result without a decision as it is', () => {
    const result = tiedCount();
    expect(applyDecision(result, null)).toBe(result);
    expect(decidedWinners(result.winners, null)).toEqual(result.winners);
  });

  it('names what is wrong with a decision that does not fit the count', () => {
    const result = tiedCount();
    const d = decisionFor(result);
    expect(decisionProblem(result, d)).toBeNull();
    expect(decisionProblem(result, { ...d, between: ['A', 'B'] })).toMatch(/tie is between B, C/);
    expect(decisionProblem(result, { ...d, seats: 2 })).toMatch(/1 place/);
    expect(decisionProblem(result, { ...d, chosen: ['A'] })).toMatch(/among the tied/);
    expect(decisionProblem(result, { ...d, chosen: ['B', 'C'] })).toMatch(/among the tied/);
    expect(decisionProblem(result, { ...d, drawnByLot: d.chosen })).toMatch(/the lot drew/);
    const clean = { ...result, unresolvedTie: undefined };
    expect(decisionProblem(clean, d)).toMatch(/no tie/);
    expect(() => applyDecision(clean, d)).toThrow(/does not fit/);
  });

  it('reads the counted winners from the contest’s own outcome first', () => {
    const result = tiedCount();
    expect(countedWinners(result, { elected: [{ candidateId: 'B' }] })).toEqual(['B']);
    expect(countedWinners(result, { selected: ['C'] })).toEqual(['C']);
    expect(countedWinners(result, {})).toEqual(result.winners);
  });
});
