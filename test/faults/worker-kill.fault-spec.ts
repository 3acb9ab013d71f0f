import Redis from 'ioredis';
import { ApiProcess, query, Service, waitFor } from '../support/stack';
import { fillRankedBallots, openElection, Scene, scene, tallied, tallyRuns } from './scenario';

/** TRUST 31: the worker killed with SIGKILL in the middle of a tally. */
describe('worker killed mid-tally (child processes, own Redis)', () => {
  let s: Scene;
  let api: ApiProcess;
  let admin: string;
  let queue: Redis;

  beforeAll(async () => {
    s = await scene();
    api = await s.stack.api();
    admin = await api.login(s.stack.admin);
    queue = new Redis(s.redis.url);
  });
  afterAll(async () => {
    queue?.disconnect();
    await s?.end();
  });

  /** Closes a large STV election and resolves with the tally job's id once a worker has taken it. */
  async function closeLargeElection(): Promise<{ id: string; jobId: string; ballots: number }> {
    await s.stack.voters(20_000);
    const e = await openElection(
      api,
      admin,
      s.database.url,
      { office: 'Council', method: 'stv', seats: 15, methodConfig: { variant: 'meek' } },
      40,
    );
    const ballots = await fillRankedBallots(s.database.url, e.id, e.candidateIds);
    expect((await api.call('POST', `/elections/${e.id}/close`, admin)).status).toBe(200);
    const [jobId] = await waitFor(
      'the tally job to be active',
      async () => {
        const ids = await queue.lrange(`${s.stack.prefix}:tally:active`, 0, -1);
        return ids.length > 0 ? ids : undefined;
      },
      30_000,
      5,
    );
    return { id: e.id, jobId, ballots };
  }

  const startedJob = (worker: Service, jobId: string): boolean =>
    worker
      .log()
      .split('\n')
      .some((line) => line.includes('"job started"') && line.includes(jobId));

  it('re-runs the killed job on another worker and stores exactly one run, identical to a clean one', async () => {
    const first = await s.stack.worker();
    const e = await closeLargeElection();
    await first.stop('SIGKILL');
    const killedAt = Date.now();
    // Killed mid-tally: nothing was stored, and the queue still holds the job as active.
    expect(await tallyRuns(s.database.url, e.id)).toEqual([]);
    expect(await queue.lrange(`${s.stack.prefix}:tally:active`, 0, -1)).toEqual([e.jobId]);

    const second = await s.stack.worker();
    const run = await tallied(s.database.url, e.id, 60_000);
    process.stdout.write(
      `worker SIGKILL: tally re-run and stored ${Date.now() - killedAt} ms after the kill\n`,
    );
    expect(startedJob(second, e.jobId)).toBe(true);
    expect(run.ballot_count).toBe(e.ballots);
    await waitFor(
      'the job to be completed in the queue',
      async () => (await queue.zscore(`${s.stack.prefix}:tally:completed`, e.jobId)) !== null,
      30_000,
    );
    expect(await tallyRuns(s.database.url, e.id)).toHaveLength(1);
    const events = await query(
      s.database.url,
      `SELECT action FROM audit_event WHERE subject_id = $1 AND action LIKE 'tally.%'`,
      [e.id],
    );
    expect(events).toEqual([{ action: 'tally.completed' }]);
    // A clean recount of the same ballots gives the stored result, digest for digest.
    const retally = await api.ok<{ identical: boolean; storedOutputDigest: string }>(
      'POST',
      `/results/election/${e.id}/retally`,
      admin,
    );
    expect(retally).toMatchObject({ identical: true, storedOutputDigest: run.output_digest });
    await second.stop();
  });

  it('fails the job for good, on the record, once it has stalled more often than allowed', async () => {
    let worker = await s.stack.worker();
    const e = await closeLargeElection();
    // maxStalledCount is 2: the third stall fails the job instead of running it again.
    for (let stall = 1; stall <= 3; stall++) {
      await worker.stop('SIGKILL');
      worker = await s.stack.worker();
      if (stall < 3) {
        await waitFor(
          'the stalled job to be taken again',
          () => startedJob(worker, e.jobId) || undefined,
          30_000,
        );
      }
    }
    const [row] = await waitFor(
      'the outbox row to fail',
      async () => {
        const rows = await query<{ status: string; last_error: string }>(
          s.database.url,
          `SELECT status, last_error FROM outbox WHERE job_id = $1`,
          [e.jobId],
        );
        return rows[0]?.status === 'failed' ? rows : undefined;
      },
      60_000,
    );
    expect(row.last_error).toMatch(/stalled/i);
    expect(await queue.zscore(`${s.stack.prefix}:tally:failed`, e.jobId)).not.toBeNull();
    expect(worker.log()).toMatch(/"final":true[^\n]*"job failed"/);
    // The failure is on the health report for monitoring to alert on.
    const health = await fetch(`${api.url}/health`);
    expect(
      ((await health.json()) as { details: { queue: { failedJobs: number } } }).details.queue
        .failedJobs,
    ).toBe(1);
    expect(await tallyRuns(s.database.url, e.id)).toEqual([]);
  });
});
