import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { Database } from 'src/database/database';
import { QUEUE_DRIVER, QueueDriver } from 'src/jobs/queue-driver';
import { ModuleRef } from '@nestjs/core';
import { RedisProbe } from 'src/jobs/redis-probe';

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
   * An unreachable Redis is reported rather than thrown: outside production the API must still
   * start (work waits in the outbox), and in production the boot stops with a clear reason.
   */
  private async redisProblems(): Promise<string[]> {
    const redis = this.moduleRef.get(RedisProbe, { strict: false });
    let policy: string | undefined;
    let aof: string | undefined;
    try {
      policy = await redis.configValue('maxmemory-policy');
      aof = await redis.configValue('appendonly');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return [`Redis is unreachable, so its settings cannot be checked: ${message}`];
    }
    const problems: string[] = [];
    if (policy !== 'noeviction') {
      problems.push(
        `Redis maxmemory-policy is ${policy}; BullMQ needs noeviction or jobs can vanish`,
      );
    }
    if (aof !== 'yes' && this.config.app.nodeEnv === 'production') {
      problems.push('Redis appendonly is off: a Redis restart would lose queued jobs');
    }
    return problems;
  }
}
