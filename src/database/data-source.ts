import { resolve } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from 'src/config/config.types';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/** Migrations sit in the top-level migrations/ folder of whichever tree runs (sources or dist). */
export const MIGRATIONS_GLOB = resolve(__dirname, '..', '..', 'migrations', '*.{js,ts}');

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
