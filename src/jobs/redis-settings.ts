import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { RedisProbe } from './redis-probe';

/**
 * What is known of Redis's settings: `unchecked` until they have been read on the current
 * connection (Redis unreachable since start, or the connection dropped since), then `passed` or
 * `unsafe`.
 */
export type RedisSettingsStatus = 'unchecked' | 'passed' | 'unsafe';

/**
 * The settings BullMQ needs so that no job vanishes: `noeviction`, and in production the
 * append-only file. They are read whenever the probe's connection is (re)established and whenever
 * a job is about to be handed over while they have not passed, so a process that started while
 * Redis was away checks them as soon as it is back, and hands it no job before they pass.
 */
@Injectable()
export class RedisSettings {
  private readonly logger = new Logger(RedisSettings.name);
  private status: RedisSettingsStatus = 'unchecked';
  private problems: string[] = [];
  private checking: Promise<string[] | undefined> | undefined;

  constructor(
    @InjectConfig() private readonly config: Config,
    private readonly probe: RedisProbe,
  ) {
    probe.onConnected(() => void this.check());
    probe.onDisconnected(() => {
      this.status = 'unchecked';
    });
  }

  get current(): { status: RedisSettingsStatus; handOver: boolean } {
    return { status: this.status, handOver: this.allowsHandOver() };
  }

  /**
   * Reads the settings now (one read at a time); resolves with the problems found, or undefined
   * when Redis cannot be reached.
   */
  check(): Promise<string[] | undefined> {
    this.checking ??= this.read().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  /**
   * Resolves with the problems found once the settings could be read, reading them every second
   * while Redis cannot be reached; `onWait` runs once if the first read fails.
   */
  async settled(onWait: () => void): Promise<string[]> {
    for (let waiting = false; ;) {
      const problems = await this.check();
      if (problems !== undefined) {
        return problems;
      }
      if (!waiting) {
        waiting = true;
        onWait();
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  /** Why no job may be handed to Redis now, or undefined when jobs may be handed over. */
  async refusal(): Promise<string | undefined> {
    if (this.status !== 'passed') {
      const problems = await this.check();
      if (problems === undefined) {
        return 'Redis is not reachable, so its settings cannot be checked';
      }
    }
    return this.allowsHandOver()
      ? undefined
      : `Redis settings are unsafe, so no job is handed to it: ${this.problems.join('; ')}`;
  }

  /** Outside production unsafe settings are warned about, not enforced. */
  private allowsHandOver(): boolean {
    return (
      this.status === 'passed' ||
      (this.status === 'unsafe' && this.config.app.nodeEnv !== 'production')
    );
  }

  private async read(): Promise<string[] | undefined> {
    let policy: string | undefined;
    let aof: string | undefined;
    try {
      policy = await this.probe.configValue('maxmemory-policy');
      aof = await this.probe.configValue('appendonly');
    } catch {
      this.status = 'unchecked';
      return undefined;
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
    this.record(problems);
    return problems;
  }

  private record(problems: string[]): void {
    const before = { status: this.status, problems: this.problems.join('; ') };
    this.status = problems.length === 0 ? 'passed' : 'unsafe';
    this.problems = problems;
    if (
      this.status === 'unsafe' &&
      (before.status !== 'unsafe' || before.problems !== problems.join('; '))
    ) {
      if (this.config.app.nodeEnv === 'production') {
        this.logger.error(
          { problems },
          'Redis settings are unsafe: jobs wait in the outbox until they pass',
        );
      } else {
        this.logger.warn({ problems }, 'Redis settings are unsafe outside development');
      }
    } else if (this.status === 'passed' && before.status === 'unsafe') {
      this.logger.log('Redis settings now pass: jobs are handed over again');
    }
  }
}
