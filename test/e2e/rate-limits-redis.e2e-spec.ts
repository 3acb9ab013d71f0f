import { randomBytes } from 'node:crypto';
import { AddressInfo, createServer, connect, Server, Socket } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions } from 'fastify';
import pino from 'pino';
import { createHttpApp } from 'src/bootstrap';
import { RateLimits } from 'src/common/rate-limit/rate-limits';
import { loadConfig } from 'src/config/load-config';
import { JobsService } from 'src/jobs/jobs.service';
import { testRedisUrl } from '../support/database';
import { startTestApp, TestApp } from '../support/test-app';
import { draftElection, newVoters, openElection, rowCounts } from './elections.fixtures';

jest.setTimeout(120_000);

interface Answer {
  status: number;
  ms: number;
  body: { code?: string; details?: { reason?: string } };
}

async function send(
  app: NestFastifyApplication,
  from: string,
  method: 'GET' | 'POST',
  url: string,
  options: { token?: string; body?: unknown } = {},
): Promise<Answer> {
  const headers: InjectOptions['headers'] = { 'content-type': 'application/json' };
  if (options.token !== undefined) {
    headers.authorization = `Bearer ${options.token}`;
  }
  const started = performance.now();
  const res = await app
    .getHttpAdapter()
    .getInstance()
    .inject({
      method,
      url,
      remoteAddress: from,
      headers,
      ...(options.body === undefined ? {} : { payload: JSON.stringify(options.body) }),
    });
  return { status: res.statusCode, ms: performance.now() - started, body: res.json() };
}

function cast(
  app: NestFastifyApplication,
  from: string,
  token: string,
  election: string,
  choice: string,
): Promise<Answer> {
  return send(app, from, 'POST', `/api/v1/elections/${election}/ballots`, {
    token,
    body: { ballot: { choice } },
  });
}

function login(
  app: NestFastifyApplication,
  from: string,
  email: string,
  password: string,
): Promise<Answer> {
  return send(app, from, 'POST', '/api/v1/auth/login', { body: { email, password } });
}

/** Waits, without a fixed sleep, until `probe` holds. */
async function until(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Rejects when `promise` has not settled within `ms`: a request that waits on a hung Redis. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** The settings every app of a test shares, so that one's tokens are good on another. */
function sharedEnv(extra: Record<string, string>): Record<string, string> {
  return {
    JWT_SECRET: randomBytes(32).toString('hex'),
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    ...extra,
  };
}

/** A second API process on the first one's database, Redis and settings. */
async function secondApp(t: TestApp, env: Record<string, string>): Promise<NestFastifyApplication> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: t.database.url,
    REDIS_URL: t.config.queue.redisUrl,
    QUEUE_RUN_WORKER: 'false',
    ...env,
  });
  const app = await createHttpApp(config, t.database.url, pino({ level: 'silent' }));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/**
 * TRUST 38: with REDIS_URL, every API process counts against the same limits. (Login is covered by
 * the integration test of the limits: Passport keeps one strategy per name for the whole Node
 * process, so two apps in one test process would share their login limits anyway.)
 */
describe('rate limits shared by two API processes through Redis (e2e)', () => {
  const PER_USER = 3;
  const PER_IP = 8;
  const PUBLIC_PER_IP = 5;
  let a: TestApp;
  let b: NestFastifyApplication;
  let admin: string;

  beforeAll(async () => {
    const env = sharedEnv({
      CAST_LIMIT_PER_USER: String(PER_USER),
      CAST_LIMIT_PER_IP: String(PER_IP),
      CAST_LIMIT_WINDOW_SECONDS: '600',
      PUBLIC_LIMIT_PER_IP: String(PUBLIC_PER_IP),
    });
    a = await startTestApp({ redis: true, env });
    b = await secondApp(a, env);
    await until('both processes to keep their limits in Redis', () =>
      [a.app, b].every((app) => app.get(RateLimits).inRedis),
    );
    admin = (await a.userWithToken('admin')).token;
  });
  afterAll(async () => {
    await b.close();
    await a.app.get(JobsService).drain();
    await a.close();
  });

  async function openYesNo(): Promise<string> {
    const e = await draftElection(a, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
    await openElection(a, admin, e.id);
    return e.id;
  }

  it('holds the casting limit per address across both processes', async () => {
    const voters = await newVoters(a, PER_IP + 4);
    const election = await openYesNo();
    const statuses: number[] = [];
    for (const [i, voter] of voters.entries()) {
      statuses.push(
        (await cast(i % 2 === 0 ? a.app : b, '10.44.1.1', voter.token, election, 'yes')).status,
      );
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(PER_IP);
    expect(statuses.slice(PER_IP)).toEqual([429, 429, 429, 429]);
    expect(await rowCounts(a, election)).toEqual({ ballots: PER_IP, participations: PER_IP });
  });

  it('holds the casting limit per user across both processes', async () => {
    const [voter] = await newVoters(a, 1);
    const election = await openYesNo();
    const statuses: number[] = [];
    for (let i = 0; i < PER_USER + 2; i++) {
      statuses.push(
        (await cast(i % 2 === 0 ? a.app : b, '10.44.2.1', voter.token, election, 'maybe')).status,
      );
    }
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
  });

  it('holds the public-route limit per address across both processes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PUBLIC_PER_IP + 2; i++) {
      statuses.push(
        (await send(i % 2 === 0 ? a.app : b, '10.44.4.1', 'GET', '/api/v1/public/notices')).status,
      );
    }
    expect(statuses).toEqual([...Array<number>(PUBLIC_PER_IP).fill(200), 429, 429]);
  });
});

