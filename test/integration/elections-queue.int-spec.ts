import { SYSTEM } from 'src/audit/audit.service';
import { ElectionScheduler } from 'src/elections/election-scheduler';
import { ElectionsService } from 'src/elections/elections.service';
import { JobRegistry } from 'src/jobs/job-registry';
import { JobName } from 'src/jobs/job-catalogue';
import { canonicalJson, sha256Hex } from 'src/common/canonical-json';
import { sealBallot } from 'src/elections/ballot-sealing';
import { JobsService } from 'src/jobs/jobs.service';
import { startTestApp, TestApp } from '../support/test-app';
import { bearer, cast, draftElection, newVoters, openElection } from '../e2e/elections.fixtures';

jest.setTimeout(120_000);

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > until) {
      throw new Error('timed out waiting');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('close → tally through the in-process queue driver (integration)', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await t.userWithToken('admin')).token;
  });
  afterAll(async () => {
    await t.close();
  });

  it('turns a double close into one tally job and one tally run, even when the job runs twice', async () => {
    const voters = await newVoters(t, 5);
    const e = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
    await openElection(t, admin, e.id);
    for (const v of voters) {
      expect((await cast(t, v, e.id, { choice: 'yes' })).status).toBe(201);
    }
    const closes = await Promise.all(
      [1, 2].map(() => t.http.post(`/api/v1/elections/${e.id}/close`).set(...bearer(admin))),
    );
    expect(closes.map((r) => r.status).sort()).toEqual([200, 409]);
    await t.app.get(JobsService).drain();

    const jobs = await t.db.query<
      { job_id: string; status: string; payload: { inputDigest: string } }[]
    >(
      `SELECT job_id, status, payload FROM outbox WHERE job_name = $1 AND payload->>'contestId' = $2`,
      [JobName.Tally, e.id],
    );
    expect(jobs).toHaveLength(1);
    expect(jobs[0].job_id).toBe(`tally.${e.id}.${jobs[0].payload.inputDigest}`);
    expect(jobs[0].status).toBe('done');

    // An at-least-once queue may deliver the job again: it stores nothing new.
    await t.app.get(JobRegistry).run(JobName.Tally, jobs[0].payload as never);
    const runs = await t.db.query(`SELECT frozen_digest FROM tally_run WHERE contest_id = $1`, [
      e.id,
    ]);
    expect(runs).toEqual([{ frozen_digest: jobs[0].payload.inputDigest }]);
    const events = await t.db.query(
      `SELECT action FROM audit_event WHERE subject_id = $1 AND action LIKE 'tally.%'`,
      [e.id],
    );
    expect(events).toEqual([{ action: 'tally.completed' }]);
    const [election] = await t.db.query(`SELECT status FROM election WHERE id = $1`, [e.id]);
    expect(election.status).toBe('tallied');
  });

  it('fails the tally for good, loudly and on the record, when ballots and participations differ', async () => {
    const [voter] = await newVoters(t, 1);
    const e = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
    await openElection(t, admin, e.id);
    expect((await cast(t, voter, e.id, { choice: 'no' })).status).toBe(201);
    // A stuffed ballot with no participation behind it, sealed and with a receipt as a real one
    // (anyone who can write to the database can read the election's public key).
    const [{ ballot_public_key: publicKey }] = await t.db.query<{ ballot_public_key: Buffer }[]>(
      `SELECT ballot_public_key FROM election WHERE id = $1`,
      [e.id],
    );
    const stuffed = { ballot: { choice: 'yes' }, nonce: 'f'.repeat(64) };
    await t.db.query(
      `INSERT INTO ballot (id, election_id, sealed, weight, receipt) VALUES (gen_random_uuid(), $1, $2, 1, $3)`,
      [
        e.id,
        sealBallot(stuffed, publicKey),
        sha256Hex(canonicalJson({ electionId: e.id, ...stuffed })),
      ],
    );
    expect(
      (await t.http.post(`/api/v1/elections/${e.id}/close`).set(...bearer(admin))).status,
    ).toBe(200);
    await t.app.get(JobsService).drain();

    const [job] = await t.db.query(
      `SELECT status, last_error FROM outbox WHERE job_name = $1 AND payload->>'contestId' = $2`,
      [JobName.Tally, e.id],
    );
    expect(job.status).toBe('failed');
    expect(job.last_error).toContain('2 ballots but 1 participations');
    const [failure] = await t.db.query(
      `SELECT data FROM audit_event WHERE action = 'tally.failed' AND subject_id = $1`,
      [e.id],
    );
    expect(failure.data).toMatchObject({
      code: 'TALLY_COUNT_MISMATCH',
      details: { ballots: 2, participations: 1 },
    });
    expect(await t.db.query(`SELECT id FROM tally_run WHERE contest_id = $1`, [e.id])).toEqual([]);
    const [election] = await t.db.query(`SELECT status FROM election WHERE id = $1`, [e.id]);
    expect(election.status).toBe('closed');
  });

  it('opens and closes on schedule through the sweep, and the close enqueues the tally', async () => {
    const voters = await newVoters(t, 3);
    const opensAt = new Date(Date.now() + 60_000);
    const closesAt = new Date(Date.now() + 120_000);
    const e = await draftElection(
      t,
      admin,
      {
        office: 'President',
        method: 'yes_no',
        opensAt: opensAt.toISOString(),
        closesAt: closesAt.toISOString(),
      },
      ['Ann'],
    );
    const scheduler = t.app.get(ElectionScheduler);
    expect(await scheduler.sweep(new Date(opensAt.getTime() - 1))).toEqual({
      opened: 0,
      closed: 0,
    });
    expect((await scheduler.sweep(opensAt)).opened).toBeGreaterThanOrEqual(1);
    const [opened] = await t.db.query(`SELECT status FROM election WHERE id = $1`, [e.id]);
    expect(opened.status).toBe('open');
    for (const v of voters) {
      expect((await cast(t, v, e.id, { choice: 'yes' })).status).toBe(201);
    }
    expect((await scheduler.sweep(new Date(closesAt.getTime() - 1))).closed).toBe(0);
    expect((await scheduler.sweep(closesAt)).closed).toBeGreaterThanOrEqual(1);
    await t.app.get(JobsService).drain();
    const [done] = await t.db.query(`SELECT status, closed_at FROM election WHERE id = $1`, [e.id]);
    expect(done.status).toBe('tallied');
    const closedEvent = await t.db.query(
      `SELECT actor_kind FROM audit_event WHERE action = 'election.closed' AND subject_id = $1`,
      [e.id],
    );
    expect(closedEvent).toEqual([{ actor_kind: 'system' }]);
  });

  it('refuses to close an election twice from the service, leaving one close event', async () => {
    const e = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
    await openElection(t, admin, e.id);
    const service = t.app.get(ElectionsService);
    const results = await Promise.allSettled([
      service.close(SYSTEM, e.id),
      service.close(SYSTEM, e.id),
      service.close(SYSTEM, e.id),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const closes = await t.db.query(
      `SELECT seq FROM audit_event WHERE action = 'election.closed' AND subject_id = $1`,
      [e.id],
    );
    expect(closes).toHaveLength(1);
    await t.app.get(JobsService).drain();
  });
});

