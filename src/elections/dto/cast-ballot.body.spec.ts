import { BadRequestException } from '@nestjs/common';
import { createValidationPipe } from 'src/common/validation/validation.pipe';
import { CastBallotDto } from './ballot.dto';
import { validateCastBallot } from './cast-ballot.body';

const U1 = '6f1c1f5e-3c6b-4b7e-9d7a-111111111111';
const U2 = 'a3bb189e-8bf9-4888-9912-ace4e6543002';
const pipe = createValidationPipe();

type Outcome = { ok: unknown } | { refused: unknown };

/** What the decorator-driven pipe makes of a body: the DTO, or the 400's body. */
async function byDecorators(body: unknown): Promise<Outcome> {
  try {
    // A copy: the pipe deletes `constructor` and `__proto__` keys from what it is given.
    const dto: unknown = await pipe.transform(structuredClone(body), {
      type: 'body',
      metatype: CastBallotDto,
    });
    return { ok: JSON.parse(JSON.stringify(dto)) };
  } catch (error) {
    return { refused: (error as BadRequestException).getResponse() };
  }
}

function byHand(body: unknown): Outcome {
  try {
    return { ok: JSON.parse(JSON.stringify(validateCastBallot(body))) };
  } catch (error) {
    return { refused: (error as BadRequestException).getResponse() };
  }
}

const valid: unknown[] = [
  { ballot: { choice: 'yes' } },
  { ballot: { choice: U1 }, memberId: U2 },
  { ballot: { choice: 'x'.repeat(64) } },
  { ballot: { choice: '😀'.repeat(64) } },
  { ballot: { approve: [] } },
  { ballot: { approve: [U1, U2.toUpperCase()] } },
  { ballot: { preferences: [] } },
  {
    ballot: {
      preferences: [
        { candidateId: U1, rank: 1 },
        { rank: 1000, candidateId: U2 },
      ],
    },
  },
  { ballot: { blank: true } },
  { ballot: {} },
  { ballot: { choice: 'yes', approve: [U1] } },
];

const invalid: unknown[] = [
  1,
  'x',
  true,
  [],
  { ballot: null },
  { ballot: 1 },
  { ballot: 'x' },
  { ballot: { choice: null } },
  { ballot: { choice: 1 } },
  { ballot: { choice: ['a'] } },
  { ballot: { choice: {} } },
  { ballot: { choice: 'x'.repeat(65) } },
  { ballot: { approve: null } },
  { ballot: { approve: 'x' } },
  { ballot: { approve: U1 } },
  { ballot: { approve: {} } },
  { ballot: { approve: [U1, 'x'] } },
  { ballot: { approve: [1] } },
  { ballot: { approve: Array<string>(201).fill(U1) } },
  { ballot: { approve: ['6f1c1f5e-3c6b-1b7e-9d7a-111111111111'] } },
  { ballot: { preferences: null } },
  { ballot: { preferences: 'x' } },
  { ballot: { preferences: {} } },
  { ballot: { preferences: { candidateId: U1, rank: 1 } } },
  { ballot: { preferences: { candidateId: U1, rank: 1, weight: 2 } } },
  { ballot: { preferences: [null, 1, 'x', {}] } },
  { ballot: { preferences: [{ candidateId: 'x', rank: 0 }] } },
  { ballot: { preferences: [{ candidateId: U1, rank: 1.5 }] } },
  { ballot: { preferences: [{ candidateId: U1, rank: '1' }] } },
  { ballot: { preferences: [{ candidateId: U1, rank: -1 }] } },
  { ballot: { preferences: [{ candidateId: U1, rank: 1001 }] } },
  { ballot: { preferences: [{ candidateId: U1, rank: Infinity }] } },
  { ballot: { preferences: [{ candidateId: U1, rank: null }] } },
  { ballot: { preferences: [{ candidateId: U1 }] } },
  { ballot: { preferences: [{ candidateId: U1, rank: 1, weight: 5 }] } },
  {
    ballot: { preferences: Array.from({ length: 201 }, (_, i) => ({ candidateId: U1, rank: i })) },
  },
  { ballot: { blank: false } },
  { ballot: { blank: null } },
  { ballot: { blank: 'true' } },
  { ballot: { choice: 'yes', extra: 1 } },
  { ballot: { choice: 'yes' }, extra: 1 },
  { ballot: { choice: 'yes' }, voterId: 'x', weight: 100 },
  { ballot: { choice: 'yes' }, memberId: null },
  { ballot: { choice: 'yes' }, memberId: 'x' },
  { ballot: { choice: 'yes' }, memberId: 7 },
  { memberId: 'x', ballot: { choice: 1, approve: 'x', preferences: [{}], blank: 0, z: 1 }, y: 2 },
];

/** A test name for a body: its JSON, shortened. */
function named(bodies: unknown[]): [string, unknown][] {
  return bodies.map((b) => {
    const json = JSON.stringify(b);
    return [json.length > 90 ? `${json.slice(0, 87)}...` : json, b];
  });
}

