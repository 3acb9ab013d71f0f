import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import pino from 'pino';
import request from 'supertest';
import { createHttpApp } from 'src/bootstrap';
import { loadConfig } from 'src/config/load-config';
import { adminQuery } from 'src/database/server-url';
import { BootChecks, UnsafeDeploymentError } from 'src/health/boot-checks';
import { createTestDatabase, TestDatabase, testRedisUrl } from '../support/database';

jest.setTimeout(60_000);

/** TRUST 35: settings that would silently lose ballots or jobs stop a production boot. */
describe('start-up safety checks (integration)', () => {
  let database: TestDatabase;
  let redis: Redis;

  const env = (overrides: Record<string, string> = {}): Record<string, string> => ({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    QUEUE_RUN_WORKER: 'false',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    JWT_ISSUER: 'boot-check-test',
    JWT_AUDIENCE: 'boot-check-test-api',
    ...overrides,
  });

  /** Runs `work` with the shared Redis's eviction policy changed, and always puts it back. */
  async function withEvictionPolicy<T>(policy: string, work: () => Promise<T>): Promise<T> {
    const [, original] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    await redis.config('SET', 'maxmemory-policy', policy);
    try {
      return await work();
    } finally {
      await redis.config('SET', 'maxmemory-policy', original);
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    redis.disconnect();
    await database.drop();
  });

  it('finds no problem with durable settings outside production', async () => {
    const [, aof] = (await redis.config('GET', 'appendonly')) as string[];
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const app = await createHttpApp(
      loadConfig(env({ NODE_ENV: 'test' })),
      database.url,
      pino({ level: 'silent' }),
    );
    try {
      const problems = await app.get(BootChecks).findProblems();
      // appendonly is only demanded in production; this Redis may run without it.
      expect(problems).toEqual(
        policy === 'noeviction' ? [] : [expect.stringContaining('maxmemory-policy')],
      );
      expect(aof === 'yes' || problems.every((p) => !p.includes('appendonly'))).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('refuses a production boot with an evicting Redis, Redis without AOF and synchronous_commit off', async () => {
    const [, aof] = (await redis.config('GET', 'appendonly')) as string[];
    await adminQuery(
      process.env.TEST_PG_SERVER_URL!,
      `ALTER DATABASE "${database.name}" SET synchronous_commit = off`,
    );
    try {
      await withEvictionPolicy('allkeys-lru', async () => {
        const app = await createHttpApp(loadConfig(env()), database.url, pino({ level: 'silent' }));
        try {
          const problems = await app.get(BootChecks).findProblems();
          expect(problems).toEqual(
            expect.arrayContaining([
              expect.stringMatching(/synchronous_commit is off/),
              expect.stringMatching(/maxmemory-policy is allkeys-lru/),
            ]),
          );
          if (aof !== 'yes') {
            expect(problems).toEqual(
              expect.arrayContaining([expect.stringMatching(/appendonly is off/)]),
            );
          }
          const boot = await app.init().then(
            () => null,
            (error: unknown) => error,
          );
          expect(boot).toBeInstanceOf(UnsafeDeploymentError);
          expect((boot as UnsafeDeploymentError).problems).toEqual(problems);
        } finally {
          await app.close();
        }
      });
    } finally {
      await adminQuery(
        process.env.TEST_PG_SERVER_URL!,
        `ALTER DATABASE "${database.name}" RESET synchronous_commit`,
      );
    }
  });

  it('starts a production API while Redis is unreachable, and reports that no job is handed over', async () => {
    const app = await createHttpApp(
      loadConfig(env({ REDIS_URL: 'redis://127.0.0.1:6390', REDIS_CONNECT_TIMEOUT_MS: '500' })),
      database.url,
      pino({ level: 'silent' }),
    );
    try {
      // Casting and closing need only PostgreSQL; jobs wait in the outbox.
      await expect(app.get(BootChecks).findProblems()).resolves.toEqual([]);
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      const health = await request(app.getHttpServer()).get('/health');
      expect(health.status).toBe(503);
      expect(health.body.details.database.status).toBe('up');
      expect(health.body.details.queue).toMatchObject({
        status: 'down',
        redis: 'unreachable',
        redisSettings: 'unchecked',
        handingOver: false,
      });
    } finally {
      await app.close();
    }
  });
});