/** A Redis stand-in that forwards to the real one until frozen, as a stopped or cut-off server. */
class FreezableProxy {
  private readonly server: Server;
  private readonly pairs: { client: Socket; upstream: Socket; up: Buffer[]; down: Buffer[] }[] = [];
  private frozen = false;

  constructor(private readonly target: URL) {
    this.server = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      const pair = { client, upstream, up: [] as Buffer[], down: [] as Buffer[] };
      this.pairs.push(pair);
      client.on('data', (d: Buffer) => (this.frozen ? pair.up.push(d) : upstream.write(d)));
      upstream.on('data', (d: Buffer) => (this.frozen ? pair.down.push(d) : client.write(d)));
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const db = this.target.pathname.length > 1 ? this.target.pathname : '';
    return `redis://127.0.0.1:${(this.server.address() as AddressInfo).port}${db}`;
  }

  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const pair of this.pairs) {
      pair.up.splice(0).forEach((d) => pair.upstream.write(d));
      pair.down.splice(0).forEach((d) => pair.client.write(d));
    }
  }

  async stop(): Promise<void> {
    this.thaw();
    this.pairs.forEach((p) => p.client.destroy());
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** TRUST 38: casting and login never wait on Redis; while it is away the limits hold in memory. */
describe('rate limits while Redis is away (e2e)', () => {
  const PER_USER = 2;
  const TIMEOUT_MS = 1_500;

  describe('Redis hung (answers nothing, keeps its connections)', () => {
    let proxy: FreezableProxy;
    let t: TestApp;
    let admin: string;

    beforeAll(async () => {
      proxy = new FreezableProxy(new URL(testRedisUrl()));
      const url = await proxy.start();
      t = await startTestApp({
        env: {
          REDIS_URL: url,
          QUEUE_RUN_WORKER: 'false',
          CAST_LIMIT_PER_USER: String(PER_USER),
          RATE_LIMIT_REDIS_TIMEOUT_MS: String(TIMEOUT_MS),
        },
      });
      await until('the limits to be kept in Redis', () => t.app.get(RateLimits).inRedis);
      admin = (await t.userWithToken('admin')).token;
    });
    afterAll(async () => {
      proxy.thaw();
      await t.close();
      await proxy.stop();
    });

    it('answers casts and logins in their usual time, limits them in memory, and returns to Redis', async () => {
      const voters = await newVoters(t, 4);
      const e = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
      await openElection(t, admin, e.id);
      const member = await t.userWithToken('member');
      const usual = await cast(t.app, '10.45.1.1', voters[0].token, e.id, 'yes');
      expect(usual.status).toBe(201);

      proxy.freeze();
      // The first check waits out the timeout once; the ones after it do not ask Redis at all.
      const first = await within(5_000, cast(t.app, '10.45.1.1', voters[1].token, e.id, 'yes'));
      expect(first.status).toBe(201);
      expect(first.ms).toBeLessThan(usual.ms + TIMEOUT_MS + 2_000);
      expect(t.app.get(RateLimits).inRedis).toBe(false);
      const next = await within(5_000, cast(t.app, '10.45.1.1', voters[2].token, e.id, 'yes'));
      expect(next.status).toBe(201);
      expect(next.ms).toBeLessThan(usual.ms + TIMEOUT_MS / 2);
      const signIn = await within(5_000, login(t.app, '10.45.1.1', member.email, member.password));
      expect(signIn.status).toBe(200);
      // The limits still hold, counted in this process's memory.
      const statuses: number[] = [];
      for (let i = 0; i < PER_USER + 1; i++) {
        statuses.push(
          (await within(5_000, cast(t.app, '10.45.1.2', voters[3].token, e.id, 'maybe'))).status,
        );
      }
      expect(statuses).toEqual([400, 400, 429]);
      expect(await rowCounts(t, e.id)).toEqual({ ballots: 3, participations: 3 });

      proxy.thaw();
      await until('the limits to be kept in Redis again', () => t.app.get(RateLimits).inRedis);
    });
  });

  describe('Redis unreachable', () => {
    let t: TestApp;
    let admin: string;
    let quiet: jest.SpyInstance;

    beforeAll(async () => {
      // The queue's connections report each refused connection on the console.
      quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      // A port that was free a moment ago: connections to it are refused.
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = (probe.address() as AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      t = await startTestApp({
        env: {
          REDIS_URL: `redis://127.0.0.1:${port}`,
          QUEUE_RUN_WORKER: 'false',
          CAST_LIMIT_PER_USER: String(PER_USER),
        },
      });
      admin = (await t.userWithToken('admin')).token;
    });
    afterAll(async () => {
      await t.close();
      quiet.mockRestore();
    });

    it('answers casts and logins, and limits them in memory', async () => {
      const [voter, other] = await newVoters(t, 2);
      const e = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
      await openElection(t, admin, e.id);
      const statuses: number[] = [];
      for (let i = 0; i < PER_USER + 1; i++) {
        statuses.push(
          (await within(5_000, cast(t.app, '10.46.1.1', voter.token, e.id, 'maybe'))).status,
        );
      }
      expect(statuses).toEqual([400, 400, 429]);
      expect((await within(5_000, cast(t.app, '10.46.1.1', other.token, e.id, 'yes'))).status).toBe(
        201,
      );
      const member = await t.userWithToken('member');
      expect(
        (await within(5_000, login(t.app, '10.46.1.1', member.email, member.password))).status,
      ).toBe(200);
      expect(t.app.get(RateLimits).inRedis).toBe(false);
    });
  });
});
