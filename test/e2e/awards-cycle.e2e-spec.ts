import { startTestApp, TestApp } from '../support/test-app';
import { runAwardCycle } from './awards-cycle.scenario';

jest.setTimeout(120_000);

describe('award cycle (e2e, in-process queue)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs an edition from nominations to winners with the numbers computed by hand', async () => {
    await runAwardCycle(t);
  });
});
