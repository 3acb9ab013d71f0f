import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import type { Config } from 'src/config/config.types';
import { dataSourceOptions } from './data-source';
import { Database } from './database';
import { runMigrations } from './migrations';

/**
 * Connects and, with DB_MIGRATIONS_RUN, applies pending migrations under the migration lock, so
 * processes starting together on one database migrate it once.
 */
export async function openDataSource(
  options: DataSourceOptions,
  migrationsRun: boolean,
): Promise<DataSource> {
  const ds = await new DataSource(options).initialize();
  if (!migrationsRun) {
    return ds;
  }
  const logger = new Logger('Migrations');
  try {
    const applied = await runMigrations(ds, () =>
      logger.log('another process is applying migrations; waiting for it'),
    );
    if (applied.length > 0) {
      logger.log({ applied: applied.map((m) => m.name) }, 'migrations applied');
    }
    return ds;
  } catch (error) {
    await ds.destroy();
    throw error;
  }
}

/** TypeORM on PostgreSQL. `url` is DATABASE_URL or the embedded server's, resolved before boot. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: Config, url: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions(url, config.database),
            retryAttempts: 3,
            retryDelay: 1000,
          }),
          dataSourceFactory: (options) => openDataSource(options!, config.database.migrationsRun),
        }),
      ],
      providers: [Database],
      exports: [Database],
    };
  }
}
