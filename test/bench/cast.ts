/**
 * Cast benchmark: the real HTTP API (built, started as its own process on embedded-free local
 * PostgreSQL) driven by autocannon from this process over loopback, each request a distinct voter
 * casting one ballot. Prints ballots/s and latency at 50 and 200 connections, checks afterwards that
 * stored ballots = participations = accepted receipts, and measures in the same run the ceiling:
 * PostgreSQL doing the same two-row transaction with no HTTP (pgbench, custom script, 32 clients).
 *
 *   npm run bench:cast              (BENCH_VOTERS=20000 per run by default)
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import { query as sql } from '../support/stack';

const ROOT = resolve(__dirname, '..', '..');
const SERVER = process.env.BENCH_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const VOTERS = Number(process.env.BENCH_VOTERS ?? 20000);
const PORT = 3900;
const SECRET = randomBytes(32).toString('hex');
const ISSUER = 'bench';
const AUDIENCE = 'bench-api';
const ADMIN = { email: 'bench.admin@example.org', password: randomBytes(12).toString('hex') };

function dbUrl(name: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

function startApi(databaseUrl: string): ChildProcess {
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of the API process there.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  return spawn(process.execPath, [...profile, 'dist/src/main.js'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      PORT: String(PORT),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      DB_POOL_SIZE: '40',
      JWT_SECRET: SECRET,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      // Every bench voter casts from 127.0.0.1: the per-address limit is meant for real NATs.
      CAST_LIMIT_PER_IP: '10000000',
    },
  });
}

async function waitHealthy(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/health`)).ok) {
        return;
      }
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('API did not become healthy');
}

async function api<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${PORT}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  }
  return (await res.json()) as T;
}

/** Voters as users with live sessions, members on the roll, and access tokens signed like the API's. */
async function makeVoters(url: string, tag: string, count: number): Promise<string[]> {
  const rows = await sql<{ user_id: string; session_id: string }>(
    url,
    `WITH u AS (
       INSERT INTO app_user (email, display_name, password_hash, role)
       SELECT 'voter-${tag}-' || i || '@bench.local', 'Voter ' || i, 'not-used', 'member'
       FROM generate_series(1, $1) AS i RETURNING id, email
     ), m AS (
       INSERT INTO member (member_number, kind, name, status, dues_paid_until, user_id)
       SELECT '${tag}-' || u.email, 'individual', u.email, 'active', '2099-12-31', u.id FROM u RETURNING user_id
     )
     INSERT INTO auth_session (user_id, refresh_token_hash, expires_at)
     SELECT m.user_id, encode(sha256(gen_random_uuid()::text::bytea), 'hex'), now() + interval '1 day' FROM m
     RETURNING user_id, id AS session_id`,
    [count],
  );
  return rows.map((r) =>
    jwt.sign({ sub: r.user_id, sid: r.session_id, role: 'member', ver: 0, typ: 'access' }, SECRET, {
      algorithm: 'HS256',
      expiresIn: 3600,
      issuer: ISSUER,
      audience: AUDIENCE,
    }),
  );
}

interface RunResult {
  connections: number;
  requests: number;
  ok: number;
  errors: number;
  non2xx: number;
  ballotsPerSecond: number;
  p50: number;
  p99: number;
  stored: { ballots: number; participations: number };
}

