import { adminQuery } from 'src/database/server-url';
import { createTestDatabase, TestDatabase } from '../support/database';
import { RedisServer, Stack } from '../support/stack';

/** TRUST 35: a production process refuses to start on settings that could lose ballots or jobs. */
describe('boot safety of the real entry points (child processes)', () => {
  let database: TestDatabase;
  const redisServers: RedisServer[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(redisServers.map((r) => r.destroy()));
    await database?.drop();
  });

  async function redis(extra: string[] = []): Promise<RedisServer> {
    const server = await RedisServer.start(extra);
    redisServers.push(server);
    return server;
  }

  /** Starts `script` and expects it to exit with a failure whose output names `reason`. */
  async function refused(
    stack: Stack,
    script: string,
    reason: RegExp,
    env: Record<string, string> = {},
  ): Promise<void> {
    const service = stack.spawn(script.includes('worker') ? 'worker' : 'api', script, env);
    const code = await service.exited(60_000);
    expect(code).not.toBe(0);
    expect(service.log()).toMatch(reason);
  }

  it('starts when everything is durable (the control case)', async () => {
    const stack = new Stack({ databaseUrl: database.url, redisUrl: (await redis()).url });
    try {
      const api = await stack.api();
      expect(api.service.running).toBe(true);
    } finally {
      await stack.destroy();
    }
  });

  it('refuses Redis with an eviction policy other than noeviction, in the API and the worker', async () => {
    const evicting = await redis(['--maxmemory-policy', 'allkeys-lru']);
    const stack = new Stack({ databaseUrl: database.url, redisUrl: evicting.url });
    try {
      await refused(stack, 'dist/src/main.js', /maxmemory-policy/);
      await refused(stack, 'dist/src/worker.js', /maxmemory-policy/);
    } finally {
      await stack.destroy();
    }
  });

  it('refuses Redis without an append-only file', async () => {
    const volatile = await redis(['--appendonly', 'no']);
    const stack = new Stack({ databaseUrl: database.url, redisUrl: volatile.url });
    try {
      await refused(stack, 'dist/src/main.js', /appendonly/);
    } finally {
      await stack.destroy();
    }
  });

  it('refuses missing JWT settings, naming each', async () => {
    const stack = new Stack({ databaseUrl: database.url, redisUrl: (await redis()).url });
    try {
      await refused(stack, 'dist/src/main.js', /JWT_SECRET/, { JWT_SECRET: '' });
      await refused(stack, 'dist/src/main.js', /JWT_ISSUER/, { JWT_ISSUER: '' });
      await refused(stack, 'dist/src/main.js', /JWT_AUDIENCE/, { JWT_AUDIENCE: '' });
    } finally {
      await stack.destroy();
    }
  });

  it('refuses PostgreSQL with synchronous_commit off', async () => {
    const stack = new Stack({ databaseUrl: database.url, redisUrl: (await redis()).url });
    await adminQuery(
      process.env.TEST_PG_SERVER_URL!,
      `ALTER DATABASE "${database.name}" SET synchronous_commit = off`,
    );
    try {
      await refused(stack, 'dist/src/main.js', /synchronous_commit/);
    } finally {
      await adminQuery(
        process.env.TEST_PG_SERVER_URL!,
        `ALTER DATABASE "${database.name}" RESET synchronous_commit`,
      );
      await stack.destroy();
    }
  });
});
