import type { Config } from 'jest';
import base, { shared } from './jest.config';

/**
 * The fault-injection tier (`npm run test:faults`): each test starts the built API and worker as
 * child processes with a Redis of its own, injects a fault and checks the stored state. One file at
 * a time, since the faults are timing-sensitive on a 2-core machine.
 */
const config: Config = {
  maxWorkers: 1,
  testTimeout: 240_000,
  globalSetup: base.globalSetup,
  globalTeardown: base.globalTeardown,
  projects: [{ ...shared, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'] }],
};

export default config;
