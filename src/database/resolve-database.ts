import type { Logger } from 'pino';
import type { Config } from 'src/config/config.types';
import { startEmbeddedPostgres } from './embedded-postgres';

/** DATABASE_URL when set; otherwise the embedded PostgreSQL, started now. */
export async function resolveDatabase(
  config: Config,
  log: Logger,
): Promise<{ url: string; stop: () => Promise<void> }> {
  if (config.database.url) {
    return { url: config.database.url, stop: () => Promise.resolve() };
  }
  const embedded = await startEmbeddedPostgres(config.database, log);
  return { url: embedded.url, stop: () => embedded.stop() };
}
