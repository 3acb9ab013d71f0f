import { randomBytes } from 'node:crypto';
import type { Config } from 'src/config/config.types';
import { AuthException } from './auth.exception';
import { PasswordPolicy, personalWords } from './password-policy';

jest.setTimeout(60_000);

const ANNA = { email: 'anna.petrova@example.org', displayName: 'Анна Petrova' };

function policy(minScore = 3): PasswordPolicy {
  return new PasswordPolicy({ auth: { passwordMinScore: minScore } } as Config);
}

async function refusal(p: PasswordPolicy, password: string): Promise<AuthException> {
  try {
    await p.check(password, ANNA);
  } catch (error) {
    if (error instanceof AuthException) {
      return error;
    }
    throw error;
  }
  throw new Error(`"${password}" was accepted`);
}

describe('PasswordPolicy', () => {
  const p = policy();
  afterAll(async () => {
    await p.onModuleDestroy();
  });

  it.each([
    ['aaaaaaaaaaaa', /Repeated characters/],
    ['password1234', /similar to a commonly used password/],
    ['qwerty123456', /commonly used password/],
  ])('refuses %s and says why', async (password, why) => {
    const error = await refusal(p, password);
    expect(error.code).toBe('AUTH_WEAK_PASSWORD');
    expect(error.kind).toBe('invalid');
    expect(error.message).toMatch(
      /^The password is too easy to guess \(strength [0-2] of 4, at least 3 needed\): /,
    );
    expect(error.message).toMatch(why);
    expect(error.details).toEqual([
      { field: 'password', messages: expect.arrayContaining([expect.stringMatching(why)]) },
    ]);
  });

  it.each(['anna.petrova@example.org', 'anna.petrova2024', 'AnnaPetrova1985', 'petrova_anna_1985'])(
    'refuses %s, made of the e-mail address or the name',
    async (password) => {
      const error = await refusal(p, password);
      expect(error.code).toBe('AUTH_WEAK_PASSWORD');
    },
  );

  it('accepts a long passphrase and a random password', async () => {
    await expect(p.check('violet-tractor-sings-4-lanterns', ANNA)).resolves.toBeUndefined();
    await expect(p.check('pw-Q3v9xK2mLr8T', ANNA)).resolves.toBeUndefined();
  });

  it('names the field it judged', async () => {
    await expect(p.check('password1234', ANNA, 'newPassword')).rejects.toMatchObject({
      details: [{ field: 'newPassword' }],
    });
  });

  it('judges a 200-character password in bounded time', async () => {
    const started = Date.now();
    const random = randomBytes(150).toString('base64url');
    await expect(p.check(random, ANNA)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('accepts anything when PASSWORD_MIN_SCORE is 0', async () => {
    await expect(policy(0).check('aaaaaaaaaaaa', ANNA)).resolves.toBeUndefined();
  });
});

describe('personalWords', () => {
  it('lists the e-mail address, the name, their parts and the parts joined', () => {
    const words = personalWords(ANNA);
    expect(words).toEqual(
      expect.arrayContaining([
        'anna.petrova@example.org',
        'anna.petrova',
        'example',
        'анна petrova',
        'petrova',
        'анна',
        'annapetrova',
        'petrova.anna',
        'anna_petrova',
      ]),
    );
    expect(words).not.toContain('');
  });
});
