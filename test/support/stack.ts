import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import jwt from 'jsonwebtoken';
import { Client } from 'pg';

/**
 * The system as it runs in production, for fault tests and benchmarks: the built API and worker as
 * child processes, a Redis server of their own (with AOF, so a restart keeps the queue as a
 * production Redis would), and voters minted straight into the database with tokens signed like
 * the API's. Needs `npm run build` first.
 */

export const ROOT = resolve(__dirname, '..', '..');

/** The PostgreSQL server the benchmarks create their scratch databases on (its maintenance URL). */
export const PG_SERVER_URL =
  process.env.BENCH_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ScratchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A new database on the server behind `serverUrl` (a URL on its maintenance database) with every
 * migration applied, for runs outside Jest, which has its own template (test/support/database.ts).
 */
export async function migratedDatabase(
  serverUrl: string,
  prefix = 'stack',
): Promise<ScratchDatabase> {
  // Loaded here so that tests which never call this do not load the entities.
  const { adminQuery, withDatabase } = await import('src/database/server-url');
  const { createDataSource } = await import('src/database/data-source');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = withDatabase(serverUrl, name);
  const drop = (): Promise<void> =>
    adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  const ds = createDataSource(url, { poolSize: 2, statementTimeoutMs: 0, logQueries: false });
  try {
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    await ds.destroy();
  } catch (error) {
    if (ds.isInitialized) {
      await ds.destroy();
    }
    await drop();
    throw error;
  }
  return { url, name, drop };
}

