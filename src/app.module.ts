import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { AwardsModule } from './awards/awards.module';
import { FirstAdmin } from './auth/first-admin';
import { AccessGuard } from './auth/guards';
import { AllExceptionsFilter } from './common/http/all-exceptions.filter';
import { ConfigModule } from './config/config.module';
import type { Config } from './config/config.types';
import { DatabaseModule } from './database/database.module';
import { ElectionsModule } from './elections/elections.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { MembersModule } from './members/members.module';
import { ResultsModule } from './results/results.module';
import { TallyingModule } from './tallying/tallying.module';

/** The whole application; `main.ts` serves it over HTTP, `worker.ts` runs it without HTTP. */
@Module({})
export class AppModule {
  static forRoot(config: Config, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(config, databaseUrl),
        JobsModule.forRoot(config),
        AuditModule,
        AuthModule,
        MembersModule,
        TallyingModule,
        ElectionsModule,
        AwardsModule,
        ResultsModule,
        HealthModule,
      ],
      providers: [
        FirstAdmin,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
