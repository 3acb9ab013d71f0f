import { ConfigError, loadConfig } from './load-config';

const SECRET = 'a'.repeat(40);

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  return [];
}

const production = (overrides: Record<string, string> = {}): Record<string, string> => ({
  NODE_ENV: 'production',
  JWT_SECRET: SECRET,
  JWT_ISSUER: 'assoc',
  JWT_AUDIENCE: 'assoc-api',
  ...overrides,
});

describe('loadConfig', () => {
  it('loads a complete production configuration', () => {
    const config = loadConfig(
      production({
        DATABASE_URL: 'postgres://u@db/x',
        REDIS_URL: 'redis://r:6380/2',
        PORT: '8080',
      }),
    );
    expect(config.app).toMatchObject({
      nodeEnv: 'production',
      port: 8080,
      bodyLimitBytes: 1_048_576,
      trustProxy: [],
    });
    expect(config.auth).toMatchObject({
      jwtSecret: SECRET,
      jwtIssuer: 'assoc',
      jwtAudience: 'assoc-api',
    });
    expect(config.database.url).toBe('postgres://u@db/x');
    expect(config.queue.redisUrl).toBe('redis://r:6380/2');
  });

  it('refuses production without JWT_ISSUER, naming the variable', () => {
    const env = production();
    delete env.JWT_ISSUER;
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/JWT_ISSUER is required/);
    expect(problemsOf(env)).toEqual(['JWT_ISSUER is required']);
  });

  it('refuses production without JWT_AUDIENCE or JWT_SECRET, naming each', () => {
    const env = production();
    delete env.JWT_AUDIENCE;
    delete env.JWT_SECRET;
    expect(problemsOf(env).sort()).toEqual([
      'JWT_AUDIENCE is required',
      'JWT_SECRET is required in production',
    ]);
  });

  it('refuses a short JWT secret in any mode', () => {
    expect(problemsOf({ NODE_ENV: 'test', JWT_SECRET: 'short' })).toEqual([
      'JWT_SECRET must be at least 32 characters',
    ]);
    expect(problemsOf(production({ JWT_SECRET: 'x'.repeat(31) }))).toEqual([
      'JWT_SECRET must be at least 32 characters',
    ]);
  });

  it('defaults issuer and audience outside production and makes a random test secret', () => {
    const a = loadConfig({ NODE_ENV: 'test' });
    const b = loadConfig({ NODE_ENV: 'test' });
    expect(a.auth.jwtIssuer).toBe('association-ballot');
    expect(a.auth.jwtAudience).toBe('association-ballot-api');
    expect(a.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(a.auth.jwtSecret).not.toBe(b.auth.jwtSecret);
  });

  it('collects every problem before failing', () => {
    const problems = problemsOf({
      NODE_ENV: 'staging',
      JWT_SECRET: SECRET,
      PORT: 'eighty',
      DB_POOL_SIZE: '0',
      DB_LOG_QUERIES: 'maybe',
      LOG_LEVEL: 'loud',
    });
    expect(problems).toEqual([
      'NODE_ENV must be one of development, test, production (got "staging")',
      'PORT must be an integer from 0 to 65535 (got "eighty")',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      'DB_POOL_SIZE must be an integer from 1 to 500 (got "0")',
      'DB_LOG_QUERIES must be true or false (got "maybe")',
    ]);
  });

  it('refuses integers with trailing garbage or fractions', () => {
    expect(problemsOf({ NODE_ENV: 'test', PORT: '80abc' })).toEqual([
      'PORT must be an integer from 0 to 65535 (got "80abc")',
    ]);
    expect(problemsOf({ NODE_ENV: 'test', LOGIN_LIMIT_PER_IP: '1.5' })).toHaveLength(1);
  });

  it('refuses database and Redis URLs with the wrong scheme or no URL at all', () => {
    expect(problemsOf({ NODE_ENV: 'test', DATABASE_URL: 'mysql://x/y' })).toEqual([
      'DATABASE_URL must use postgres: or postgresql: (got "mysql:")',
    ]);
    expect(problemsOf({ NODE_ENV: 'test', REDIS_URL: 'not a url' })).toEqual([
      'REDIS_URL is not a valid URL',
    ]);
  });

  it('refuses a body limit under 1 KiB and a short ADMIN_PASSWORD', () => {
    expect(
      problemsOf({ NODE_ENV: 'test', BODY_LIMIT_BYTES: '10', ADMIN_PASSWORD: 'short' }),
    ).toEqual([
      'BODY_LIMIT_BYTES must be an integer from 1024 to 67108864 (got "10")',
      'ADMIN_PASSWORD must be at least 12 characters',
    ]);
  });

  it('reads lists and booleans', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      TRUST_PROXY: '10.0.0.1, 10.0.0.2,',
      QUEUE_RUN_WORKER: 'no',
      DB_MIGRATIONS_RUN: 'YES',
    });
    expect(config.app.trustProxy).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(config.queue.runWorker).toBe(false);
    expect(config.database.migrationsRun).toBe(true);
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ NODE_ENV: 'test', PORT: '', REDIS_URL: '' });
    expect(config.app.port).toBe(3000);
    expect(config.queue.redisUrl).toBeUndefined();
  });

  it('limits public routes generously (off in tests unless set) and asks passwords for a score of 3', () => {
    const config = loadConfig(production());
    expect(config.rateLimits).toEqual({
      publicLimitPerIp: 1200,
      publicLimitWindowSeconds: 60,
      redisTimeoutMs: 100,
    });
    expect(config.auth.passwordMinScore).toBe(3);
    expect(loadConfig({ NODE_ENV: 'test' }).rateLimits.publicLimitPerIp).toBe(10_000_000);
    expect(
      loadConfig({ NODE_ENV: 'test', PUBLIC_LIMIT_PER_IP: '5' }).rateLimits.publicLimitPerIp,
    ).toBe(5);
    expect(
      problemsOf(production({ PASSWORD_MIN_SCORE: '5', RATE_LIMIT_REDIS_TIMEOUT_MS: '0' })),
    ).toEqual(
      expect.arrayContaining([
        'PASSWORD_MIN_SCORE must be an integer from 0 to 4 (got "5")',
        'RATE_LIMIT_REDIS_TIMEOUT_MS must be an integer from 5 to 10000 (got "0")',
      ]),
    );
  });

  it('gives each embedded data folder a port of its own unless EMBEDDED_PG_PORT is set', () => {
    const port = (env: Record<string, string>): number =>
      loadConfig({ NODE_ENV: 'test', ...env }).database.embeddedPort;
    const one = port({ EMBEDDED_PG_DIR: '/srv/checkout-one/.data/postgres' });
    const two = port({ EMBEDDED_PG_DIR: '/srv/checkout-two/.data/postgres' });
    expect(one).not.toBe(two);
    // The same folder gets the same port at every start, and it is not an ephemeral one.
    expect(port({ EMBEDDED_PG_DIR: '/srv/checkout-one/.data/postgres' })).toBe(one);
    expect([one, two].every((p) => p >= 20_000 && p < 30_000)).toBe(true);
    expect(
      port({ EMBEDDED_PG_DIR: '/srv/checkout-one/.data/postgres', EMBEDDED_PG_PORT: '54329' }),
    ).toBe(54329);
  });
});
