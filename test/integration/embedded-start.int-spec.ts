import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const PORT = 39000 + (process.pid % 500);
const PG_PORT = 56000 + (process.pid % 500);
const BASE = `http://127.0.0.1:${PORT}`;

/** The settings of `npm start` with no DATABASE_URL and no REDIS_URL, on the test's data folder. */
function embeddedEnv(dataDir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NODE_ENV: 'development',
    PORT: String(PORT),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    EMBEDDED_PG_DIR: join(dataDir, 'postgres'),
    EMBEDDED_PG_PORT: String(PG_PORT),
    ADMIN_EMAIL: 'first.admin@example.org',
    ADMIN_PASSWORD: 'a-long-admin-password',
    JWT_SECRET: 'x'.repeat(40),
  };
}

/** Runs a source entry point as `npm start` and `npm run seed` do (ts-node). */
function run(script: string, dataDir: string): ChildProcess {
  return spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', script],
    { cwd: ROOT, env: embeddedEnv(dataDir), stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** Starts the real entry point with no DATABASE_URL and no REDIS_URL, as `npm start` does. */
function startApp(dataDir: string): ChildProcess {
  return run('src/main.ts', dataDir);
}

/** `npm run seed` on the same data folder; resolves with its exit code and output. */
function seed(dataDir: string): Promise<{ code: number | null; output: string }> {
  const child = run('src/cli/seed.ts', dataDir);
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  return new Promise((done) =>
    child.once('exit', (code) => done({ code, output: output.join('') })),
  );
}

async function waitForHealth(child: ChildProcess, output: string[]): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) {
      throw new Error(`the app exited with ${child.exitCode}:\n${output.join('')}`);
    }
    try {
      const res = await fetch(`${BASE}/health`);
      if (res.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no healthy /health after 120 s:\n${output.join('')}`);
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolveExit) => {
    child.once('exit', (code) => resolveExit(code));
    child.kill('SIGTERM');
  });
}

async function login(
  email = 'first.admin@example.org',
  password = 'a-long-admin-password',
): Promise<string> {
  const res = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

describe('start with the embedded defaults', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ab-embedded-'));
  // As root the server runs as the postgres OS user, which must be able to reach the folder.
  chmodSync(dataDir, 0o755);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves a healthy API on embedded PostgreSQL and keeps the data across a restart', async () => {
    const output: string[] = [];
    const first = startApp(dataDir);
    first.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
    first.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    await waitForHealth(first, output);
    expect(output.join('')).toContain('/api/docs');

    const token = await login();
    const created = await fetch(`${BASE}/api/v1/members`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ memberNumber: 'R-1', kind: 'individual', name: 'Ольга Смирнова' }),
    });
    expect(created.status).toBe(201);
    expect(await stop(first)).toBe(0);

    const second = startApp(dataDir);
    const output2: string[] = [];
    second.stderr?.on('data', (d: Buffer) => output2.push(d.toString()));
    try {
      await waitForHealth(second, output2);
      const list = await fetch(`${BASE}/api/v1/members?q=R-1`, {
        headers: { authorization: `Bearer ${await login()}` },
      });
      const body = (await list.json()) as { items: { name: string }[] };
      expect(body.items.map((m) => m.name)).toEqual(['Ольга Смирнова']);
    } finally {
      expect(await stop(second)).toBe(0);
    }
  }, 300_000);

  it('runs the seed while the API serves on the same embedded data folder, and keeps serving', async () => {
    const output: string[] = [];
    const app = startApp(dataDir);
    app.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
    app.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    try {
      await waitForHealth(app, output);
      // The seed finds the server the API started on the folder, uses it and leaves it running.
      const seeded = await seed(dataDir);
      expect(seeded.code).toBe(0);
      const password = /Their password \(also in (.+)\): (\S+)/.exec(seeded.output);
      expect(password?.[1]).toBe(join(dataDir, 'seed-credentials.txt'));
      expect((await fetch(`${BASE}/health`)).status).toBe(200);
      await login('anna.petrova@example.org', password![2]);
    } finally {
      expect(await stop(app)).toBe(0);
    }
  }, 300_000);
});