/** Thrown by a probe that knows waiting longer cannot help (the process it waits for died). */
export class GaveUp extends Error {}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` gives a value; fails naming what it waited for. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined | false;
    try {
      value = await probe();
    } catch (error) {
      if (error instanceof GaveUp) {
        throw error;
      }
      value = undefined;
    }
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > until) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(everyMs);
  }
}

export async function query<T = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A child process whose output is kept (for the failure message) and whose exit can be awaited. */
export class Service {
  readonly output: string[] = [];
  private exit?: Promise<number | null>;
  private child?: ChildProcess;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: Record<string, string>,
  ) {}

  start(): this {
    const child = spawn(this.command, this.args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => {
      this.output.push(chunk.toString());
      if (this.output.length > 400) {
        this.output.splice(0, this.output.length - 400);
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exit = new Promise((r) => child.once('exit', (code) => r(code)));
    this.child = child;
    return this;
  }

  get pid(): number {
    if (this.child?.pid === undefined) {
      throw new Error(`${this.name} is not running`);
    }
    return this.child.pid;
  }

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** Sends the signal and waits for the exit; a process that ignores it is killed after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000): Promise<number | null> {
    if (!this.child || !this.exit) {
      return null;
    }
    if (this.running) {
      this.child.kill(signal);
    }
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    try {
      return await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a signal without waiting for anything (SIGSTOP freezes the process, SIGCONT resumes it). */
  signal(signal: NodeJS.Signals): void {
    if (!this.running) {
      throw new Error(`${this.name} is not running`);
    }
    this.child!.kill(signal);
  }

  /** Resolves with the exit code once the process ends by itself (used for refused boots). */
  async exited(timeoutMs: number): Promise<number | null> {
    if (!this.exit) {
      throw new Error(`${this.name} was never started`);
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.exit,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${this.name} still running after ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resident memory in MiB, from /proc. */
  rssMiB(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : 0;
  }

  log(): string {
    return this.output.join('');
  }
}

/**
 * A redis-server of the test's own on a free port, appending to a file in a temporary folder: it can
 * be stopped, killed and started again without touching the machine's shared Redis.
 */
export class RedisServer {
  private service?: Service;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly extra: string[],
  ) {}

  static async start(extra: string[] = []): Promise<RedisServer> {
    const server = await RedisServer.create(extra);
    await server.up();
    return server;
  }

  /** A server with its port and folder chosen, not started yet: Redis unreachable until `up()`. */
  static async create(extra: string[] = []): Promise<RedisServer> {
    return new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'fault-redis-')), extra);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.service = new Service(
      'redis',
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--maxmemory-policy',
        'noeviction',
        ...this.extra,
      ],
      {},
    ).start();
    await waitFor('redis to accept connections', () => this.ping(), 10_000, 50);
  }

  /** Stops the server; SIGKILL loses nothing that was acknowledged, thanks to appendfsync always. */
  async down(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.service?.stop(signal);
  }

  /**
   * Freezes the server (SIGSTOP), as a hung Redis or a network partition looks: connections stay
   * open and nothing is answered.
   */
  freeze(): void {
    this.service?.signal('SIGSTOP');
  }

  thaw(): void {
    this.service?.signal('SIGCONT');
  }

  async restart(): Promise<void> {
    await this.down();
    await this.up();
  }

  async destroy(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async ping(): Promise<boolean> {
    return new Promise((resolvePing) => {
      const socket = connect(this.port, '127.0.0.1');
      socket.once('error', () => resolvePing(false));
      socket.once('data', (data: Buffer) => {
        socket.destroy();
        resolvePing(data.toString().startsWith('+PONG'));
      });
      socket.write('PING\r\n');
    });
  }
}

export interface StackOptions {
  databaseUrl: string;
  redisUrl?: string;
  /** Extra settings for every process of the stack. */
  env?: Record<string, string>;
}

export interface Credentials {
  email: string;
  password: string;
}

/**
 * Settings shared by the API and worker processes of one stack: production mode, so every boot check
 * applies, with a JWT secret and a signing key of the stack's own.
 */
export class Stack {
  readonly secret = randomBytes(32).toString('hex');
  readonly issuer = 'fault-stack';
  readonly audience = 'fault-stack-api';
  readonly admin: Credentials = {
    email: 'stack.admin@example.org',
    password: randomBytes(12).toString('hex'),
  };
  readonly prefix = `st${randomBytes(3).toString('hex')}`;
  /** The association's result-signing key, which production requires to be given. */
  readonly signingKey = generateKeyPairSync('ed25519')
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  readonly ballotKey = randomBytes(32).toString('base64');
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'fault-stack-'));
  readonly services: Service[] = [];

  constructor(readonly options: StackOptions) {}

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: this.options.databaseUrl,
      DB_MIGRATIONS_RUN: 'false',
      ...(this.options.redisUrl ? { REDIS_URL: this.options.redisUrl } : {}),
      QUEUE_PREFIX: this.prefix,
      JWT_SECRET: this.secret,
      JWT_ISSUER: this.issuer,
      JWT_AUDIENCE: this.audience,
      ADMIN_EMAIL: this.admin.email,
      ADMIN_PASSWORD: this.admin.password,
      AUDIT_SIGNING_KEY: this.signingKey,
      BALLOT_KEY: this.ballotKey,
      AUDIT_SIGNING_KEY_FILE: join(this.dataDir, 'audit-ed25519.pem'),
      ...this.options.env,
      ...extra,
    };
  }

  /** An API process; it serves HTTP and relays the outbox, and leaves jobs to the worker. */
  async api(extra: Record<string, string> = {}): Promise<ApiProcess> {
    const port = await freePort();
    const service = this.spawn('api', 'dist/src/main.js', {
      QUEUE_RUN_WORKER: 'false',
      PORT: String(port),
      ...extra,
    });
    const api = new ApiProcess(service, `http://127.0.0.1:${port}`);
    await api.healthy();
    return api;
  }

  /** A worker process; resolves once it logged that it started. */
  async worker(extra: Record<string, string> = {}): Promise<Service> {
    const service = this.spawn('worker', 'dist/src/worker.js', { LOG_LEVEL: 'info', ...extra });
    await waitFor(
      'the worker to start',
      () => service.log().includes('worker started') || (!service.running && failed(service)),
      60_000,
    );
    return service;
  }

  /** Starts a built entry point of the project with the stack's settings. */
  spawn(name: string, script: string, extra: Record<string, string> = {}): Service {
    if (!existsSync(join(ROOT, script))) {
      throw new Error(`${script} is missing: run \`npm run build\` first`);
    }
    const service = new Service(name, process.execPath, [script], this.env(extra)).start();
    this.services.push(service);
    return service;
  }

  /** Users of one role with live sessions and an access token each, with no member record. */
  async users(
    count: number,
    role: 'member' | 'jury' | 'admin',
    tag = randomBytes(3).toString('hex'),
  ): Promise<MintedUser[]> {
    const rows = await query<{ user_id: string; session_id: string }>(
      this.options.databaseUrl,
      `WITH u AS (
         INSERT INTO app_user (email, display_name, password_hash, role)
         SELECT '${role}-${tag}-' || i || '@stack.local', '${role} ${tag} ' || i, 'not-used', $2
         FROM generate_series(1, $1) AS i RETURNING id
       )
       INSERT INTO auth_session (user_id, refresh_token_hash, expires_at)
       SELECT id, encode(sha256(gen_random_uuid()::text::bytea), 'hex'), now() + interval '1 day' FROM u
       RETURNING user_id, id AS session_id`,
      [count, role],
    );
    return rows.map((r) => ({
      userId: r.user_id,
      token: this.accessToken(r.user_id, r.session_id, role),
    }));
  }

  /** Voters: users with live sessions and members with paid dues, and an access token each. */
  async voters(count: number, tag = randomBytes(3).toString('hex')): Promise<MintedVoter[]> {
    const rows = await query<{ user_id: string; session_id: string; member_id: string }>(
      this.options.databaseUrl,
      `WITH u AS (
         INSERT INTO app_user (email, display_name, password_hash, role)
         SELECT 'voter-${tag}-' || i || '@stack.local', 'Voter ${tag} ' || i, 'not-used', 'member'
         FROM generate_series(1, $1) AS i RETURNING id, email
       ), m AS (
         INSERT INTO member (member_number, kind, name, status, dues_paid_until, user_id)
         SELECT '${tag}-' || u.email, 'individual', 'Member ' || u.email, 'active', '2099-12-31', u.id
         FROM u RETURNING id, user_id
       ), s AS (
         INSERT INTO auth_session (user_id, refresh_token_hash, expires_at)
         SELECT m.user_id, encode(sha256(gen_random_uuid()::text::bytea), 'hex'), now() + interval '1 day'
         FROM m RETURNING id, user_id
       )
       SELECT s.user_id, s.id AS session_id, m.id AS member_id FROM s JOIN m USING (user_id)`,
      [count],
    );
    return rows.map((r) => ({
      memberId: r.member_id,
      token: this.accessToken(r.user_id, r.session_id, 'member'),
    }));
  }

  /** An access token signed like the API's, valid for an hour. */
  private accessToken(userId: string, sessionId: string, role: string): string {
    return jwt.sign({ sub: userId, sid: sessionId, role, ver: 0, typ: 'access' }, this.secret, {
      algorithm: 'HS256',
      expiresIn: 3600,
      issuer: this.issuer,
      audience: this.audience,
    });
  }

  /** The last lines each process of the stack wrote, for a failure report. */
  logTails(chars = 4000): string {
    return this.services
      .map((s) => `--- ${s.name} log (tail)\n${s.log().slice(-chars)}\n`)
      .join('');
  }

  /** Stops every process still running (SIGKILL: the test is over) and removes the data folder. */
  async destroy(): Promise<void> {
    await Promise.all(this.services.map((s) => s.stop('SIGKILL')));
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function failed(service: Service): never {
  throw new GaveUp(`${service.name} exited during start-up:\n${service.log()}`);
}

export interface MintedVoter {
  memberId: string;
  token: string;
}

export interface MintedUser {
  userId: string;
  token: string;
}

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** One API process and a small client for it. */
export class ApiProcess {
  constructor(
    readonly service: Service,
    readonly url: string,
  ) {}

  async healthy(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      'the API to listen',
      async () => {
        if (!this.service.running) {
          failed(this.service);
        }
        // Any answer will do: /health says 503 while Redis is away, and the API still serves.
        return (await fetch(`${this.url}/health`)).status > 0;
      },
      timeoutMs,
    );
  }

  async login(credentials: Credentials): Promise<string> {
    const reply = await this.call<{ accessToken: string }>(
      'POST',
      '/auth/login',
      undefined,
      credentials,
    );
    if (reply.status !== 200 && reply.status !== 201) {
      throw new Error(`login failed: ${reply.status} ${JSON.stringify(reply.body)}`);
    }
    return reply.body.accessToken;
  }

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers: Record<string, string> = {},
    timeoutMs = 15_000,
  ): Promise<Reply<T>> {
    const res = await fetch(`${this.url}/api/v1${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  }

  /** Like `call`, but a reply other than 2xx is an error naming the request. */
  async ok<T = Record<string, unknown>>(
    method: string,
    path: string,
    token: string,
    body?: unknown,
  ): Promise<T> {
    const reply = await this.call<T>(method, path, token, body);
    if (reply.status < 200 || reply.status > 299) {
      throw new Error(`${method} ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    }
    return reply.body;
  }
}
