import { resolve } from 'node:path';
import { Client, ClientConfig } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from 'src/config/config.types';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/** Migrations sit in the top-level migrations/ folder of whichever tree runs (sources or dist). */
export const MIGRATIONS_GLOB = resolve(__dirname, '..', '..', 'migrations', '*.{js,ts}');

/**
 * A pool connection that always has an error listener. The pool stops listening when it hands a
 * connection over, and TypeORM starts only a few microtasks later; a connection cut in between (a
 * new connection's ready message and the server's "terminating connection" read together, as
 * happens on a busy machine) emitted an error nobody heard, which ended the process. Whoever holds
 * the connection then finds it unusable at its next query, and the pool discards it on release.
 */
class ListenedClient extends Client {
  constructor(config?: ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

export function dataSourceOptions(
  url: string,
  config: Pick<DatabaseConfig, 'poolSize' | 'statementTimeoutMs' | 'logQueries'>,
): DataSourceOptions {
  return {
    type: 'postgres',
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    url,
    entities: ENTITIES,
    migrations: [MIGRATIONS_GLOB],
    migrationsTableName: 'schema_migration',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    // Failed statements are not logged here: most are constraint violations the services turn into
    // 4xx answers, and the rest reach the error filter, which logs them with their context.
    logging: config.logQueries ? 'all' : false,
    extra: {
      Client: ListenedClient,
      max: config.poolSize,
      connectionTimeoutMillis: 5000,
      statement_timeout: config.statementTimeoutMs,
      application_name: 'association-ballot',
    },
  };
}

export function createDataSource(
  url: string,
  config: Pick<DatabaseConfig, 'poolSize' | 'statementTimeoutMs' | 'logQueries'>,
): DataSource {
  return new DataSource(dataSourceOptions(url, config));
}
