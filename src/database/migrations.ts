import type { DataSource, Migration, QueryRunner } from 'typeorm';
import { MigrationExecutor } from 'typeorm';

/** Advisory locks belong to one database, so this key serialises migrations of that database only. */
const LOCK_KEY = `hashtext('migrations'), hashtext('schema_migration')`;

/**
 * Runs `work` on one connection holding the migration lock. Processes that start together (an API
 * and a worker on an empty database) take turns: the first applies the migrations, the next finds
 * none pending. The lock is the session's, so it ends with the connection if the process dies.
 */
export async function withMigrationLock<T>(
  ds: DataSource,
  work: (runner: QueryRunner) => Promise<T>,
  onWait: () => void = () => undefined,
): Promise<T> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    const [{ locked }] = (await runner.query(
      `SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`,
    )) as { locked: boolean }[];
    if (!locked) {
      onWait();
      // However long the other process's migrations take: the statement timeout is not for this wait.
      await runner.query('SET statement_timeout = 0');
      await runner.query(`SELECT pg_advisory_lock(${LOCK_KEY})`);
      await runner.query('RESET statement_timeout');
    }
    try {
      return await work(runner);
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}

function executor(ds: DataSource, runner: QueryRunner): MigrationExecutor {
  const migrations = new MigrationExecutor(ds, runner);
  migrations.transaction = ds.options.migrationsTransactionMode ?? 'each';
  return migrations;
}

/** Applies the pending migrations, one process at a time; returns those this call applied. */
export function runMigrations(ds: DataSource, onWait?: () => void): Promise<Migration[]> {
  return withMigrationLock(ds, (runner) => executor(ds, runner).executePendingMigrations(), onWait);
}

/** Undoes the last applied migration under the same lock. */
export function undoLastMigration(ds: DataSource, onWait?: () => void): Promise<void> {
  return withMigrationLock(ds, (runner) => executor(ds, runner).undoLastMigration(), onWait);
}
