import type { Queue } from 'bullmq';
import { Database } from 'src/database/database';
import { BullMqDriver } from 'src/jobs/bullmq.driver';
import { Heartbeat } from 'src/jobs/heartbeat';
import { JobName, jobId, QueueName } from 'src/jobs/job-catalogue';
import { JobsService } from 'src/jobs/jobs.service';
import { startTestApp, TestApp } from '../support/test-app';

jest.setTimeout(60_000);

interface OutboxRow {
  job_id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  available_at: Date;
}

async function outboxRows(t: TestApp, id: string): Promise<OutboxRow[]> {
  return t.db.query(`SELECT job_id, status, attempts, last_error, available_at FROM outbox WHERE job_id = $1`, [
    id,
  ]);
}

/** Polls the outbox row until it reaches `status` (bounded by the test's timeout, not by a clock assertion). */
async function untilStatus(t: TestApp, id: string, status: string): Promise<OutboxRow> {
  for (;;) {
    const [row] = await outboxRows(t, id);
    if (row?.status === status) {
      return row;
    }
    if (row?.status === 'failed') {
      throw new Error(`job ${id} failed: ${row.last_error}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const payload = () => ({ requestedAt: new Date().toISOString() });

describe('outbox and BullMQ with real Redis (integration)', () => {
  let t: TestApp;
  let queue: Queue;

  beforeAll(async () => {
    t = await startTestApp({ redis: true });
    queue = t.app.get(BullMqDriver, { strict: false }).queue(QueueName.System);
  });
  afterAll(async () => {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await t.close();
  });

  it('relays a heartbeat through BullMQ to the worker, which marks it done', async () => {
    const id = await t.app.get(Heartbeat).beat();
    const row = await untilStatus(t, id, 'done');
    expect(row.last_error).toBeNull();
    const job = await queue.getJob(id);
    expect(job?.name).toBe(JobName.Heartbeat);
    expect(await job?.getState()).toBe('completed');
    expect(await t.app.get(Heartbeat).lastCompletedAt()).toBeInstanceOf(Date);
  });

  it('runs a job enqueued inside a transaction once the transaction commits', async () => {
    const id = jobId('test', 'committed', String(Date.now()));
    await t.app.get(Database).transaction(async () => {
      await t.app.get(JobsService).enqueue(JobName.Heartbeat, payload(), id);
      // Not visible to others before the commit.
      const outside = await t.db.query(`SELECT 1 FROM outbox WHERE job_id = $1`, [id]);
      expect(outside).toEqual([]);
    });
    await untilStatus(t, id, 'done');
  });

  it('keeps one outbox row and one BullMQ job when the same job id is enqueued twice', async () => {
    const id = jobId('test', 'twice', String(Date.now()));
    const jobs = t.app.get(JobsService);
    expect(await jobs.enqueue(JobName.Heartbeat, payload(), id)).toBe(true);
    expect(await jobs.enqueue(JobName.Heartbeat, payload(), id)).toBe(false);
    await untilStatus(t, id, 'done');
    expect(await outboxRows(t, id)).toHaveLength(1);

    // Handing the same row to BullMQ again (a second relay, a retry) adds nothing either.
    const [entity] = await t.db.query(
      `SELECT id, queue, job_name AS "jobName", job_id AS "jobId", payload, attempts FROM outbox WHERE job_id = $1`,
      [id],
    );
    await t.app.get(BullMqDriver, { strict: false }).dispatch(entity);
    const all = await queue.getJobs([
      'completed',
      'waiting',
      'active',
      'delayed',
      'failed',
      'prioritized',
    ]);
    expect(all.filter((j) => j.id === id)).toHaveLength(1);
  });

  it('leaves no outbox row when the transaction that enqueued rolls back', async () => {
    const id = jobId('test', 'rolled-back', String(Date.now()));
    await expect(
      t.app.get(Database).transaction(async () => {
        await t.app.get(JobsService).enqueue(JobName.Heartbeat, payload(), id);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    await t.app.get(JobsService).drain();
    expect(await outboxRows(t, id)).toEqual([]);
    expect(await queue.getJob(id)).toBeUndefined();
  });
});

describe('outbox with Redis unreachable (integration)', () => {
  let t: TestApp;
  let closed = false;

  beforeAll(async () => {
    // Nothing listens on this port: every Redis command fails at once. The worker runs too.
    t = await startTestApp({
      env: { REDIS_URL: 'redis://127.0.0.1:6390', REDIS_CONNECT_TIMEOUT_MS: '500' },
    });
  });
  afterAll(async () => {
    if (!closed) {
      await t.close();
    }
  });

  it('commits the enqueue at once and keeps the job pending, attempts untouched, with the reason', async () => {
    const id = jobId('test', 'redis-down', String(Date.now()));
    const created = await t.app
      .get(Database)
      .transaction(() => t.app.get(JobsService).enqueue(JobName.Heartbeat, payload(), id));
    expect(created).toBe(true);
    await t.app.get(JobsService).drain();
    const [row] = await outboxRows(t, id);
    expect(row.status).toBe('pending');
    // An unreachable queue is not the job's failure: no attempt is used and no back-off grows, so
    // the job is handed over on the first relay pass after Redis returns.
    expect(row.attempts).toBe(0);
    expect(row.last_error).toContain('Redis is not reachable');
    expect(row.available_at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('still serves requests that write to the database', async () => {
    const admin = await t.userWithToken('admin');
    const res = await t.http
      .post('/api/v1/members')
      .set('authorization', `Bearer ${admin.token}`)
      .send({ memberNumber: 'R-1', kind: 'individual', name: 'No Redis Needed' });
    expect(res.status).toBe(201);
    const health = await t.http.get('/health');
    // Health reports the outage, check by check, while the database stays up.
    expect(health.status).toBe(503);
    expect(health.body.details.database.status).toBe('up');
    expect(health.body.details.queue).toMatchObject({ status: 'down', redis: 'unreachable', driver: 'bullmq' });
  });

  it('shuts down, worker included, while Redis is still unreachable, keeping the pending job', async () => {
    const id = jobId('test', 'redis-down-shutdown', String(Date.now()));
    await t.app.get(JobsService).enqueue(JobName.Heartbeat, payload(), id);
    const database = t.database;
    const rowsBefore = await outboxRows(t, id);
    expect(rowsBefore).toHaveLength(1);
    await t.app.close();
    closed = true;
    await database.drop();
    expect(rowsBefore[0].status).toBe('pending');
  });
});

describe('outbox with the in-process driver (integration)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs the heartbeat through the same handler to done without Redis', async () => {
    const id = await t.app.get(Heartbeat).beat();
    await t.app.get(JobsService).drain();
    const row = await untilStatus(t, id, 'done');
    expect(row).toMatchObject({ status: 'done', last_error: null });
    const health = await t.http.get('/health');
    expect(health.status).toBe(200);
    expect(health.body.details.queue).toMatchObject({
      status: 'up',
      driver: 'in-process',
      pendingJobs: 0,
    });
    expect(health.body.details.queue.lastHeartbeatAt).toEqual(expect.any(String));
  });
});
