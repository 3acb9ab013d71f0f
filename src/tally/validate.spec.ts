import { canonicalJson, digest } from './digest';
import { ENGINE_VERSION, tally, TallyInputError, validateBallot } from './index';

describe('validateBallot', () => {
  const candidates = ['A', 'B', 'C'];

  it('accepts a valid ballot and a blank one', () => {
    expect(validateBallot('irv', {}, candidates, { ranking: [['A'], ['B']] })).toBeNull();
    expect(validateBallot('irv', {}, candidates, { ranking: [] })).toBeNull();
  });

  it('gives the engine’s own reason for a ballot it would count as invalid', () => {
    expect(
      validateBallot('stv', { variant: 'scottish', seats: 2 }, candidates, {
        ranking: [['A'], ['A']],
      }),
    ).toBe('duplicate rank');
    expect(validateBallot('schulze', {}, candidates, { ranking: [['Z']] })).toBe(
      'unknown candidate',
    );
    expect(validateBallot('block', { seats: 1 }, candidates, { approve: ['A', 'B'] })).toBe(
      'too many marks',
    );
    expect(validateBallot('plurality', {}, candidates, { marks: ['A', 'B'] })).toBe(
      'too many marks',
    );
    expect(validateBallot('irv', {}, candidates, { ranking: [['A']], weight: '-1' })).toBe(
      'weight is not positive',
    );
    expect(
      validateBallot('yes_no', { threshold: { kind: 'more_than_half', base: 'valid' } }, [], {
        choice: 'maybe',
      }),
    ).toBe('unknown choice');
  });
});

describe('contest errors', () => {
  it('refuses an empty contest, an unknown method and a bad seat count', () => {
    expect(() =>
      tally({ method: 'irv', config: {}, candidates: [], ballots: [], seed: 's' }),
    ).toThrow(TallyInputError);
    expect(() =>
      tally({ method: 'nope' as never, config: {}, candidates: ['A'], ballots: [], seed: 's' }),
    ).toThrow('unknown method');
    expect(() =>
      tally({
        method: 'stv',
        config: { variant: 'scottish', seats: 0 },
        candidates: ['A'],
        ballots: [],
        seed: 's',
      }),
    ).toThrow('seats must be a positive integer');
  });
});

describe('canonical output', () => {
  it('serialises with sorted keys and no whitespace, and digests that text', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'] })).toBe('{"a":[true,null,"x"],"b":1}');
    expect(digest({ a: 1 })).toBe(
      '015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862',
    );
  });

  it('stamps every result with the engine version', () => {
    const r = tally({
      method: 'plurality',
      config: {},
      candidates: ['A'],
      ballots: [{ choice: 'A' }],
      seed: 's',
    });
    expect(r.engineVersion).toBe(ENGINE_VERSION);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
