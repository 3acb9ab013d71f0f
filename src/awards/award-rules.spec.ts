import { tally } from 'src/tally';
import {
  ballotProblem,
  BallotContext,
  checkCategorySettings,
  engineBallot,
  engineConfig,
  jurorLabel,
} from './award-rules';
import type { AwardCategoryEntity, Criterion } from './entities/award-category.entity';

const criteria: Criterion[] = [
  { id: 'impact', title: 'Impact', weight: 3, min: 1, max: 10 },
  { id: 'craft', title: 'Craft', weight: 1, min: 0, max: 5 },
];

function settings(overrides: Partial<AwardCategoryEntity> = {}) {
  return {
    method: 'score' as const,
    methodConfig: { minScores: 2 },
    criteria,
    winners: 1,
    shortListSize: null,
    ...overrides,
  };
}

describe('award rules', () => {
  describe('checkCategorySettings', () => {
    it('accepts a scored category with distinct criteria', () => {
      expect(() => checkCategorySettings(settings())).not.toThrow();
    });

    it.each([
      ['no criteria on a scored category', settings({ criteria: [] }), /at least one criterion/],
      ['criteria on a ranked category', settings({ method: 'schulze' }), /no scoring criteria/],
      [
        'a short list no longer than the winners',
        settings({ winners: 3, shortListSize: 3 }),
        /longer than the number of winners/,
      ],
      [
        'IRV with a short list',
        settings({ method: 'irv', criteria: [], shortListSize: 3 }),
        /IRV picks one winner/,
      ],
      [
        'a trimmed mean dropping nothing',
        settings({ methodConfig: { aggregate: 'trimmed_mean', trim: 0 } }),
        /at least one score/,
      ],
    ])('refuses %s', (_name, s, message) => {
      expect(() => checkCategorySettings(s)).toThrow(message);
    });
  });

  describe('ballotProblem', () => {
    const scored: BallotContext = {
      category: { method: 'score', criteria },
      round: { nomineeIds: ['a', 'b', 'c'] },
      conflicted: new Set(['c']),
    };
    const ranked: BallotContext = { ...scored, category: { method: 'borda', criteria: [] } };
    const full = { impact: 7, craft: 3 };

    it('accepts a complete submission of every nominee the juror may see', () => {
      expect(
        ballotProblem(scored, { scores: { a: full, b: { impact: 1, craft: 0 } } }, true),
      ).toBeNull();
      expect(ballotProblem(ranked, { ranking: ['b', 'a'] }, true)).toBeNull();
    });

    it('accepts a partial draft but not a partial submission', () => {
      expect(ballotProblem(scored, { scores: { a: full } }, false)).toBeNull();
      expect(ballotProblem(scored, { scores: { a: full } }, true)).toBe(
        'a submitted ballot scores every nominee; missing: b',
      );
      expect(ballotProblem(ranked, { ranking: ['a'] }, true)).toBe(
        'a submitted ballot ranks every nominee; missing: b',
      );
    });

    it.each([
      [
        { scores: { a: { impact: 11, craft: 3 } } },
        'score 11 for criterion "impact" is outside 1–10',
      ],
      [
        { scores: { a: { impact: 7, craft: -1 } } },
        'score -1 for criterion "craft" is outside 0–5',
      ],
      [
        { scores: { a: { impact: 7.555, craft: 3 } } },
        'score 7.555 for criterion "impact" has more than two decimals',
      ],
      [{ scores: { a: { impact: 7 } } }, 'nominee a has no score for criterion "craft"'],
      [{ scores: { a: { ...full, charm: 1 } } }, 'unknown criterion "charm"'],
      [{ scores: { z: full } }, 'nominee z is not in this round'],
      [{ scores: { c: full } }, 'nominee c is one you have a conflict of interest with'],
      [
        { scores: { a: [7, 3] as unknown as Record<string, number> } },
        'scores of nominee a must be an object of criterion scores',
      ],
      [{ ranking: ['a', 'b'] }, 'this category is scored: send scores, not a ranking'],
    ])('refuses scores %j', (content, reason) => {
      expect(ballotProblem(scored, content, false)).toBe(reason);
    });

    it.each([
      [{ ranking: ['a', 'a', 'b'] }, 'nominee a is ranked twice'],
      [{ ranking: ['a', 'c', 'b'] }, 'nominee c is one you have a conflict of interest with'],
      [{ ranking: ['x'] }, 'nominee x is not in this round'],
      [{ scores: {} }, 'this category is ranked: send a ranking, not scores'],
    ])('refuses ranking %j', (content, reason) => {
      expect(ballotProblem(ranked, content, false)).toBe(reason);
    });
  });

  describe('engine input', () => {
    it('counts a recusal as a missing score, never a zero', () => {
      const category = settings();
      const result = tally({
        method: 'score',
        config: engineConfig(category, 1),
        candidates: ['a', 'b'],
        ballots: [
          engineBallot(category, 'j1', {
            scores: { a: { impact: 8, craft: 4 }, b: { impact: 6, craft: 2 } },
          }),
          engineBallot(category, 'j2', { scores: { a: { impact: 4, craft: 0 } } }),
          engineBallot(category, 'j3', {
            scores: { a: { impact: 6, craft: 2 }, b: { impact: 10, craft: 2 } },
          }),
        ],
        seed: 'seed',
      });
      // Weighted (3·impact + craft) / 4 — a: 7, 3, 5 → 5; b: 5, 8 (j2 recused) → 6.5.
      expect(result.details.scores).toEqual({ a: '5', b: '6.5' });
      expect(result.winners).toEqual(['b']);
    });

    it('turns a ranking into one nominee per rank, and sets the round seats', () => {
      expect(engineBallot({ method: 'schulze' }, 'j', { ranking: ['b', 'a'] })).toEqual({
        ranking: [['b'], ['a']],
      });
      expect(engineConfig(settings({ method: 'schulze', criteria: [] }), 3)).toEqual({
        seats: 3,
        strength: 'winning',
        implicitRanking: false,
      });
      expect(engineConfig(settings({ method: 'borda', criteria: [] }), 2)).toEqual({
        seats: 2,
        points: 'borda',
      });
    });
  });

  it('labels jurors A…Z, then AA', () => {
    expect([0, 1, 25, 26, 27].map(jurorLabel)).toEqual([
      'Juror A',
      'Juror B',
      'Juror Z',
      'Juror AA',
      'Juror AB',
    ]);
  });
});
