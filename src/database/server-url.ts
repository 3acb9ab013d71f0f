import { Client } from 'pg';
import pino from 'pino';
import type { DatabaseConfig } from 'src/config/config.types';
import { EmbeddedDatabase, startEmbeddedPostgres } from './embedded-postgres';

export const LOCAL_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface ServerHandle {
  /** A URL on the server's maintenance database, for creating and dropping databases. */
  adminUrl: string;
  embedded?: EmbeddedDatabase;
}

/**
 * Finds a PostgreSQL server for tooling (tests, the migration drift check): DATABASE_URL when set,
 * else the local service on its default port, else the embedded server in its own data folder.
 */
export async function findServer(
  config: DatabaseConfig,
  embeddedOverrides: Partial<DatabaseConfig> = {},
): Promise<ServerHandle> {
  if (config.url) {
    const url = new URL(config.url);
    url.pathname = '/postgres';
    return { adminUrl: url.toString() };
  }
  if (await canConnect(LOCAL_SERVER_URL)) {
    return { adminUrl: LOCAL_SERVER_URL };
  }
  const embedded = await startEmbeddedPostgres(
    { ...config, ...embeddedOverrides },
    pino({ level: 'warn' }),
  );
  const url = new URL(embedded.url);
  url.pathname = '/postgres';
  return { adminUrl: url.toString(), embedded };
}

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
