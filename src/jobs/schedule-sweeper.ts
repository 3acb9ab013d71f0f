import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';

type Sweep = (now: Date) => Promise<unknown>;

/**
 * The schedule is data in PostgreSQL; this one timer (every SCHEDULE_SWEEP_INTERVAL_MS) runs each
 * module's sweep, which turns due transitions into work, so a restart loses none. Passes never
 * overlap within a process; across processes each sweep's own locks and status checks make a
 * transition happen once.
 */
@Injectable()
export class ScheduleSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScheduleSweeper.name);
  private readonly sweeps = new Map<string, Sweep>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(@InjectConfig() private readonly config: Config) {}

  register(name: string, sweep: Sweep): void {
    if (this.sweeps.has(name)) {
      throw new Error(`schedule sweep ${name} registered twice`);
    }
    this.sweeps.set(name, sweep);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.running) {
        this.running = this.sweepAll().finally(() => {
          this.running = undefined;
        });
      }
    }, this.config.queue.sweepIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs every sweep once; one that fails does not stop the others. */
  async sweepAll(now = new Date()): Promise<void> {
    for (const [name, sweep] of this.sweeps) {
      try {
        await sweep(now);
      } catch (error) {
        this.logger.error({ sweep: name, err: String(error) }, 'schedule sweep failed');
      }
    }
  }
}
