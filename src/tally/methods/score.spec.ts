import { tally } from '../tally';
import type { ScoreBallot, ScoreConfig } from '../types';

const criteria: ScoreConfig['criteria'] = [
  { id: 'impact', weight: 2, min: 0, max: 10 },
  { id: 'craft', weight: 1, min: 0, max: 10 },
];
const s = (impact: number, craft: number) => ({ impact, craft });
const count = (ballots: ScoreBallot[], config: Partial<ScoreConfig> = {}) =>
  tally({
    method: 'score',
    config: { criteria, aggregate: 'mean', minScores: 1, ...config },
    candidates: ['N1', 'N2', 'N3'],
    ballots,
    seed: 's',
  });

describe('score voting', () => {
  it('averages weighted criteria over the jurors who scored', () => {
    const r = count([
      { juror: 'j1', scores: { N1: s(9, 6), N2: s(6, 9) } },
      { juror: 'j2', scores: { N1: s(6, 6), N2: s(7, 7) } },
    ]);
    // N1: (2·9+6)/3 = 8 and 6 → 7; N2: 7 and 7 → 7.
    expect(r.details.scores).toMatchObject({ N1: '7', N2: '7' });
    expect(r.details.criterionMeans).toMatchObject({ impact: { N1: '7.5' } });
  });

  it('excludes a recused juror’s missing score instead of counting zero', () => {
    const r = count([
      { juror: 'j1', scores: { N1: s(8, 8), N2: s(5, 5) } },
      { juror: 'j2', scores: { N2: s(5, 5) } }, // recused from N1
    ]);
    expect(r.details.scores).toMatchObject({ N1: '8', N2: '5' });
    expect(r.details.numberOfScores).toMatchObject({ N1: '1', N2: '2' });
  });

  it('flags a nominee with fewer scores than the minimum instead of ranking it', () => {
    const r = count(
      [
        { juror: 'j1', scores: { N1: s(10, 10), N2: s(5, 5) } },
        { juror: 'j2', scores: { N2: s(5, 5) } },
      ],
      { minScores: 2 },
    );
    expect(r.winners).toEqual(['N2']);
    expect(r.details.flagged).toHaveProperty('N1');
    expect(r.ranking?.flat()).not.toContain('N1');
  });

  it('drops the highest and lowest score for a trimmed mean', () => {
    const r = count(
      [1, 5, 6, 10].map((v, i) => ({ juror: `j${i}`, scores: { N1: s(v, v) } })),
      { aggregate: 'trimmed_mean', trim: 1 },
    );
    expect(r.details.scores).toMatchObject({ N1: '5.5' });
  });

  it('normalises each juror to z-scores over the nominees that juror scored', () => {
    const r = count(
      [
        { juror: 'harsh', scores: { N1: s(2, 2), N2: s(4, 4) } },
        { juror: 'kind', scores: { N1: s(8, 8), N2: s(10, 10), N3: s(9, 9) } },
      ],
      { normalise: 'zscore' },
    );
    // harsh: N1 −1, N2 +1; kind: N1 −1.224744871, N2 +1.224744871, N3 0.
    expect(r.details.scores).toMatchObject({ N3: '0' });
    expect(r.winners).toEqual(['N2']);
  });

  it('refuses out-of-range scores and unknown criteria as invalid ballots', () => {
    const r = count([
      { juror: 'j1', scores: { N1: s(11, 1) } },
      { juror: 'j2', scores: { N1: { impact: 1, craft: 1, charm: 3 } } },
      { juror: 'j3', scores: { N1: s(5, 5) } },
    ]);
    expect(r.stats).toMatchObject({ valid: 1, invalid: 2 });
  });

  it('refuses two ballots from one juror', () => {
    expect(() =>
      count([
        { juror: 'j1', scores: { N1: s(1, 1) } },
        { juror: 'j1', scores: { N1: s(2, 2) } },
      ]),
    ).toThrow('juror "j1" has more than one ballot');
  });
});
