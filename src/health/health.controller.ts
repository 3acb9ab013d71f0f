import { Controller, Get, Inject, Logger, Res, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { Public } from 'src/common/auth/policy.decorators';
import { Database } from 'src/database/database';
import { ModuleRef } from '@nestjs/core';
import { RedisProbe } from 'src/jobs/redis-probe';
import { Heartbeat } from 'src/jobs/heartbeat';
import { JobsService } from 'src/jobs/jobs.service';
import { QUEUE_DRIVER, QueueDriver } from 'src/jobs/queue-driver';

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly db: Database,
    private readonly jobs: JobsService,
    private readonly heartbeat: Heartbeat,
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** 200 when everything is up; 503 with the same per-check report when something is down. */
  @Get()
  @Public()
  @HealthCheck()
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.database(), () => this.queue()]);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) {
        void reply.status(503);
        return error.getResponse() as HealthCheckResult;
      }
      throw error;
    }
  }

  private async database(): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('database');
    try {
      await this.db.ping();
      return check.up();
    } catch (error) {
      // Public endpoint: say that it is down, not where it lives.
      this.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'database check failed',
      );
      return check.down({ message: 'unreachable' });
    }
  }

  private async queue(): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('queue');
    let details: Record<string, unknown>;
    try {
      details = {
        driver: this.driver.kind,
        pendingJobs: await this.jobs.countPending(),
        // Not a reason for 503 (the API still serves), but a figure to alert on when above zero.
        failedJobs: await this.jobs.countFailed(),
        lastHeartbeatAt: (await this.heartbeat.lastCompletedAt())?.toISOString() ?? null,
      };
    } catch {
      return check.down({ driver: this.driver.kind, message: 'outbox unreadable' });
    }
    if (this.driver.kind === 'bullmq') {
      try {
        await this.moduleRef.get(RedisProbe, { strict: false }).ping();
      } catch {
        // Casting does not depend on Redis; report it down so operators see it.
        return check.down({ ...details, redis: 'unreachable' });
      }
      return check.up({ ...details, redis: 'up' });
    }
    return check.up(details);
  }
}
