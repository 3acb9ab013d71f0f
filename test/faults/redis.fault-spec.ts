import Redis from 'ioredis';
import { ApiProcess, MintedVoter, query, Service, sleep, waitFor } from '../support/stack';
import {
  castOne,
  electionStatus,
  fillRankedBallots,
  openElection,
  pool,
  Scene,
  scene,
  stored,
  tallied,
  tallyRuns,
} from './scenario';

/** TRUST 29–30: Redis away during voting, and Redis restarting under an idle or a busy worker. */
describe('Redis faults (child processes, own Redis)', () => {
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

  async function outboxStatus(electionId: string): Promise<string[]> {
    const rows = await query<{ status: string }>(
      s.database.url,
      `SELECT status FROM outbox WHERE job_name = 'tallying.tally' AND payload->>'contestId' = $1`,
      [electionId],
    );
    return rows.map((r) => r.status);
  }

  it('keeps casting and closing while Redis is down, and tallies once Redis is back', async () => {
    const voters = await s.stack.voters(300);
    const e = await openElection(
      api,
      admin,
      s.database.url,
      { office: 'Treasurer', method: 'plurality', seats: 1 },
      3,
    );
    const ballot = (i: number) => ({ choice: e.candidateIds[i % 3] });
    const timed = async (v: MintedVoter, i: number) => {
      const started = Date.now();
      const outcome = await castOne(api, e.id, v, ballot(i));
      return { ...outcome, ms: Date.now() - started };
    };

    const before = await pool(voters.slice(0, 100), 10, timed);
    await s.redis.down();
    const during = await pool(voters.slice(100, 250), 20, (v, i) => timed(v, 100 + i));
    const closeStarted = Date.now();
    const close = await api.call('POST', `/elections/${e.id}/close`, admin);
    const closeMs = Date.now() - closeStarted;
    const late = await pool(voters.slice(250), 10, (v, i) => timed(v, 250 + i));

    expect(before.every((r) => r.status === 201)).toBe(true);
    expect(during.map((r) => r.status)).toEqual(during.map(() => 201));
    expect(close.status).toBe(200);
    expect(late.every((r) => r.status === 409)).toBe(true);
    // No request waits on Redis: casts and the close answer within the request timeout and far below it.
    expect(Math.max(...during.map((r) => r.ms), closeMs)).toBeLessThan(5000);

    // The close is recorded and its tally job waits in the outbox while Redis is away.
    await sleep(3000);
    expect(await electionStatus(s.database.url, e.id)).toBe('closed');
    expect(await outboxStatus(e.id)).toEqual(['pending']);
    expect(await tallyRuns(s.database.url, e.id)).toEqual([]);

    await s.redis.up();
    const back = Date.now();
    await waitFor(
      'the tally job to be handed to the queue',
      async () => (await outboxStatus(e.id))[0] !== 'pending',
      10_000,
      50,
    );
    const relayedMs = Date.now() - back;
    const run = await tallied(s.database.url, e.id, 30_000);
    const talliedMs = Date.now() - back;
    process.stdout.write(
      `redis down: tally job relayed ${relayedMs} ms and tallied ${talliedMs} ms after Redis returned\n`,
    );
    // One relay period (500 ms here) plus the producer's reconnect delay (at most 1 s).
    expect(relayedMs).toBeLessThan(2000);

    const accepted = [...before, ...during].filter((r) => r.status === 201).map((r) => r.receipt!);
    const after = await stored(s.database.url, e.id);
    expect(after.ballots).toBe(accepted.length);
    expect(after.participations).toBe(accepted.length);
    expect(accepted.every((r) => after.receipts.has(r))).toBe(true);
    expect(run.ballot_count).toBe(accepted.length);
    expect(await outboxStatus(e.id)).toEqual(['done']);
  });

  it('resumes an idle worker after a Redis restart: a new tally is processed within 30 s', async () => {
    const voters = await s.stack.voters(20);
    const e = await openElection(
      api,
      admin,
      s.database.url,
      { office: 'Secretary', method: 'plurality', seats: 1 },
      2,
    );
    for (const [i, v] of voters.entries()) {
      expect((await castOne(api, e.id, v, { choice: e.candidateIds[i % 2] })).status).toBe(201);
    }
    await s.redis.restart();
    const ready = Date.now();
    expect((await api.call('POST', `/elections/${e.id}/close`, admin)).status).toBe(200);
    const run = await tallied(s.database.url, e.id, 30_000);
    process.stdout.write(
      `redis restart (idle worker): tallied ${Date.now() - ready} ms after Redis was ready\n`,
    );
    expect(run.ballot_count).toBe(20);
    expect(worker.running).toBe(true);
  });

  it('re-runs a tally whose lock expired while Redis was restarting, and stores its result once', async () => {
    await s.stack.voters(20_000);
    const e = await openElection(
      api,
      admin,
      s.database.url,
      { office: 'Council', method: 'stv', seats: 15, methodConfig: { variant: 'scottish' } },
      40,
    );
    const count = await fillRankedBallots(s.database.url, e.id, e.candidateIds);
    const active = new Redis(s.redis.url);
    let jobId: string;
    try {
      expect((await api.call('POST', `/elections/${e.id}/close`, admin)).status).toBe(200);
      [jobId] = await waitFor(
        'the tally job to be active',
        async () => {
          const ids = await active.lrange(`${s.stack.prefix}:tally:active`, 0, -1);
          return ids.length > 0 ? ids : undefined;
        },
        30_000,
        5,
      );
    } finally {
      active.disconnect();
    }
    // Down for longer than the job's lock (one stalled interval, 2 s here): when Redis returns the
    // lock has expired, the job counts as stalled and is run again.
    await s.redis.down();
    await sleep(5000);
    await s.redis.up();
    const ready = Date.now();
    const run = await tallied(s.database.url, e.id, 60_000);
    const talliedMs = Date.now() - ready;
    // The queue's own record ends completed too, not stuck active: the stalled job was re-run.
    const after = new Redis(s.redis.url);
    try {
      await waitFor(
        'the job to be completed in the queue',
        async () => (await after.zscore(`${s.stack.prefix}:tally:completed`, jobId)) !== null,
        60_000,
      );
    } finally {
      after.disconnect();
    }
    process.stdout.write(
      `redis restart (busy worker): tallied ${talliedMs} ms, job completed in the queue ${Date.now() - ready} ms after Redis was ready\n`,
    );
    expect(await outboxStatus(e.id)).toEqual(['done']);
    const starts = worker
      .log()
      .split('\n')
      .filter((l) => l.includes('"job started"') && l.includes(jobId!));
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(run.ballot_count).toBe(count);
    expect(await tallyRuns(s.database.url, e.id)).toHaveLength(1);
    const retally = await api.ok<{ identical: boolean }>(
      'POST',
      `/results/election/${e.id}/retally`,
      admin,
    );
    expect(retally.identical).toBe(true);
    expect(worker.running).toBe(true);
  });
});
