import { randomBytes } from 'node:crypto';
import { ApiProcess, MintedVoter, query, sleep } from '../support/stack';
import {
  castOne,
  CastOutcome,
  OpenElection,
  openElection,
  pool,
  Scene,
  scene,
  stored,
  tallied,
  tallyRuns,
} from './scenario';

/** TRUST 32, 33, 36 and the close race: faults around the API processes and their database. */
describe('API faults (child processes, own Redis)', () => {
  let s: Scene;
  let admin: string;

  beforeAll(async () => {
    s = await scene();
    const api = await s.stack.api();
    admin = await api.login(s.stack.admin);
    await s.stack.worker();
  });
  afterAll(async () => {
    await s?.end();
  });

  const plurality = (api: ApiProcess): Promise<OpenElection> =>
    openElection(
      api,
      admin,
      s.database.url,
      { office: `Office ${randomBytes(2).toString('hex')}`, method: 'plurality', seats: 1 },
      3,
    );

  /** Casts with an Idempotency-Key, retrying on a network error or a 5xx as a careful client does. */
  async function castWithRetries(
    api: () => ApiProcess,
    e: OpenElection,
    voter: MintedVoter,
    i: number,
    tries: CastOutcome[],
  ): Promise<CastOutcome> {
    const key = `voter-${i}-${randomBytes(8).toString('hex')}`;
    for (let attempt = 1; ; attempt++) {
      const outcome = await castOne(
        api(),
        e.id,
        voter,
        { choice: e.candidateIds[i % 3] },
        key,
        10_000,
      );
      tries.push(outcome);
      if ((outcome.status !== 0 && outcome.status < 500) || attempt === 20) {
        return outcome;
      }
      await sleep(100 * attempt);
    }
  }

  it('finishes or cleanly fails in-flight casts on SIGTERM; retries with the same key end with one ballot each', async () => {
    const api = await s.stack.api();
    const voters = await s.stack.voters(400);
    const e = await plurality(api);
    let done = 0;
    const first = pool(voters, 40, async (v, i) => {
      const outcome = await castOne(
        api,
        e.id,
        v,
        { choice: e.candidateIds[i % 3] },
        `sigterm-${i}-${e.id}`,
        10_000,
      );
      done++;
      return outcome;
    });
    while (done < 100) {
      await sleep(10);
    }
    const exitCode = await api.service.stop('SIGTERM');
    const outcomes = await first;
    expect(exitCode).toBe(0);

    const accepted = outcomes.filter((o) => o.status === 201);
    const failed = outcomes.filter((o) => o.status !== 201);
    // Clean failures only: the connection was refused or closed, or the API said it is stopping.
    expect(failed.every((o) => o.status === 0 || o.status === 503)).toBe(true);
    expect(accepted.length).toBeGreaterThanOrEqual(100);
    const afterStop = await stored(s.database.url, e.id);
    expect(afterStop.ballots).toBe(accepted.length);
    expect(afterStop.participations).toBe(accepted.length);
    expect(accepted.every((o) => afterStop.receipts.has(o.receipt!))).toBe(true);
    process.stdout.write(
      `SIGTERM: ${accepted.length} casts completed, ${failed.length} failed cleanly\n`,
    );

    // The voters whose casts failed try again against a restarted API, with the same keys.
    const restarted = await s.stack.api();
    const retried = await pool(voters, 40, (v, i) =>
      outcomes[i].status === 201
        ? Promise.resolve(outcomes[i])
        : castOne(restarted, e.id, v, { choice: e.candidateIds[i % 3] }, `sigterm-${i}-${e.id}`),
    );
    expect(retried.every((o) => o.status === 201)).toBe(true);
    const final = await stored(s.database.url, e.id);
    expect(final).toMatchObject({ ballots: 400, participations: 400 });
    expect(retried.every((o) => final.receipts.has(o.receipt!))).toBe(true);
    await restarted.service.stop();
  });

  it('recovers its pool after PostgreSQL kills its connections; retrying clients end with exactly one ballot', async () => {
    const api = await s.stack.api();
    const voters = await s.stack.voters(600);
    const e = await plurality(api);
    const tries: CastOutcome[] = [];
    let killed = 0;
    let loadDone = false;
    const killer = (async () => {
      while (tries.length < 100) {
        await sleep(5);
      }
      // Every 100 ms for two seconds, every connection of the database is cut, busy ones included.
      for (let round = 0; round < 20 && !loadDone; round++) {
        const rows = await query<{ n: number }>(
          s.database.url,
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
        );
        killed += rows[0].n;
        await sleep(100);
      }
    })();
    const outcomes = await pool(voters, 30, (v, i) => castWithRetries(() => api, e, v, i, tries));
    loadDone = true;
    await killer;

    const errors = tries.filter((o) => o.status === 0 || o.status >= 500);
    process.stdout.write(
      `pg_terminate_backend: ${killed} connections killed, ${errors.length} failed attempts (${[...new Set(errors.map((o) => o.status))].join(', ')}), all retried\n`,
    );
    expect(killed).toBeGreaterThan(0);
    expect(errors.length).toBeGreaterThan(0);
    // A cut connection is the service's trouble, said as such: 503 with Retry-After, never a 500
    // and never a 401 that would log the member out.
    expect(tries.filter((o) => o.status !== 201).map((o) => o.status)).toEqual(
      errors.map(() => 503),
    );
    expect(outcomes.map((o) => o.status)).toEqual(outcomes.map(() => 201));
    const after = await stored(s.database.url, e.id);
    expect(after).toMatchObject({ ballots: 600, participations: 600 });
    expect(outcomes.every((o) => after.receipts.has(o.receipt!))).toBe(true);
    // The same process serves normally afterwards: the pool replaced its dead connections.
    expect(api.service.running).toBe(true);
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
    await api.service.stop();
  });

  it('counts every accepted receipt and stores nothing after the close, when the close races casts', async () => {
    const api = await s.stack.api();
    const voters = await s.stack.voters(400);
    const e = await plurality(api);
    let done = 0;
    const casting = pool(voters, 40, async (v, i) => {
      const outcome = await castOne(api, e.id, v, { choice: e.candidateIds[i % 3] });
      done++;
      return outcome;
    });
    while (done < 150) {
      await sleep(5);
    }
    const close = await api.call('POST', `/elections/${e.id}/close`, admin);
    const outcomes = await casting;
    expect(close.status).toBe(200);

    const accepted = outcomes.filter((o) => o.status === 201);
    expect(outcomes.filter((o) => o.status !== 201).every((o) => o.status === 409)).toBe(true);
    expect(accepted.length).toBeLessThan(400);
    const run = await tallied(s.database.url, e.id, 60_000);
    const after = await stored(s.database.url, e.id);
    expect(after.ballots).toBe(accepted.length);
    expect(after.participations).toBe(accepted.length);
    expect(accepted.every((o) => after.receipts.has(o.receipt!))).toBe(true);
    expect(run.ballot_count).toBe(accepted.length);
    // The close froze its counts once the in-flight casts were done: what is stored now is exactly
    // what the close saw, so nothing was stored after the freeze.
    const [snapshot] = await query<{ participations: number; ballots: number }>(
      s.database.url,
      `SELECT (close_snapshot->>'participations')::int AS participations,
              (close_snapshot->>'ballots')::int AS ballots
       FROM election WHERE id = $1`,
      [e.id],
    );
    expect(snapshot).toEqual({ participations: after.participations, ballots: after.ballots });
    await api.service.stop();
  });

  it('turns a close sent to two API processes at once into one job and one tally run', async () => {
    const [one, two] = await Promise.all([s.stack.api(), s.stack.api()]);
    const voters = await s.stack.voters(30);
    const e = await plurality(one);
    await pool(voters, 10, (v, i) =>
      castOne(i % 2 ? one : two, e.id, v, { choice: e.candidateIds[i % 3] }),
    );
    const closes = await Promise.all(
      [one, two].map((api) => api.call('POST', `/elections/${e.id}/close`, admin)),
    );
    expect(closes.map((r) => r.status).sort()).toEqual([200, 409]);
    const run = await tallied(s.database.url, e.id, 60_000);
    expect(run.ballot_count).toBe(30);
    // Both processes relay the outbox; the job exists once, in the outbox and in the queue.
    await sleep(2000);
    const jobs = await query<{ job_id: string; status: string }>(
      s.database.url,
      `SELECT job_id, status FROM outbox WHERE job_name = 'tallying.tally' AND payload->>'contestId' = $1`,
      [e.id],
    );
    expect(jobs).toEqual([{ job_id: expect.any(String), status: 'done' }]);
    expect(await tallyRuns(s.database.url, e.id)).toHaveLength(1);
    await Promise.all([one.service.stop(), two.service.stop()]);
  });
});