describe('validateCastBallot', () => {
  it.each(named(valid))('accepts %s as the decorators do', async (_, body) => {
    const expected = await byDecorators(body);
    expect(expected).toHaveProperty('ok');
    expect(byHand(body)).toEqual(expected);
  });

  it.each(named(invalid))('refuses %s with the decorators’ 400', async (_, body) => {
    const expected = await byDecorators(body);
    expect(expected).toHaveProperty('refused');
    expect(byHand(body)).toEqual(expected);
  });

  it('agrees with the decorators on thousands of generated bodies', async () => {
    const random = seeded(20261122);
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const body = generate(random);
      const expected = await byDecorators(body);
      expect([JSON.stringify(body), byHand(body)]).toEqual([JSON.stringify(body), expected]);
      accepted += 'ok' in expected ? 1 : 0;
    }
    // Both kinds of answer are well represented.
    expect(accepted).toBeGreaterThan(500);
    expect(accepted).toBeLessThan(4500);
  });

  // Where the decorators let nonsense through, the hand check is stricter; all of these were
  // refused anyway further on (a 500 for the missing ballot), now with a 400 naming the field.
  it.each([
    ['no body', undefined, 'ballot', 'ballot must be an object'],
    ['a null body', null, 'ballot', 'ballot must be an object'],
    ['no ballot', {}, 'ballot', 'ballot must be an object'],
    ['a list as the ballot', { ballot: [] }, 'ballot', 'ballot must be an object'],
    [
      'a list as a preference',
      { ballot: { preferences: [[]] } },
      'ballot.preferences.0',
      'each value in preferences must be an object',
    ],
    [
      'a field named after an Object method',
      { ballot: { choice: 'yes', toString: 1 } },
      'ballot.toString',
      'property toString should not exist',
    ],
    [
      'a constructor field',
      { ballot: { choice: 'yes' }, constructor: 1 },
      'constructor',
      'property constructor should not exist',
    ],
  ])('refuses %s, which the decorators let through', async (_, body, field, message) => {
    expect(await byDecorators(body)).toHaveProperty('ok');
    expect(byHand(body)).toEqual({
      refused: { message: 'Validation failed', details: [{ field, messages: [message] }] },
    });
  });

  it('refuses a list as the body as a whole, where the decorators name its items', async () => {
    const body = [{ ballot: { choice: 'yes' } }];
    expect(await byDecorators(body)).toHaveProperty('refused');
    expect(byHand(body)).toEqual({
      refused: {
        message: 'Validation failed',
        details: [{ field: 'body', messages: ['Validation failed (object is expected)'] }],
      },
    });
  });

  it('passes on only the known fields', () => {
    const dto = validateCastBallot({
      memberId: U2,
      ballot: { preferences: [{ candidateId: U1, rank: 1 }] },
    });
    expect(dto).toEqual({
      memberId: U2,
      ballot: { preferences: [{ candidateId: U1, rank: 1 }] },
    });
  });
});

/** A small deterministic generator (mulberry32), so a failure names a body that can be replayed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, options: readonly T[]): T {
  return options[Math.floor(random() * options.length)];
}

const SCALARS: readonly unknown[] = [
  null,
  0,
  1,
  -1,
  1.5,
  1000,
  1001,
  '1',
  '',
  'yes',
  'x'.repeat(70),
  U1,
  U2.toUpperCase(),
  '6f1c1f5e-3c6b-1b7e-9d7a-111111111111',
  true,
  false,
];

function anyValue(random: () => number, depth = 0): unknown {
  const r = random();
  if (depth > 2 || r < 0.6) {
    return pick(random, SCALARS);
  }
  if (r < 0.8) {
    return Array.from({ length: Math.floor(random() * 3) }, () => anyValue(random, depth + 1));
  }
  return { candidateId: anyValue(random, depth + 1), [pick(random, ['rank', 'x'])]: 1 };
}

/**
 * Bodies near the expected shape: the right fields mostly, with wrong types, values and extras mixed
 * in. Never a list where the ballot or a preference belongs, where the hand check is stricter.
 */
function generate(random: () => number): unknown {
  const maybe = (p: number, make: () => unknown): unknown => (random() < p ? make() : undefined);
  const preference = (): unknown =>
    random() < 0.8
      ? {
          candidateId: maybe(0.9, () => (random() < 0.7 ? U1 : anyValue(random))),
          rank: maybe(0.9, () =>
            random() < 0.6 ? 1 + Math.floor(random() * 3) : anyValue(random),
          ),
          weight: maybe(0.1, () => anyValue(random)),
        }
      : pick(random, SCALARS);
  const preferences = (): unknown => {
    const r = random();
    return r < 0.8
      ? Array.from({ length: Math.floor(random() * 4) }, preference)
      : r < 0.9
        ? preference()
        : pick(random, SCALARS);
  };
  const ballot = {
    choice: maybe(0.4, () => (random() < 0.5 ? 'yes' : anyValue(random))),
    approve: maybe(0.3, () => (random() < 0.5 ? [U1, U2] : [U1, anyValue(random)])),
    preferences: maybe(0.4, preferences),
    blank: maybe(0.2, () => (random() < 0.5 ? true : anyValue(random))),
    extra: maybe(0.1, () => anyValue(random)),
  };
  const body = {
    memberId: maybe(0.2, () => (random() < 0.5 ? U2 : anyValue(random))),
    ballot: random() < 0.95 ? ballot : pick(random, [null, 1, 'x', true]),
    other: maybe(0.1, () => anyValue(random)),
  };
  // Through JSON, as a request body arrives: the fields left undefined disappear.
  return JSON.parse(JSON.stringify(body));
}
