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
import { RedisSettings } from 'src/jobs/redis-settings';
import { Heartbeat } from 'src/jobs/heartbeat';
import { JobsService } from 'src/jobs/jobs.service';
import { QUEUE_DRIVER, QueueDriver } from 'src/jobs/queue-driver';

/**
 * Each check answers within this or is reported down: a hung dependency (a frozen Redis keeps its
 * connection open and never answers) must not keep health from answering within its own timeout.
 */
export const HEALTH_CHECK_TIMEOUT_MS = 2000;

class NoAnswer extends Error {
  constructor() {
    super(`no answer within ${HEALTH_CHECK_TIMEOUT_MS} ms`);
  }
}

/** The promise's value, or a NoAnswer rejection once the check's time is up. */
async function inTime<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new NoAnswer()), HEALTH_CHECK_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

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
      await inTime(this.db.ping());
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
    const bullmq = this.driver.kind === 'bullmq';
    const redisSettings = bullmq ? this.moduleRef.get(RedisSettings, { strict: false }) : undefined;
    // In parallel, so the whole check takes one timeout at most.
    const [outbox, redis] = await Promise.allSettled([
      inTime(this.outboxDetails()),
      bullmq ? inTime(this.moduleRef.get(RedisProbe, { strict: false }).ping()) : undefined,
      // Perhaps reachable again a moment ago: the settings are read rather than reported as before.
      redisSettings && redisSettings.current.status !== 'passed'
        ? inTime(redisSettings.check())
        : undefined,
    ]);
    if (outbox.status === 'rejected') {
      return check.down({ driver: this.driver.kind, message: 'outbox unreadable' });
    }
    const details = { driver: this.driver.kind, ...outbox.value };
    if (!redisSettings) {
      return check.up(details);
    }
    // Casting does not depend on Redis; it is reported down so that operators see it.
    if (redis.status === 'rejected') {
      this.logger.warn(
        { err: redis.reason instanceof Error ? redis.reason.message : String(redis.reason) },
        'redis check failed',
      );
      return check.down({
        ...details,
        redis: 'unreachable',
        redisSettings: 'unchecked',
        handingOver: false,
      });
    }
    const settings = redisSettings.current;
    const report = {
      ...details,
      redis: 'up',
      redisSettings: settings.status,
      handingOver: settings.handOver,
    };
    // Until its settings have passed, Redis gets no job: the jobs wait in the outbox.
    return settings.handOver ? check.up(report) : check.down(report);
  }

  private async outboxDetails(): Promise<Record<string, unknown>> {
    return {
      pendingJobs: await this.jobs.countPending(),
      // Not a reason for 503 (the API still serves), but a figure to alert on when above zero.
      failedJobs: await this.jobs.countFailed(),
      lastHeartbeatAt: (await this.heartbeat.lastCompletedAt())?.toISOString() ?? null,
    };
  }
}
