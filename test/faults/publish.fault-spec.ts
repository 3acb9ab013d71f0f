import { ApiProcess, query, Service, sleep, waitFor } from '../support/stack';
import { castOne, openElection, pool, Scene, scene, tallied } from './scenario';

/** TRUST 30–31 for publication: the embargo passes while the worker is dead and Redis is down. */
describe('embargoed publication under queue faults (child processes, own Redis)', () => {
  let s: Scene;
  let api: ApiProcess;
  let worker: Service;
  let admin: string;

  beforeAll(async () => {
    s = await scene();
    api = await s.stack.api();
    worker = await s.stack.worker();
    admin = await api.login(s.stack.admin);
  });
  afterAll(async () => {
    await s?.end();
  });

  it('shows the result at the embargo and records its publication once, although the worker died and Redis was down', async () => {
    const voters = await s.stack.voters(12);
    const e = await openElection(
      api,
      admin,
      s.database.url,
      { office: 'Auditor', method: 'plurality', seats: 1 },
      3,
    );
    await pool(voters, 4, (v, i) => castOne(api, e.id, v, { choice: e.candidateIds[i % 3] }));
    expect((await api.call('POST', `/elections/${e.id}/close`, admin)).status).toBe(200);
    await tallied(s.database.url, e.id, 30_000);

    const embargo = new Date(Date.now() + 5000);
    const certified = await api.call('POST', `/results/election/${e.id}/certify`, admin, {
      embargoUntil: embargo.toISOString(),
    });
    expect(certified.status).toBe(201);
    const publicResult = () => api.call('GET', `/public/results/elections/${e.id}`);
    expect((await publicResult()).status).toBe(404);

    // The worker dies and Redis goes away before the embargo.
    await worker.stop('SIGKILL');
    await s.redis.down();
    await waitFor(
      'the embargo to pass',
      () => Date.now() > embargo.getTime() + 200 || undefined,
      30_000,
      50,
    );
    // Visibility is a matter of time, not of the queue: public at the embargo even with both down.
    expect((await publicResult()).status).toBe(200);
    await sleep(1500);
    const waiting = await query<{ status: string }>(
      s.database.url,
      `SELECT status FROM result_publication WHERE contest_id = $1`,
      [e.id],
    );
    expect(waiting).toEqual([{ status: 'certified' }]);

    // The job that records the publication runs once the queue and a worker are back.
    await s.redis.up();
    const back = Date.now();
    worker = await s.stack.worker();
    await waitFor(
      'the publication to be recorded',
      async () =>
        (
          await query<{ status: string }>(
            s.database.url,
            `SELECT status FROM result_publication WHERE contest_id = $1`,
            [e.id],
          )
        )[0].status === 'published',
      30_000,
    );
    process.stdout.write(
      `publication: recorded ${Date.now() - back} ms after Redis returned (worker restart included)\n`,
    );

    const rows = await query<{ status: string; published_at: Date }>(
      s.database.url,
      `SELECT status, published_at FROM result_publication WHERE contest_id = $1`,
      [e.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe('published');
    expect(rows[0].published_at.getTime()).toBeGreaterThanOrEqual(embargo.getTime());
    // Sweeps kept offering the due publication while the queue was away; it was published once.
    await sleep(2000);
    const events = await query(
      s.database.url,
      `SELECT seq FROM audit_event WHERE action = 'result.published' AND subject_id = $1`,
      [e.id],
    );
    expect(events).toHaveLength(1);
    const jobs = await query<{ status: string }>(
      s.database.url,
      `SELECT status FROM outbox WHERE job_name = 'results.publish' AND payload->>'publicationId' IN
         (SELECT id::text FROM result_publication WHERE contest_id = $1)`,
      [e.id],
    );
    expect(jobs.map((j) => j.status)).toEqual(['done']);
  });
});
