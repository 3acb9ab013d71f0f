import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from 'src/config/load-config';
import { createDataSource } from 'src/database/data-source';
import { runMigrations, undoLastMigration } from 'src/database/migrations';
import { adminQuery, findServer, withDatabase } from 'src/database/server-url';
import type { DataSource } from 'typeorm';

/**
 * Migration tooling:
 *   run                 apply pending migrations to the configured database
 *   revert              undo the last migration
 *   generate <Name>     write migrations/<timestamp>-<Name>.ts from the entity/database difference
 *   check               apply every migration to an empty database and fail if entities still differ
 */
async function main(): Promise<number> {
  const [command, name] = process.argv.slice(2);
  const config = loadConfig();
  switch (command) {
    case 'run':
    case 'revert':
      return withConfiguredDatabase(config, async (ds) => {
        const waiting = (): void => out('another process is applying migrations; waiting for it');
        if (command === 'run') {
          const applied = await runMigrations(ds, waiting);
          out(applied.length ? applied.map((m) => `applied ${m.name}`).join('\n') : 'up to date');
        } else {
          await undoLastMigration(ds, waiting);
          out('reverted the last migration');
        }
        return 0;
      });
    case 'generate':
      if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
        out('usage: migration:generate -- <VerbNoun> (PascalCase, e.g. CreateMembers)');
        return 2;
      }
      return withScratchDatabase(config, async (ds) => {
        const sql = await pendingSchemaChanges(ds);
        if (sql.up.length === 0) {
          out('no changes: entities and migrations agree');
          return 0;
        }
        const file = writeMigration(name, sql);
        out(`wrote ${file}`);
        return 0;
      });
    case 'check':
      return withScratchDatabase(config, async (ds) => {
        const sql = await pendingSchemaChanges(ds);
        if (sql.up.length > 0) {
          out('migration drift: entities differ from migrations. Missing statements:');
          out(sql.up.map((q) => `  ${q}`).join('\n'));
          out('run: npm run migration:generate -- <VerbNoun>');
          return 1;
        }
        out(`migrations match the entities (${ds.migrations.length} migrations applied)`);
        return 0;
      });
    default:
      out('usage: migrate run | revert | generate <Name> | check');
      return 2;
  }
}

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

type Config = ReturnType<typeof loadConfig>;

async function withConfiguredDatabase(
  config: Config,
  work: (ds: DataSource) => Promise<number>,
): Promise<number> {
  let url = config.database.url;
  let stop: (() => Promise<void>) | undefined;
  if (!url) {
    const { startEmbeddedPostgres } = await import('src/database/embedded-postgres');
    const pino = (await import('pino')).default;
    const embedded = await startEmbeddedPostgres(config.database, pino({ level: 'warn' }));
    url = embedded.url;
    stop = () => embedded.stop();
  }
  const ds = createDataSource(url, config.database);
  await ds.initialize();
  try {
    return await work(ds);
  } finally {
    await ds.destroy();
    await stop?.();
  }
}

/** A fresh database with every migration applied, dropped afterwards. */
async function withScratchDatabase(
  config: Config,
  work: (ds: DataSource) => Promise<number>,
): Promise<number> {
  const server = await findServer(config.database, {
    embeddedDir: resolve(config.database.embeddedDir, '..', 'postgres-tooling'),
    embeddedPort: config.database.embeddedPort + 2,
  });
  const name = `migration_check_${randomBytes(6).toString('hex')}`;
  await adminQuery(server.adminUrl, `CREATE DATABASE "${name}"`);
  const ds = createDataSource(withDatabase(server.adminUrl, name), config.database);
  try {
    await ds.initialize();
    await runMigrations(ds);
    return await work(ds);
  } finally {
    if (ds.isInitialized) {
      await ds.destroy();
    }
    await adminQuery(server.adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await server.embedded?.stop();
  }
}

async function pendingSchemaChanges(ds: DataSource): Promise<{ up: string[]; down: string[] }> {
  const log = await ds.driver.createSchemaBuilder().log();
  return {
    up: log.upQueries.map((q) => q.query),
    down: log.downQueries.map((q) => q.query).reverse(),
  };
}

function writeMigration(name: string, sql: { up: string[]; down: string[] }): string {
  const timestamp = Date.now();
  const file = resolve(__dirname, '..', '..', 'migrations', `${timestamp}-${name}.ts`);
  const lines = (queries: string[]): string =>
    queries.map((q) => `    await queryRunner.query(${JSON.stringify(q)});`).join('\n');
  writeFileSync(
    file,
    `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${timestamp} implements MigrationInterface {
  name = '${name}${timestamp}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${lines(sql.up)}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${lines(sql.down)}
  }
}
`,
  );
  return file;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
