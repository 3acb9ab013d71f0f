import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Config } from 'src/config/config.types';
import { dataSourceOptions } from './data-source';
import { Database } from './database';

/** TypeORM on PostgreSQL. `url` is DATABASE_URL or the embedded server's, resolved before boot. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: Config, url: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(url, config.database),
          migrationsRun: config.database.migrationsRun,
          retryAttempts: 3,
          retryDelay: 1000,
        }),
      ],
      providers: [Database],
      exports: [Database],
    };
  }
}
