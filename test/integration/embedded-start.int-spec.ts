import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const PORT = 39000 + (process.pid % 500);
const PG_PORT = 56000 + (process.pid % 500);
const BASE = `http://127.0.0.1:${PORT}`;

/** Starts the real entry point with no DATABASE_URL and no REDIS_URL, as `npm start` does. */
function startApp(dataDir: string): ChildProcess {
  const env: Record<string, string> = {
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
  return spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'src/main.ts'],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
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

async function login(): Promise<string> {
  const res = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'first.admin@example.org', password: 'a-long-admin-password' }),
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
});
