import Redis from 'ioredis';
import { createTestDatabase, TestDatabase } from '../support/database';
import { query, RedisServer, Stack, waitFor } from '../support/stack';
import { castOne, health, openElection, pool, RELAY_MS, tallied, tallyJob } from './scenario';

describe('a production API started while Redis is unreachable (child processes, own Redis)', () => {
  let database: TestDatabase;
  let redis: RedisServer;
  let stack: Stack;

  beforeAll(async () => {
    database = await createTestDatabase();
    // Evicting at first: once reachable, its settings must be checked before any job goes to it.
    redis = await RedisServer.create(['--maxmemory-policy', 'allkeys-lru']);
    stack = new Stack({
      databaseUrl: database.url,
      redisUrl: redis.url,
      env: { OUTBOX_RELAY_INTERVAL_MS: String(RELAY_MS), REDIS_CONNECT_TIMEOUT_MS: '500' },
    });
  });
  afterAll(async () => {
    await stack?.destroy();
    await redis?.destroy();
    await database?.drop();
  });

  /** Rethrows a failed wait with the outbox and the processes' logs, which tell why. */
  async function explained(error: Error): Promise<never> {
    const outbox = await query(
      database.url,
      'SELECT id, job_name, status, attempts, available_at, last_error FROM outbox ORDER BY id',
    );
    throw new Error(`${error.message}\noutbox: ${JSON.stringify(outbox)}\n${stack.logTails(8000)}`);
  }

  it('serves casting and closing, and hands the tally over once Redis is back and its settings pass', async () => {
    const api = await stack.api();
    const admin = await api.login(stack.admin);
    const unreachable = await health(api);
    expect(unreachable.status).toBe(503);
    expect(unreachable.queue).toMatchObject({
      redis: 'unreachable',
      redisSettings: 'unchecked',
      handingOver: false,
    });
    // A worker waits for Redis instead of refusing to start.
    const waiting = stack.spawn('worker', 'dist/src/worker.js', { LOG_LEVEL: 'info' });
    await waitFor(
      'the worker to wait for Redis',
      () => waiting.log().includes('waiting for Redis'),
      60_000,
    );

    const voters = await stack.voters(40);
    const e = await openElection(
      api,
      admin,
      database.url,
      { office: 'Editor', method: 'plurality', seats: 1 },
      2,
    );
    const casts = await pool(voters, 10, (v, i) =>
      castOne(api, e.id, v, { choice: e.candidateIds[i % 2] }),
    );
    expect(casts.map((c) => c.status)).toEqual(casts.map(() => 201));
    expect((await api.call('POST', `/elections/${e.id}/close`, admin)).status).toBe(200);
    await waitFor(
      'the relay to have offered the job',
      async () => (await tallyJob(database.url, e.id))?.last_error ?? undefined,
      10_000,
    ).catch(explained);
    expect(await tallyJob(database.url, e.id)).toMatchObject({
      status: 'pending',
      last_error: expect.stringContaining('Redis is not reachable'),
    });

    // Redis returns with an eviction policy that can lose jobs: the API checks it and hands over
    // nothing; the waiting worker checks it too and refuses to start.
    await redis.up();
    await waitFor(
      'the relay to refuse the unsafe Redis',
      async () => (await tallyJob(database.url, e.id))?.last_error?.includes('unsafe'),
      10_000,
    ).catch(explained);
    // Health says so (a check that finds no answer in time on a busy machine is asked again).
    const unsafe = await waitFor(
      'health to report the unsafe settings',
      async () => {
        const answer = await health(api);
        return answer.queue.redis === 'up' ? answer : undefined;
      },
      10_000,
    );
    expect(unsafe.status).toBe(503);
    expect(unsafe.queue).toMatchObject({ redisSettings: 'unsafe', handingOver: false });
    expect(await waiting.exited(60_000)).not.toBe(0);
    expect(waiting.log()).toMatch(/maxmemory-policy/);
    expect((await tallyJob(database.url, e.id))?.status).toBe('pending');

    // Fixed: the next relay pass finds the settings passing and hands the job over.
    const client = new Redis(redis.url);
    try {
      await client.config('SET', 'maxmemory-policy', 'noeviction');
    } finally {
      client.disconnect();
    }
    const fixed = Date.now();
    await waitFor(
      'the tally job to be handed over',
      async () => (await tallyJob(database.url, e.id))?.status !== 'pending',
      10_000,
      20,
    ).catch(explained);
    const relayedMs = Date.now() - fixed;
    const worker = await stack.worker();
    const run = await tallied(database.url, e.id, 60_000);
    process.stdout.write(`redis settings fixed: tally job handed over ${relayedMs} ms later\n`);
    // Within a few relay periods, busy machine included: the next pass reads the settings again.
    expect(relayedMs).toBeLessThan(RELAY_MS * 10);
    expect(run.ballot_count).toBe(40);
    const healthy = await waitFor(
      '/health to answer 200',
      async () => {
        const answer = await health(api);
        return answer.status === 200 ? answer : undefined;
      },
      10_000,
    );
    expect(healthy.queue).toMatchObject({
      redis: 'up',
      redisSettings: 'passed',
      handingOver: true,
    });
    await Promise.all([api.service.stop(), worker.stop()]);
  });
});