describe('close → tally through BullMQ on Redis (integration)', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({ redis: true });
    admin = (await t.userWithToken('admin')).token;
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs the tally on a BullMQ worker and stores one run for a double close', async () => {
    const voters = await newVoters(t, 4);
    const e = await draftElection(t, admin, { office: 'Treasurer', method: 'plurality' }, [
      'Ann',
      'Bob',
    ]);
    await openElection(t, admin, e.id);
    for (const [i, v] of voters.entries()) {
      expect((await cast(t, v, e.id, { choice: e.candidates[i === 0 ? 1 : 0].id })).status).toBe(
        201,
      );
    }
    const closes = await Promise.all(
      [1, 2].map(() => t.http.post(`/api/v1/elections/${e.id}/close`).set(...bearer(admin))),
    );
    expect(closes.map((r) => r.status).sort()).toEqual([200, 409]);
    const status = await waitFor(async () => {
      const [row] = await t.db.query<{ status: string }[]>(
        `SELECT status FROM election WHERE id = $1`,
        [e.id],
      );
      return row.status === 'tallied' ? row.status : undefined;
    }, 30_000);
    expect(status).toBe('tallied');
    const runs = await t.db.query(`SELECT outcome FROM tally_run WHERE contest_id = $1`, [e.id]);
    expect(runs).toHaveLength(1);
    expect(runs[0].outcome.elected).toEqual([{ candidateId: e.candidates[0].id, name: 'Ann' }]);
    const [job] = await t.db.query(
      `SELECT status FROM outbox WHERE job_name = $1 AND payload->>'contestId' = $2`,
      [JobName.Tally, e.id],
    );
    expect(job.status).toBe('done');
  });
});
