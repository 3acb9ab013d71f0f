import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
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
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly db: Database,
    private readonly jobs: JobsService,
    private readonly heartbeat: Heartbeat,
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    private readonly moduleRef: ModuleRef,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.database(), () => this.queue()]);
  }

  private async database(): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('database');
    try {
      await this.db.ping();
      return check.up();
    } catch (error) {
      return check.down({ message: error instanceof Error ? error.message : 'unreachable' });
    }
  }

  private async queue(): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('queue');
    const details = {
      driver: this.driver.kind,
      pendingJobs: await this.jobs.countPending(),
      lastHeartbeatAt: (await this.heartbeat.lastCompletedAt())?.toISOString() ?? null,
    };
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
