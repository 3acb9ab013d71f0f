import { ApiProcess, query, waitFor } from '../support/stack';
import {
  castOne,
  openElection,
  OpenElection,
  pool,
  RELAY_MS,
  Scene,
  scene,
  stored,
  tallied,
  tallyJob,
} from './scenario';

/** How long a claimed outbox row stays invisible to other relays without renewal (outbox-relay.ts). */
const LEASE_MS = 5000;

/** An outbox relay killed while it hands a job to a frozen Redis. */
describe('relay killed mid-hand-over (child processes, own Redis)', () => {
  let s: Scene;
  let admin: string;

  beforeAll(async () => {
    s = await scene();
    const api = await s.stack.api();
    admin = await api.login(s.stack.admin);
    await api.service.stop();
  });
  afterAll(async () => {
    await s?.end();
  });

  async function election(
    api: ApiProcess,
    voters: number,
  ): Promise<OpenElection & { receipts: string[] }> {
    const minted = await s.stack.voters(voters);
    const e = await openElection(
      api,
      admin,
      s.database.url,
      { office: 'Auditor', method: 'plurality', seats: 1 },
      2,
    );
    const outcomes = await pool(minted, 10, (v, i) =>
      castOne(api, e.id, v, { choice: e.candidateIds[i % 2] }),
    );
    expect(outcomes.map((o) => o.status)).toEqual(outcomes.map(() => 201));
    return { ...e, receipts: outcomes.map((o) => o.receipt!) };
  }

  it('frees the outbox row of a relay killed while handing it to a frozen Redis: tallied soon after Redis returns', async () => {
    // The API's relay is the only one: no worker runs until the API is killed.
    const first = await s.stack.api();
    const e = await election(first, 30);
    s.redis.freeze();
    expect((await first.call('POST', `/elections/${e.id}/close`, admin)).status).toBe(200);
    // The relay has claimed the tally job and is handing it to the frozen Redis: kill it then.
    await waitFor(
      'the relay to be handing the tally job over',
      async () => {
        const row = await tallyJob(s.database.url, e.id);
        return row?.status === 'pending' && row.leased;
      },
      10_000,
      10,
    );
    await first.service.stop('SIGKILL');
    const killed = Date.now();
    // The dead relay's claim runs out within one lease: it renewed it while alive, no longer.
    const [{ leftMs }] = await query<{ leftMs: number }>(
      s.database.url,
      `SELECT greatest(0, extract(epoch FROM available_at - now()) * 1000)::int AS "leftMs" FROM outbox
       WHERE job_name = 'tallying.tally' AND payload->>'contestId' = $1`,
      [e.id],
    );
    expect(leftMs).toBeLessThanOrEqual(LEASE_MS);
    // Redis restarts from its append-only file (a frozen process dies of SIGKILL too); a worker
    // started meanwhile waits for it.
    await s.redis.down();
    const starting = s.stack.worker();
    await s.redis.up();
    const back = Date.now();
    const second = await s.stack.api();
    const ready = Date.now();
    const worker = await starting;
    const run = await tallied(s.database.url, e.id, 60_000);
    const done = Date.now();
    process.stdout.write(
      `relay killed mid-hand-over: tallied ${done - back} ms after Redis returned ` +
        `(a new API up ${ready - back} ms after it, tallied ${done - ready} ms after that; ` +
        `${done - killed} ms after the kill, whose lease had ${leftMs} ms left)\n`,
    );
    // At most the rest of the killed relay's lease and one relay period, plus the tally itself.
    expect(done - ready).toBeLessThan(LEASE_MS + RELAY_MS + 3000);
    expect(run.ballot_count).toBe(30);
    const after = await stored(s.database.url, e.id);
    expect(e.receipts.every((r) => after.receipts.has(r))).toBe(true);
    expect(worker.running).toBe(true);
    await Promise.all([second.service.stop(), worker.stop()]);
  });
});
