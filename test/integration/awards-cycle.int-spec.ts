import { startTestApp, TestApp } from '../support/test-app';
import { runAwardCycle } from '../e2e/awards-cycle.scenario';

jest.setTimeout(180_000);

describe('award cycle (integration, BullMQ on real Redis)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ redis: true });
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs an edition with every tally going through BullMQ to the worker', async () => {
    await runAwardCycle(t);
    const jobs = await t.db.query<{ status: string }[]>(
      `SELECT status FROM outbox WHERE job_name = 'tallying.tally'`,
    );
    expect(jobs.map((j) => j.status)).toEqual(['done', 'done', 'done']);
  });
});
