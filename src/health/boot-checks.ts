import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { Database } from 'src/database/database';
import { QUEUE_DRIVER, QueueDriver } from 'src/jobs/queue-driver';
import { ModuleRef } from '@nestjs/core';
import { RedisSettings } from 'src/jobs/redis-settings';

export class UnsafeDeploymentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Refusing to start: ${problems.join('; ')}`);
    this.name = 'UnsafeDeploymentError';
  }
}

/**
 * Settings that would silently lose votes or jobs. In production they stop the boot; elsewhere
 * they are logged as warnings.
 */
@Injectable()
export class BootChecks implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootChecks.name);

  constructor(
    @InjectConfig() private readonly config: Config,
    private readonly db: Database,
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const problems = await this.findProblems();
    if (problems.length === 0) {
      return;
    }
    if (this.config.app.nodeEnv === 'production') {
      throw new UnsafeDeploymentError(problems);
    }
    for (const problem of problems) {
      this.logger.warn(`unsafe outside development: ${problem}`);
    }
  }

  async findProblems(): Promise<string[]> {
    const problems: string[] = [];
    const rows =
      await this.db.dataSource.query<{ synchronous_commit: string }[]>('SHOW synchronous_commit');
    if (rows[0]?.synchronous_commit === 'off') {
      problems.push(
        'PostgreSQL synchronous_commit is off: a crash could lose acknowledged ballots',
      );
    }
    const { jwtIssuer, jwtAudience, jwtSecret } = this.config.auth;
    if (!jwtIssuer || !jwtAudience || jwtSecret.length < 32) {
      problems.push('JWT issuer, audience and a secret of at least 32 characters are required');
    }
    if (this.driver.kind === 'bullmq') {
      problems.push(...(await this.redisProblems()));
    }
    return problems;
  }

  /**
   * Redis's settings, when Redis can be reached now. An unreachable Redis does not stop the boot:
   * casting and closing need only PostgreSQL, jobs wait in the outbox, and no job is handed to
   * Redis before its settings have been checked and passed (health says so meanwhile).
   */
  private async redisProblems(): Promise<string[]> {
    const problems = await this.moduleRef.get(RedisSettings, { strict: false }).check();
    if (problems === undefined) {
      this.logger.warn(
        'Redis is unreachable: jobs wait in the outbox and are handed over once Redis is back and its settings pass',
      );
      return [];
    }
    return problems;
  }
}
