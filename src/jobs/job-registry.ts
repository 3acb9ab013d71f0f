import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { JOB_HANDLER_KEY } from './job-handler.decorator';
import { JobName, JobPayloads } from './job-catalogue';

type Handler = (payload: unknown) => Promise<unknown>;

@Injectable()
export class JobRegistry implements OnModuleInit {
  private readonly logger = new Logger(JobRegistry.name);
  private readonly handlers = new Map<JobName, Handler>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const found = new Map<JobName, string[]>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) {
        continue;
      }
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method];
        if (typeof fn !== 'function') {
          continue;
        }
        const name = this.reflector.get<JobName | undefined>(JOB_HANDLER_KEY, fn as () => unknown);
        if (name === undefined) {
          continue;
        }
        const owners = found.get(name) ?? [];
        owners.push(`${instance.constructor.name}.${method}`);
        found.set(name, owners);
        this.handlers.set(name, (payload) => (fn as Handler).call(instance, payload));
      }
    }
    const problems: string[] = [];
    for (const name of Object.values(JobName)) {
      const owners = found.get(name) ?? [];
      if (owners.length === 0) {
        problems.push(`job ${name} has no handler`);
      } else if (owners.length > 1) {
        problems.push(`job ${name} has ${owners.length} handlers: ${owners.join(', ')}`);
      }
    }
    if (problems.length > 0) {
      throw new Error(`Job catalogue check failed: ${problems.join('; ')}`);
    }
    this.logger.log(`${this.handlers.size} job handlers registered`);
  }

  async run<N extends JobName>(name: N, payload: JobPayloads[N]): Promise<unknown> {
    const handler = this.handlers.get(name);
    if (!handler) {
      throw new Error(`no handler for job ${name}`);
    }
    return handler(payload);
  }
}
