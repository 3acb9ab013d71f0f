import { JobsService } from 'src/jobs/jobs.service';
import { decodeJwt, signJwt } from '../support/jwt';
import { startTestApp, TestApp } from '../support/test-app';
import {
  bearer,
  openedBallots,
  cast,
  draftElection,
  newVoters,
  openElection,
  PAID,
  rowCounts,
  Voter,
} from './elections.fixtures';

jest.setTimeout(180_000);

/** Secrecy, one ballot per member, and every refusal leaving nothing behind. */
describe('casting ballots (e2e)', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await t.userWithToken('admin')).token;
  });
  afterAll(async () => {
    await t.app.get(JobsService).drain();
    await t.close();
  });

  async function expectNothingStored(electionId: string): Promise<void> {
    expect(await rowCounts(t, electionId)).toEqual({ ballots: 0, participations: 0 });
  }

  describe('the ballot table', () => {
    it('has no column or key that links a ballot to a member, a user or a participation, and no time finer than a date', async () => {
      const columns = await t.db.query<{ column_name: string; data_type: string }[]>(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'ballot'`,
      );
      expect(columns.map((c) => c.column_name).sort()).toEqual([
        'election_id',
        'id',
        'receipt',
        'sealed',
        'weight',
      ]);
      for (const c of columns) {
        expect(c.column_name).not.toMatch(
          /member|user|voter|participation|cast|time|created|updated/,
        );
        expect(c.data_type).not.toMatch(/timestamp|time|interval/);
      }
      const keys = await t.db.query<{ from_table: string; to_table: string }[]>(
        `SELECT tc.table_name AS from_table, ccu.table_name AS to_table
         FROM information_schema.table_constraints tc
         JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name
         WHERE tc.constraint_type = 'FOREIGN KEY' AND (tc.table_name = 'ballot' OR ccu.table_name = 'ballot')`,
      );
      expect(keys).toEqual([{ from_table: 'ballot', to_table: 'election' }]);
      // Nothing else carries a receipt (the one value that is on the ballot) next to a member.
      const receiptColumns = await t.db.query<{ table_name: string }[]>(
        `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name LIKE '%receipt%'`,
      );
      expect(receiptColumns.map((r) => r.table_name)).toEqual(['ballot']);
    });

    it('refuses UPDATE and DELETE of ballots and participations in the database itself', async () => {
      const [voter] = await newVoters(t, 1);
      const e = await draftElection(t, admin, { office: 'Auditor', method: 'yes_no' }, ['Ann']);
      await openElection(t, admin, e.id);
      expect((await cast(t, voter, e.id, { choice: 'no' })).status).toBe(201);
      await expect(
        t.db.query(`UPDATE ballot SET sealed = '\\x00'::bytea WHERE election_id = $1`, [e.id]),
      ).rejects.toThrow(/append-only/);
      await expect(
        t.db.query(`DELETE FROM participation WHERE election_id = $1`, [e.id]),
      ).rejects.toThrow(/append-only/);
      const [row] = await openedBallots(t, e.id);
      expect(row.content).toEqual({ choice: 'no' });
    });
  });

  describe('one ballot per member', () => {
    // 200 by default rather than the 1,000, which keeps the suite short on a 2-core machine;
    // ELECTION_CAST_CONCURRENCY=1000 runs the full size.
    const N = Number(process.env.ELECTION_CAST_CONCURRENCY ?? 200);

    it(`accepts exactly one of ${N} concurrent casts by the same member and refuses the rest with 409`, async () => {
      const [voter] = await newVoters(t, 1);
      const e = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
      await openElection(t, admin, e.id);
      const responses = await Promise.all(
        Array.from({ length: N }, () => cast(t, voter, e.id, { choice: 'yes' })),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(N - 1);
      expect(responses.find((r) => r.status === 409)!.body.code).toBe('ELECTION_ALREADY_VOTED');
      expect(await rowCounts(t, e.id)).toEqual({ ballots: 1, participations: 1 });
    });

    it(`stores exactly ${N} ballots and participations for ${N} different members casting at once`, async () => {
      const voters = await newVoters(t, N);
      const e = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
      await openElection(t, admin, e.id);
      const responses = await Promise.all(voters.map((v) => cast(t, v, e.id, { choice: 'yes' })));
      expect(responses.map((r) => r.status)).toEqual(Array(N).fill(201));
      expect(await rowCounts(t, e.id)).toEqual({ ballots: N, participations: N });
      const receipts = new Set(responses.map((r) => r.body.receipt as string));
      expect(receipts.size).toBe(N);
    });

    it('lets a corporate member vote once, through its delegate, who must say for which member when acting for two', async () => {
      const [delegate] = await newVoters(t, 1);
      const [corporate] = await t.db.query<{ id: string }[]>(
        `INSERT INTO member (member_number, kind, name, organisation, status, dues_paid_until, vote_weight, delegate_user_id)
         VALUES ($1, 'corporate', 'Acme PR', 'Acme PR Ltd', 'active', $2, 3, $3) RETURNING id`,
        [`CORP-${delegate.memberId.slice(0, 8)}`, PAID, delegate.userId],
      );
      const e = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
      await openElection(t, admin, e.id);
      const ambiguous = await cast(t, delegate, e.id, { choice: 'yes' });
      expect(ambiguous.status).toBe(400);
      expect(ambiguous.body.code).toBe('ELECTION_CHOOSE_MEMBER');
      await expectNothingStored(e.id);
      expect(
        (await cast(t, delegate, e.id, { choice: 'yes' }, { memberId: corporate.id })).status,
      ).toBe(201);
      expect(
        (await cast(t, delegate, e.id, { choice: 'no' }, { memberId: corporate.id })).status,
      ).toBe(409);
      expect(
        (await cast(t, delegate, e.id, { choice: 'no' }, { memberId: delegate.memberId })).status,
      ).toBe(201);
      const ballots = (await openedBallots(t, e.id))
        .map(({ content, weight }) => ({ content, weight }))
        .sort((a, b) => a.weight - b.weight);
      expect(ballots).toEqual([
        { content: { choice: 'no' }, weight: 1 },
        { content: { choice: 'yes' }, weight: 3 },
      ]);
    });
  });

  describe('Idempotency-Key', () => {
    it('answers a resent cast with the same receipt and stores one ballot, even when the retries race', async () => {
      const [voter] = await newVoters(t, 1);
      const e = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
      await openElection(t, admin, e.id);
      const send = (key: string, choice = 'yes') =>
        t.http
          .post(`/api/v1/elections/${e.id}/ballots`)
          .set(...bearer(voter.token))
          .set('Idempotency-Key', key)
          .send({ ballot: { choice } });
      const bad = await send('short');
      expect(bad.status).toBe(400);
      expect(await rowCounts(t, e.id)).toEqual({ ballots: 0, participations: 0 });

      const key = 'retry-key-0123456789abcdef';
      const first = await Promise.all([send(key), send(key), send(key)]);
      expect(first.map((r) => r.status)).toEqual([201, 201, 201]);
      const again = await send(key);
      expect(again.status).toBe(201);
      const receipts = new Set([...first, again].map((r) => r.body.receipt as string));
      expect(receipts.size).toBe(1);
      expect(await rowCounts(t, e.id)).toEqual({ ballots: 1, participations: 1 });

      expect((await send('another-key-0123456789abcdef')).status).toBe(409);
      expect((await send(key, 'no')).status).toBe(409);
      const stored = await t.db.query<{ receipt: string }[]>(
        `SELECT receipt FROM ballot WHERE election_id = $1`,
        [e.id],
      );
      expect(stored).toEqual([{ receipt: again.body.receipt as string }]);
    });
  });

  describe('refusals that store nothing', () => {
    let voter: Voter;
    let president: Awaited<ReturnType<typeof draftElection>>;
    let council: Awaited<ReturnType<typeof draftElection>>;
    let stv: Awaited<ReturnType<typeof draftElection>>;

    beforeAll(async () => {
      [voter] = await newVoters(t, 1);
      president = await draftElection(
        t,
        admin,
        { office: 'President', method: 'plurality', blankAllowed: false },
        ['Ann', 'Bob'],
      );
      council = await draftElection(
        t,
        admin,
        { office: 'Council', method: 'block', seats: 15 },
        Array.from({ length: 20 }, (_, i) => `Council candidate ${i + 1}`),
      );
      stv = await draftElection(
        t,
        admin,
        { office: 'Council (STV)', method: 'stv', seats: 2, methodConfig: { variant: 'scottish' } },
        ['S1', 'S2', 'S3'],
      );
      for (const e of [president, council, stv]) {
        await openElection(t, admin, e.id);
      }
    });

    const refusals: [string, () => Record<string, unknown>, number][] = [
      [
        'two marks for president',
        () => ({ choice: [president.candidates[0].id, president.candidates[1].id] }),
        400,
      ],
      [
        'an approval list on a single-choice ballot',
        () => ({ approve: [president.candidates[0].id] }),
        400,
      ],
      ['a candidate of another election', () => ({ choice: council.candidates[0].id }), 400],
      [
        'a candidate id that does not exist',
        () => ({ choice: '6f1c1f5e-3c6b-4b7e-9d7a-111111111111' }),
        400,
      ],
      ['a blank ballot where blanks are not allowed', () => ({ blank: true }), 400],
      ['a yes/no answer on a candidate ballot', () => ({ choice: 'yes' }), 400],
      ['null as the choice', () => ({ choice: null }), 400],
      ['the number 1 as the choice', () => ({ choice: 1 }), 400],
    ];
    it.each(refusals)('refuses %s for president', async (_, ballot, status) => {
      const res = await cast(t, voter, president.id, ballot());
      expect(res.status).toBe(status);
      await expectNothingStored(president.id);
    });

    it('refuses 16 marks for 15 council seats', async () => {
      const res = await cast(t, voter, council.id, {
        approve: council.candidates.slice(0, 16).map((c) => c.id),
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('ELECTION_INVALID_BALLOT');
      await expectNothingStored(council.id);
    });

    const rankings: [string, (c: string[]) => unknown][] = [
      [
        'a duplicate candidate',
        (c) => [
          { candidateId: c[0], rank: 1 },
          { candidateId: c[0], rank: 2 },
        ],
      ],
      [
        'a duplicate rank',
        (c) => [
          { candidateId: c[0], rank: 1 },
          { candidateId: c[1], rank: 1 },
        ],
      ],
      ['rank 0', (c) => [{ candidateId: c[0], rank: 0 }]],
      ['a negative rank', (c) => [{ candidateId: c[0], rank: -1 }]],
      ['a fractional rank', (c) => [{ candidateId: c[0], rank: 1.5 }]],
      ['a rank given as a string', (c) => [{ candidateId: c[0], rank: '1' }]],
      [
        'a gap in the ranks',
        (c) => [
          { candidateId: c[0], rank: 1 },
          { candidateId: c[1], rank: 3 },
        ],
      ],
      [
        'more ranks than candidates',
        (c) => [...c, c[0]].map((id, i) => ({ candidateId: id, rank: i + 1 })),
      ],
      ['an object instead of a list', (c) => ({ candidateId: c[0], rank: 1 })],
      ['an unknown field in a preference', (c) => [{ candidateId: c[0], rank: 1, weight: 5 }]],
    ];
    it.each(rankings)('refuses an STV ranking with %s', async (_, preferences) => {
      const res = await cast(t, voter, stv.id, {
        preferences: preferences(stv.candidates.map((c) => c.id)),
      });
      expect(res.status).toBe(400);
      await expectNothingStored(stv.id);
    });

    it.each(['voterId', 'weight', 'electionId', 'castAt', 'isAdmin'])(
      'refuses the server-owned field %s',
      async (field) => {
        const top = await cast(
          t,
          voter,
          president.id,
          { choice: president.candidates[0].id },
          { [field]: field === 'weight' ? 100 : 'x' },
        );
        expect(top.status).toBe(400);
        const inner = await cast(t, voter, president.id, {
          choice: president.candidates[0].id,
          [field]: 'x',
        });
        expect(inner.status).toBe(400);
        await expectNothingStored(president.id);
      },
    );

    it('refuses a member who is not on the roll (dues unpaid at the roll date) with 403', async () => {
      const [lapsed] = await newVoters(t, 1, { duesPaidUntil: '2020-12-31' });
      const res = await cast(t, lapsed, president.id, { choice: president.candidates[0].id });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('ELECTION_NOT_ON_ROLL');
      await expectNothingStored(president.id);
    });

    it('refuses a member whose roll entry an admin removed, and records the reason', async () => {
      const [removed] = await newVoters(t, 1);
      const e = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
      await openElection(t, admin, e.id);
      const noReason = await t.http
        .post(`/api/v1/elections/${e.id}/roll/${removed.memberId}/remove`)
        .set(...bearer(admin))
        .send({});
      expect(noReason.status).toBe(400);
      const res = await t.http
        .post(`/api/v1/elections/${e.id}/roll/${removed.memberId}/remove`)
        .set(...bearer(admin))
        .send({ reason: 'Membership ended on 1 May' });
      expect(res.status).toBe(204);
      const refused = await cast(t, removed, e.id, { choice: 'yes' });
      expect(refused.status).toBe(403);
      await expectNothingStored(e.id);
      const [event] = await t.db.query(
        `SELECT data FROM audit_event WHERE action = 'election.roll_entry_removed' AND subject_id = $1`,
        [e.id],
      );
      expect(event.data).toEqual({
        memberId: removed.memberId,
        reason: 'Membership ended on 1 May',
      });
      const mine = await t.http
        .get(`/api/v1/elections/${e.id}/roll/me`)
        .set(...bearer(removed.token));
      expect(mine.body.onRoll).toBe(false);
      expect(mine.body.entries[0]).toMatchObject({ removedReason: 'Membership ended on 1 May' });
    });

    it('lets an admin add a member to the open roll with a reason, who can then vote', async () => {
      const e = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
      await openElection(t, admin, e.id);
      const [late] = await newVoters(t, 1, { duesPaidUntil: '2020-12-31' });
      expect((await cast(t, late, e.id, { choice: 'yes' })).status).toBe(403);
      const add = await t.http
        .post(`/api/v1/elections/${e.id}/roll`)
        .set(...bearer(admin))
        .send({ memberId: late.memberId, reason: 'Paid at the door' });
      expect(add.status).toBe(204);
      expect((await cast(t, late, e.id, { choice: 'yes' })).status).toBe(201);
      expect(await rowCounts(t, e.id)).toEqual({ ballots: 1, participations: 1 });
      const removeVoted = await t.http
        .post(`/api/v1/elections/${e.id}/roll/${late.memberId}/remove`)
        .set(...bearer(admin))
        .send({ reason: 'x' });
      expect(removeVoted.status).toBe(409);
    });

    it('refuses casting in a draft election, after the close, and after closesAt even before the sweep', async () => {
      const draft = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, [
        'Ann',
      ]);
      expect((await cast(t, voter, draft.id, { choice: 'yes' })).status).toBe(409);
      await expectNothingStored(draft.id);

      const closed = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, [
        'Ann',
      ]);
      await openElection(t, admin, closed.id);
      expect(
        (await t.http.post(`/api/v1/elections/${closed.id}/close`).set(...bearer(admin))).status,
      ).toBe(200);
      const late = await cast(t, voter, closed.id, { choice: 'yes' });
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('ELECTION_VOTING_CLOSED');
      await expectNothingStored(closed.id);

      const due = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
      await openElection(t, admin, due.id);
      await t.db.query(
        `UPDATE election SET closes_at = now() - interval '1 millisecond' WHERE id = $1`,
        [due.id],
      );
      expect((await cast(t, voter, due.id, { choice: 'yes' })).status).toBe(409);
      await expectNothingStored(due.id);
    });

    it('counts a blank ballot as blank where blanks are allowed', async () => {
      const e = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
      await openElection(t, admin, e.id);
      const res = await cast(t, voter, e.id, { blank: true });
      expect(res.status).toBe(201);
      const [row] = await openedBallots(t, e.id);
      expect(row.content).toEqual({ choice: 'blank' });
    });
  });

  describe('a caller whose session has ended', () => {
    // The cast route leaves the session check to its own statement; these prove a dead session is
    // still refused with 401, before any other refusal, and that nothing is stored.
    async function openYesNo(): Promise<string> {
      const e = await draftElection(t, admin, { office: 'Treasurer', method: 'yes_no' }, ['Ann']);
      await openElection(t, admin, e.id);
      return e.id;
    }

    function expectSignedOut(res: { status: number; body: { code?: string } }): void {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('AUTH_INVALID_TOKEN');
    }

    it('refuses a cast after logout and stores nothing', async () => {
      const [voter] = await newVoters(t, 1);
      const id = await openYesNo();
      const out = await t.http.post('/api/v1/auth/logout').set(...bearer(voter.token));
      expect(out.status).toBe(204);
      expectSignedOut(await cast(t, voter, id, { choice: 'yes' }));
      await expectNothingStored(id);
    });

    it('refuses a token whose version is stale, and a disabled account, and stores nothing', async () => {
      const [stale, disabled] = await newVoters(t, 2);
      const id = await openYesNo();
      const claims = decodeJwt(stale.token);
      const restamped = signJwt(
        { ...claims, ver: (claims.ver as number) + 1 },
        t.config.auth.jwtSecret,
      );
      expectSignedOut(await cast(t, { ...stale, token: restamped }, id, { choice: 'yes' }));
      await t.db.query(`UPDATE app_user SET status = 'disabled' WHERE id = $1`, [disabled.userId]);
      expectSignedOut(await cast(t, disabled, id, { choice: 'yes' }));
      await expectNothingStored(id);
      // The same voters' genuine tokens still work once nothing is wrong with them.
      expect((await cast(t, stale, id, { choice: 'no' })).status).toBe(201);
    });

    it('refuses an expired session, and odd claims in a genuinely signed token, with 401', async () => {
      const [expired, odd] = await newVoters(t, 2);
      const id = await openYesNo();
      await t.db.query(
        `UPDATE auth_session SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
        [expired.userId],
      );
      expectSignedOut(await cast(t, expired, id, { choice: 'yes' }));
      const claims = decodeJwt(odd.token);
      for (const change of [{ ver: 2 ** 31 }, { ver: '0' }, { sid: '-'.repeat(36) }]) {
        const token = signJwt({ ...claims, ...change }, t.config.auth.jwtSecret);
        expectSignedOut(await cast(t, { ...odd, token }, id, { choice: 'yes' }));
      }
      await expectNothingStored(id);
    });

    it('answers 401 to a stale token version whatever else is wrong with the request', async () => {
      const [voter] = await newVoters(t, 1);
      const id = await openYesNo();
      const claims = decodeJwt(voter.token);
      const stale = {
        ...voter,
        token: signJwt({ ...claims, ver: (claims.ver as number) + 1 }, t.config.auth.jwtSecret),
      };
      expectSignedOut(await cast(t, stale, id, { choice: 'maybe' }));
      expectSignedOut(
        await cast(t, stale, '00000000-0000-4000-8000-00000000dead', { choice: 'yes' }),
      );
      await expectNothingStored(id);
    });

    it('answers 401, not the other refusal, to a bad ballot, an unknown or closed election, a bad key and a second vote', async () => {
      const [voter] = await newVoters(t, 1);
      const id = await openYesNo();
      expect((await cast(t, voter, id, { choice: 'yes' })).status).toBe(201);
      const closed = await openYesNo();
      expect(
        (await t.http.post(`/api/v1/elections/${closed}/close`).set(...bearer(admin))).status,
      ).toBe(200);
      await t.http.post('/api/v1/auth/logout').set(...bearer(voter.token));
      const refusals = [
        await cast(t, voter, id, { choice: 'maybe' }),
        await t.http
          .post(`/api/v1/elections/${id}/ballots`)
          .set(...bearer(voter.token))
          .send({}),
        await cast(t, voter, '00000000-0000-4000-8000-00000000dead', { choice: 'yes' }),
        await cast(t, voter, 'not-a-uuid', { choice: 'yes' }),
        await cast(t, voter, closed, { choice: 'yes' }),
        await t.http
          .post(`/api/v1/elections/${id}/ballots`)
          .set(...bearer(voter.token))
          .set('idempotency-key', 'short')
          .send({ ballot: { choice: 'yes' } }),
        await cast(t, voter, id, { choice: 'no' }),
      ];
      for (const res of refusals) {
        expectSignedOut(res);
      }
      expect(await rowCounts(t, id)).toEqual({ ballots: 1, participations: 1 });
    });
  });

  describe('racing the close', () => {
    it('counts every ballot whose receipt was returned and refuses the rest, with nothing written after the freeze', async () => {
      const voters = await newVoters(t, 120);
      const e = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
      await openElection(t, admin, e.id);
      const casts = voters.map((v, i) =>
        new Promise((r) => setTimeout(r, i % 40)).then(() =>
          cast(t, v, e.id, { choice: i % 3 === 0 ? 'no' : 'yes' }),
        ),
      );
      const close = new Promise((r) => setTimeout(r, 15)).then(() =>
        t.http.post(`/api/v1/elections/${e.id}/close`).set(...bearer(admin)),
      );
      const [closed, ...responses] = await Promise.all([close, ...casts]);
      expect(closed.status).toBe(200);
      const accepted = responses
        .filter((r) => r.status === 201)
        .map((r) => r.body.receipt as string);
      const refused = responses.filter((r) => r.status !== 201);
      expect(
        refused.every((r) => r.status === 409 && r.body.code === 'ELECTION_VOTING_CLOSED'),
      ).toBe(true);
      const stored = (
        await t.db.query(`SELECT receipt FROM ballot WHERE election_id = $1`, [e.id])
      ).map((r: { receipt: string }) => r.receipt);
      expect(stored.sort()).toEqual([...accepted].sort());
      const [election] = await t.db.query(`SELECT close_snapshot FROM election WHERE id = $1`, [
        e.id,
      ]);
      expect(election.close_snapshot).toMatchObject({
        ballots: accepted.length,
        participations: accepted.length,
      });
      expect(await rowCounts(t, e.id)).toEqual({
        ballots: accepted.length,
        participations: accepted.length,
      });
    });
  });
});
