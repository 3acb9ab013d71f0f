import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { OnJob } from './job-handler.decorator';
import { JobName } from './job-catalogue';
import { JobRegistry } from './job-registry';

@Injectable()
class FirstHandler {
  @OnJob(JobName.Heartbeat)
  handle(payload: { requestedAt: string }): Promise<string> {
    return Promise.resolve(`first ${payload.requestedAt}`);
  }
}

@Injectable()
class SecondHandler {
  @OnJob(JobName.Heartbeat)
  handle(): Promise<string> {
    return Promise.resolve('second');
  }
}

@Injectable()
class NotAHandler {
  work(): string {
    return 'nothing';
  }
}

async function boot(providers: (new () => object)[]): Promise<JobRegistry> {
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [JobRegistry, ...providers],
  }).compile();
  await moduleRef.init();
  return moduleRef.get(JobRegistry);
}

/** A handler for each other catalogue job, so these tests hold whatever else the catalogue lists. */
const otherHandlers = Object.values(JobName)
  .filter((name) => name !== JobName.Heartbeat)
  .map((name) => {
    @Injectable()
    class OtherHandler {
      @OnJob(name)
      handle(): Promise<string> {
        return Promise.resolve(name);
      }
    }
    return OtherHandler;
  });

describe('JobRegistry', () => {
  it('refuses to start when a catalogue job has no handler', async () => {
    await expect(boot([NotAHandler, ...otherHandlers])).rejects.toThrow(
      `Job catalogue check failed: job ${JobName.Heartbeat} has no handler`,
    );
  });

  it('refuses to start when a catalogue job has two handlers, naming both', async () => {
    await expect(boot([FirstHandler, SecondHandler, ...otherHandlers])).rejects.toThrow(
      `job ${JobName.Heartbeat} has 2 handlers: FirstHandler.handle, SecondHandler.handle`,
    );
  });

  it('runs the one handler of a job with its payload', async () => {
    const registry = await boot([FirstHandler, NotAHandler, ...otherHandlers]);
    await expect(registry.run(JobName.Heartbeat, { requestedAt: 'now' })).resolves.toBe(
      'first now',
    );
  });
});
