import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { dataSourceOptions } from 'src/database/data-source';
import { openDataSource } from 'src/database/database.module';
import { adminQuery, withDatabase } from 'src/database/server-url';
import { query } from '../support/stack';

const ROOT = resolve(__dirname, '..', '..');
const MIGRATIONS = readdirSync(resolve(ROOT, 'migrations')).filter((f) => f.endsWith('.ts')).length;

/** An empty database (no template), dropped after the test. */
async function emptyDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = process.env.TEST_PG_SERVER_URL!;
  const name = `test_empty_${randomBytes(5).toString('hex')}`;
  await adminQuery(server, `CREATE DATABASE "${name}"`);
  return {
    url: withDatabase(server, name),
    drop: () => adminQuery(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function appliedMigrations(url: string): Promise<string[]> {
  const rows = await query<{ name: string }>(url, 'SELECT name FROM schema_migration ORDER BY id');
  return rows.map((r) => r.name);
}

/** `npm run migration:run` against `url`; resolves with its exit code and output. */
function migrateCli(url: string): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'src/cli/migrate.ts',
        'run',
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: url },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output: string[] = [];
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    child.once('exit', (code) => done({ code, output: output.join('') }));
  });
}

/** Processes starting together on an empty database (the API and a worker) migrate it once. */
describe('migrations started twice at once on an empty database (integration)', () => {
  it('lets two booting processes both come up, with every migration applied once', async () => {
    const database = await emptyDatabase();
    const options = dataSourceOptions(database.url, {
      poolSize: 2,
      statementTimeoutMs: 30_000,
      logQueries: false,
    });
    const booted = await Promise.allSettled([
      openDataSource(options, true),
      openDataSource(options, true),
    ]);
    try {
      expect(booted.map((b) => (b.status === 'rejected' ? String(b.reason) : b.status))).toEqual([
        'fulfilled',
        'fulfilled',
      ]);
      const names = await appliedMigrations(database.url);
      expect(names).toHaveLength(MIGRATIONS);
      expect(new Set(names).size).toBe(MIGRATIONS);
    } finally {
      for (const b of booted) {
        if (b.status === 'fulfilled') {
          await b.value.destroy();
        }
      }
      await database.drop();
    }
  });

  it('lets two `migration:run` commands both succeed, one applying and one finding nothing to do', async () => {
    const database = await emptyDatabase();
    try {
      const runs = await Promise.all([migrateCli(database.url), migrateCli(database.url)]);
      expect(runs.map((r) => [r.code, r.output.trim().length > 0])).toEqual([
        [0, true],
        [0, true],
      ]);
      const outputs = runs.map((r) => r.output).sort();
      // One of them applied all of them; the other waited for it, then had nothing left to apply.
      expect(outputs.join('\n').match(/^applied /gm)).toHaveLength(MIGRATIONS);
      expect(outputs.some((o) => o.includes('up to date'))).toBe(true);
      const names = await appliedMigrations(database.url);
      expect(names).toHaveLength(MIGRATIONS);
      expect(new Set(names).size).toBe(MIGRATIONS);
    } finally {
      await database.drop();
    }
  });
});
