import { tally } from '../tally';
import type { YesNoBallot, YesNoConfig } from '../types';

const count = (
  threshold: YesNoConfig['threshold'],
  ballots: YesNoBallot[],
  candidates: string[] = [],
) => tally({ method: 'yes_no', config: { threshold }, candidates, ballots, seed: 's' });

describe('yes / no', () => {
  it('passes with more than half of the valid votes, abstentions left out', () => {
    const r = count({ kind: 'more_than_half', base: 'valid' }, [
      { choice: 'yes', count: 6 },
      { choice: 'no', count: 5 },
      { choice: 'abstain', count: 20 },
    ]);
    expect(r.details).toMatchObject({
      base: '11',
      votesNeeded: '6',
      outcome: 'passed',
      thresholdMet: true,
    });
  });

  it('fails on a tie: a tie is not a majority', () => {
    const r = count({ kind: 'more_than_half', base: 'valid' }, [
      { choice: 'yes', count: 5 },
      { choice: 'no', count: 5 },
    ]);
    expect(r.details.outcome).toBe('failed');
  });

  it('counts abstentions in the base when the rule says so', () => {
    const r = count({ kind: 'more_than_half', base: 'valid_including_abstain' }, [
      { choice: 'yes', count: 6 },
      { choice: 'no', count: 5 },
      { choice: 'abstain', count: 2 },
    ]);
    expect(r.details).toMatchObject({ base: '13', votesNeeded: '7', outcome: 'failed' });
  });

  it('measures a two-thirds majority of the members registered at the meeting', () => {
    const r = count({ kind: 'qualified', fraction: '2/3', base: 'given', baseCount: 160 }, [
      { choice: 'yes', count: 106 },
      { choice: 'no', count: 10 },
    ]);
    expect(r.details).toMatchObject({ base: '160', votesNeeded: '107', outcome: 'failed' });
  });

  it('reports blank and invalid ballots separately and elects the single candidate on a pass', () => {
    const r = count(
      { kind: 'more_than_half', base: 'valid' },
      [
        { choice: 'yes', count: 160 },
        { choice: 'blank', count: 2 },
        { choice: 'invalid', count: 1 },
      ],
      ['president-candidate'],
    );
    expect(r.winners).toEqual(['president-candidate']);
    expect(r.stats).toMatchObject({ ballots: 163, valid: 160, blank: 2, invalid: 1 });
  });

  it('weighs votes by the voter roll weight', () => {
    const r = count({ kind: 'more_than_half', base: 'valid' }, [
      { choice: 'yes', weight: '2.5' },
      { choice: 'no', count: 2 },
    ]);
    expect(r.details).toMatchObject({ counts: { yes: '2.5', no: '2' }, outcome: 'passed' });
  });

  it('carries nothing when nobody voted', () => {
    const r = count({ kind: 'qualified', fraction: '2/3', base: 'valid' }, [
      { choice: 'abstain', count: 3 },
    ]);
    expect(r.details).toMatchObject({ outcome: 'failed', votesNeeded: '1' });
  });
});
