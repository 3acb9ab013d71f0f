import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { OnJob } from './job-handler.decorator';
import { JobName, JobPayloads, jobId } from './job-catalogue';
import { JobsService } from './jobs.service';
import { OutboxRepository } from './outbox.repository';

const HEARTBEAT_EVERY_MS = 30_000;

/**
 * A real job through the real path (outbox → queue → worker → handler). The health endpoint reports
 * when one last completed, which shows whether a worker is consuming.
 */
@Injectable()
export class Heartbeat implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly jobs: JobsService,
    private readonly outbox: OutboxRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One heartbeat per period, whichever API process writes it first. */
  async beat(now = new Date()): Promise<string> {
    const id = jobId('heartbeat', String(Math.floor(now.getTime() / HEARTBEAT_EVERY_MS)));
    await this.jobs.enqueue(JobName.Heartbeat, { requestedAt: now.toISOString() }, id);
    return id;
  }

  lastCompletedAt(): Promise<Date | null> {
    return this.outbox.lastFinished(JobName.Heartbeat);
  }

  @OnJob(JobName.Heartbeat)
  handle(payload: JobPayloads[JobName.Heartbeat]): Promise<{ latencyMs: number }> {
    return Promise.resolve({ latencyMs: Date.now() - Date.parse(payload.requestedAt) });
  }
}