async function runCast(url: string, adminToken: string, connections: number): Promise<RunResult> {
  const tag = `c${connections}`;
  const tokens = await makeVoters(url, tag, VOTERS);
  const candidates = await sql<{ id: string }>(url, `SELECT id FROM member WHERE member_number LIKE '${tag}-%' LIMIT 3`);
  const election = await api<{ id: string }>('POST', '/elections', adminToken, {
    office: `Bench ${connections}`,
    method: 'plurality',
    seats: 1,
  });
  const candidateIds: string[] = [];
  for (const c of candidates) {
    candidateIds.push((await api<{ id: string }>('POST', `/elections/${election.id}/candidates`, adminToken, { memberId: c.id })).id);
  }
  await api('POST', `/elections/${election.id}/open`, adminToken, {});
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${PORT}/api/v1/elections/${election.id}/ballots`,
    connections,
    amount: tokens.length,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const i = next++;
          return {
            ...req,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length]}` },
            body: JSON.stringify({ ballot: { choice: candidateIds[i % candidateIds.length] } }),
          };
        },
      },
    ],
  });
  const [stored] = await sql<{ ballots: string; participations: string }>(
    url,
    `SELECT (SELECT count(*) FROM ballot WHERE election_id = $1) AS ballots,
            (SELECT count(*) FROM participation WHERE election_id = $1) AS participations`,
    [election.id],
  );
  const ok = result['2xx'];
  return {
    connections,
    requests: result.requests.sent,
    ok,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    ballotsPerSecond: Math.round(ok / (result.duration || 1)),
    p50: result.latency.p50,
    p99: result.latency.p99,
    stored: { ballots: Number(stored.ballots), participations: Number(stored.participations) },
  };
}

/** The same two-row transaction straight into PostgreSQL, no HTTP, 32 clients. */
function pgbenchCeiling(url: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cast-'));
  const script = join(dir, 'cast.sql');
  writeFileSync(
    script,
    `BEGIN;
INSERT INTO bench_participation (election_id, member_id) VALUES ('00000000-0000-4000-8000-000000000001', nextval('bench_member'));
INSERT INTO bench_ballot (id, election_id, content, weight, receipt)
  VALUES (gen_random_uuid(), '00000000-0000-4000-8000-000000000001', '{"choice":"a"}', 1, md5(random()::text) || md5(random()::text));
COMMIT;
`,
  );
  const out = execFileSync('pgbench', ['-n', '-c', '32', '-j', '2', '-T', '15', '-f', script, url], { encoding: 'utf8' });
  const match = /tps = ([\d.]+)/.exec(out);
  return match ? Math.round(Number(match[1])) : 0;
}

async function main(): Promise<void> {
  const name = `bench_cast_${randomBytes(4).toString('hex')}`;
  await sql(SERVER, `CREATE DATABASE "${name}"`);
  const url = dbUrl(name);
  const apiProcess = startApi(url);
  try {
    await waitHealthy();
    const login = await fetch(`http://127.0.0.1:${PORT}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    const adminToken = ((await login.json()) as { accessToken: string }).accessToken;
    const runs: RunResult[] = [];
    for (const connections of [50, 200]) {
      runs.push(await runCast(url, adminToken, connections));
    }
    await sql(
      url,
      `CREATE TABLE bench_participation (election_id uuid, member_id bigint, cast_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (election_id, member_id));
       CREATE TABLE bench_ballot (id uuid PRIMARY KEY, election_id uuid NOT NULL, content jsonb NOT NULL, weight integer NOT NULL, receipt char(64) UNIQUE NOT NULL);
       CREATE SEQUENCE bench_member;`,
    );
    const ceiling = pgbenchCeiling(url);
    const lines = [
      `cast benchmark: ${VOTERS} distinct voters per run, node ${process.version}, ${cpus().length} cores`,
      '',
      '| connections | ballots/s | p50 ms | p99 ms | 2xx | non-2xx | errors | stored ballots | stored participations | % of ceiling |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...runs.map(
        (r) =>
          `| ${r.connections} | ${r.ballotsPerSecond} | ${r.p50} | ${r.p99} | ${r.ok} | ${r.non2xx} | ${r.errors} | ${r.stored.ballots} | ${r.stored.participations} | ${Math.round((100 * r.ballotsPerSecond) / Math.max(ceiling, 1))}% |`,
      ),
      '',
      `ceiling (pgbench, same two-row transaction, 32 clients, no HTTP): ${ceiling} tx/s`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const consistent = runs.every((r) => r.stored.ballots === r.ok && r.stored.participations === r.ok);
    process.stdout.write(consistent ? 'counts: accepted receipts = ballots = participations\n' : 'COUNTS DIFFER\n');
    process.exitCode = consistent ? 0 : 1;
  } finally {
    apiProcess.kill('SIGTERM');
    await new Promise((r) => apiProcess.once('exit', r));
    await sql(SERVER, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
