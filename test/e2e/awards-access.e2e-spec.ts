import { randomUUID } from 'node:crypto';
import { engineBallot } from 'src/awards/award-rules';
import { inputDigest } from 'src/tallying/input-digest';
import { startTestApp, TestApp } from '../support/test-app';
import {
  api,
  Api,
  countRows,
  JuryEdition,
  juryEdition,
  newUser,
  ok,
  Person,
  s3,
  untilTallied,
} from './awards.fixtures';

jest.setTimeout(120_000);

/** Who may see and change what in the award jury, and every refusal leaving nothing behind. */
describe('award jury access and ballot integrity (e2e)', () => {
  let t: TestApp;
  let http: Api;
  let e: JuryEdition;
  let member: Person;
  let outsiderJuror: Person;

  beforeAll(async () => {
    t = await startTestApp();
    http = api(t);
    e = await juryEdition(t);
    member = await newUser(t, 'member', { organisation: 'Someone' });
    outsiderJuror = await newUser(t, 'jury');
  });
  afterAll(async () => {
    await t.close();
  });

  const ballotRows = (roundId: string, userId?: string) =>
    t.db.query<{ id: string; content: unknown; status: string; revision: number }[]>(
      `SELECT id, content, status, revision FROM award_jury_ballot WHERE round_id = $1 AND ($2::uuid IS NULL OR user_id = $2)`,
      [roundId, userId ?? null],
    );
  const fullScores = () => {
    const [n1, n2] = e.scoredNominees;
    return { [n1]: s3(5, 5, 5), [n2]: s3(6, 6, 6) };
  };

  describe('route × role, with real ids', () => {
    let jABallotId: string;

    beforeAll(async () => {
      jABallotId = ok<{ id: string }>(
        await http.put(`/jury/rounds/${e.scoredRound}/ballot`, e.jA.token, {
          scores: fullScores(),
        }),
      ).id;
    });

    type Who = 'anonymous' | 'member' | 'jA' | 'jB' | 'outsider' | 'admin';
    const token = (who: Who): string | undefined =>
      ({
        anonymous: undefined,
        member: member.token,
        jA: e.jA.token,
        jB: e.jB.token,
        outsider: outsiderJuror.token,
        admin: e.admin.token,
      })[who];

    const cases: [string, 'GET' | 'POST' | 'PUT', () => string, Partial<Record<Who, number>>][] = [
      [
        "juror's own round",
        'GET',
        () => `/jury/rounds/${e.scoredRound}`,
        { anonymous: 401, member: 403, jA: 200, jB: 404, outsider: 404, admin: 403 },
      ],
      [
        "a juror's ballot by id",
        'GET',
        () => `/jury/ballots/${jABallotId}`,
        { anonymous: 401, member: 403, jA: 200, jB: 404, outsider: 404, admin: 403 },
      ],
      ['a guessed ballot id', 'GET', () => `/jury/ballots/${randomUUID()}`, { jA: 404, jB: 404 }],
      [
        'round progress',
        'GET',
        () => `/rounds/${e.scoredRound}/progress`,
        { anonymous: 401, member: 403, jA: 403, jB: 403, admin: 200 },
      ],
      [
        'category results',
        'GET',
        () => `/categories/${e.scoredId}/results`,
        { member: 403, jA: 403, admin: 200 },
      ],
      [
        'screening list',
        'GET',
        () => `/categories/${e.scoredId}/nominees`,
        { member: 403, jA: 403, admin: 200 },
      ],
      [
        'conflict list',
        'GET',
        () => `/categories/${e.scoredId}/conflicts`,
        { member: 403, jA: 403, admin: 200 },
      ],
      [
        'close a round',
        'POST',
        () => `/rounds/${randomUUID()}/close`,
        { member: 403, jA: 403, jB: 403, admin: 404 },
      ],
      [
        'assign a juror',
        'POST',
        () => `/categories/${e.scoredId}/jurors`,
        { member: 403, jA: 403, admin: 400 },
      ],
      [
        'declare a conflict elsewhere',
        'POST',
        () => `/jury/categories/${e.scoredId}/conflicts`,
        { jB: 404, outsider: 404, member: 403 },
      ],
      ['my open rounds', 'GET', () => '/jury/rounds', { member: 403, admin: 403, jA: 200 }],
      ['my nominations', 'GET', () => '/nominations/mine', { member: 200, jA: 403, admin: 403 }],
      [
        'an edition',
        'GET',
        () => `/editions/${e.editionId}`,
        { anonymous: 401, member: 200, jA: 200, admin: 200 },
      ],
    ];

    it.each(cases)('%s (%s)', async (_name, method, path, expected) => {
      for (const [who, status] of Object.entries(expected) as [Who, number][]) {
        const tk = token(who);
        const body =
          method === 'GET'
            ? undefined
            : who === 'jB' || who === 'outsider'
              ? { nomineeId: e.scoredNominees[0], type: 'other' }
              : {};
        let req =
          method === 'GET'
            ? t.http.get(`/api/v1/awards${path()}`)
            : method === 'POST'
              ? t.http.post(`/api/v1/awards${path()}`)
              : t.http.put(`/api/v1/awards${path()}`);
        if (tk) {
          req = req.set('authorization', `Bearer ${tk}`);
        }
        const res = body === undefined ? await req : await req.send(body);
        expect(`${who} → ${res.status}`).toBe(`${who} → ${status}`);
        if (status >= 400) {
          expect(JSON.stringify(res.body)).not.toMatch(/"scores"|impact/);
        }
      }
    });

    it("refuses a ballot in another category's round and stores nothing", async () => {
      const res = await http.put(`/jury/rounds/${e.scoredRound}/ballot`, e.jB.token, {
        scores: fullScores(),
        submit: true,
      });
      expect(res.status).toBe(404);
      expect(await ballotRows(e.scoredRound, e.jB.userId)).toEqual([]);
    });

    it('lists only the rounds of the juror’s own categories, without conflicted nominees', async () => {
      const rounds = ok<{ round: { id: string }; nominees: { id: string }[] }[]>(
        await http.get('/jury/rounds', e.jA.token),
      );
      expect(rounds.map((r) => r.round.id)).toEqual([e.scoredRound]);
      expect(rounds[0].nominees.map((n) => n.id)).not.toContain(e.conflicted);
      expect(rounds[0].nominees).toHaveLength(2);
      const other = ok<{ round: { id: string } }[]>(await http.get('/jury/rounds', e.jB.token));
      expect(other.map((r) => r.round.id)).toEqual([e.rankedRound]);
    });

    it('shows admins progress but no ballot contents and no results before the close', async () => {
      const progress = await http.get(`/rounds/${e.scoredRound}/progress`, e.admin.token);
      expect(
        progress.body.jurors.find((j: { userId: string }) => j.userId === e.jA.userId).ballot,
      ).toBe('draft');
      expect(JSON.stringify(progress.body)).not.toMatch(/impact|creativity|"5"|"scores":\{/);
      const results = ok<{ rounds: unknown[] }>(
        await http.get(`/categories/${e.scoredId}/results`, e.admin.token),
      );
      expect(results.rounds).toEqual([]);
    });
  });

  describe('bad ballots are refused with the reason and change nothing', () => {
    const n1 = 0;
    const cases: [string, () => { round: string; who: () => Person; body: object }, RegExp][] = [
      [
        'a score above the range',
        () => ({
          round: e.scoredRound,
          who: () => e.jC,
          body: { scores: { [e.scoredNominees[n1]]: s3(11, 5, 5) } },
        }),
        /outside 1–10/,
      ],
      [
        'a score below the range',
        () => ({
          round: e.scoredRound,
          who: () => e.jC,
          body: { scores: { [e.scoredNominees[n1]]: s3(0, 5, 5) } },
        }),
        /outside 1–10/,
      ],
      [
        'a nominee not in the round (rejected)',
        () => ({
          round: e.scoredRound,
          who: () => e.jC,
          body: { scores: { [e.rejected]: s3(5, 5, 5) } },
        }),
        /not in this round/,
      ],
      [
        'a nominee of another category',
        () => ({
          round: e.scoredRound,
          who: () => e.jC,
          body: { scores: { [e.rankedNominees[0]]: s3(5, 5, 5) } },
        }),
        /not in this round/,
      ],
      [
        'a conflicted nominee',
        () => ({
          round: e.scoredRound,
          who: () => e.jA,
          body: { scores: { ...fullScores(), [e.conflicted]: s3(5, 5, 5) }, submit: true },
        }),
        /conflict of interest/,
      ],
      [
        'an unknown criterion',
        () => ({
          round: e.scoredRound,
          who: () => e.jC,
          body: { scores: { [e.scoredNominees[n1]]: { ...s3(5, 5, 5), charm: 3 } } },
        }),
        /unknown criterion/,
      ],
      [
        'a missing criterion',
        () => ({
          round: e.scoredRound,
          who: () => e.jC,
          body: { scores: { [e.scoredNominees[n1]]: { impact: 5, creativity: 5 } } },
        }),
        /no score for criterion .+execution/,
      ],
      [
        'a score as a string',
        () => ({
          round: e.scoredRound,
          who: () => e.jC,
          body: {
            scores: { [e.scoredNominees[n1]]: { impact: '5', creativity: 5, execution: 5 } },
          },
        }),
        /must be a number/,
      ],
      [
        'an incomplete submission',
        () => ({
          round: e.scoredRound,
          who: () => e.jC,
          body: { scores: { [e.scoredNominees[n1]]: s3(5, 5, 5) }, submit: true },
        }),
        /missing/,
      ],
      [
        'a ranking in a scored category',
        () => ({
          round: e.scoredRound,
          who: () => e.jC,
          body: { ranking: [e.scoredNominees[n1]] },
        }),
        /send scores/,
      ],
      [
        'duplicate ranks',
        () => ({
          round: e.rankedRound,
          who: () => e.jB,
          body: { ranking: [e.rankedNominees[0], e.rankedNominees[0], e.rankedNominees[1]] },
        }),
        /ranked twice/,
      ],
      [
        'an incomplete ranking submitted',
        () => ({
          round: e.rankedRound,
          who: () => e.jB,
          body: { ranking: [e.rankedNominees[0]], submit: true },
        }),
        /missing/,
      ],
      [
        'scores in a ranked category',
        () => ({ round: e.rankedRound, who: () => e.jB, body: { scores: {} } }),
        /send a ranking/,
      ],
      [
        'a prototype key',
        () => ({
          round: e.scoredRound,
          who: () => e.jC,
          body: JSON.parse(`{"scores":{"__proto__":{"impact":5}}}`) as object,
        }),
        /./,
      ],
      [
        'a server-owned field',
        () => ({
          round: e.scoredRound,
          who: () => e.jC,
          body: { scores: {}, userId: e.jA.userId },
        }),
        /userId/,
      ],
      [
        'a ranking of non-ids',
        () => ({ round: e.rankedRound, who: () => e.jB, body: { ranking: [1, 2, 3] } }),
        /ranking/,
      ],
      [
        'scores as an array',
        () => ({ round: e.scoredRound, who: () => e.jC, body: { scores: [5, 5] } }),
        /scores/,
      ],
      [
        'a non-boolean submit',
        () => ({ round: e.scoredRound, who: () => e.jC, body: { scores: {}, submit: 'yes' } }),
        /submit/,
      ],
    ];

    it.each(cases)('%s → 400', async (_name, make, reason) => {
      const c = make();
      const who = c.who();
      const before = await ballotRows(c.round, who.userId);
      const res = await http.put(`/jury/rounds/${c.round}/ballot`, who.token, c.body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(reason);
      expect(await ballotRows(c.round, who.userId)).toEqual(before);
    });

    it('accepts a valid complete ranking (the refusals above were not about the juror)', async () => {
      const ranking = [...e.rankedNominees];
      const res = ok<{ status: string; ranking: string[] }>(
        await http.put(`/jury/rounds/${e.rankedRound}/ballot`, e.jB.token, {
          ranking,
          submit: true,
        }),
      );
      expect(res).toMatchObject({ status: 'submitted', ranking });
      expect(await ballotRows(e.rankedRound, e.jB.userId)).toHaveLength(1);
    });
  });

  describe('one ballot per juror per round', () => {
    it('stores exactly one ballot for 30 concurrent submissions by the same juror, holding one of them', async () => {
      const bodies = Array.from({ length: 30 }, (_, i) => {
        const [n1, n2, n3] = e.scoredNominees;
        return {
          scores: { [n1]: s3(1 + (i % 10), 5, 5), [n2]: s3(5, 5, 5), [n3]: s3((i % 3) + 1, 2, 3) },
          submit: true,
        };
      });
      const responses = await Promise.all(
        bodies.map((b) => http.put(`/jury/rounds/${e.scoredRound}/ballot`, e.jC.token, b)),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(30).fill(200));
      const rows = await ballotRows(e.scoredRound, e.jC.userId);
      expect(rows).toHaveLength(1);
      expect(rows[0].status).toBe('submitted');
      expect(bodies.map((b) => b.scores)).toContainEqual(
        (rows[0].content as { scores: unknown }).scores,
      );
      expect(new Set(responses.map((r) => (r.body as { id: string }).id))).toEqual(
        new Set([rows[0].id]),
      );
    });

    it('treats an identical resubmission as a no-op', async () => {
      const body = { scores: fullScores(), submit: true };
      const first = ok<{ id: string; revision: number }>(
        await http.put(`/jury/rounds/${e.scoredRound}/ballot`, e.jA.token, body),
      );
      const again = ok<{ id: string; revision: number }>(
        await http.put(`/jury/rounds/${e.scoredRound}/ballot`, e.jA.token, body),
      );
      expect(again).toEqual(first);
      expect(
        await countRows(
          t,
          'audit_event',
          `action IN ('award.ballot_submitted', 'award.ballot_revised') AND data->>'ballotId' = $1 AND (data->>'revision')::int > $2`,
          [first.id, first.revision],
        ),
      ).toBe(0);
    });

    it('refuses to turn a submitted ballot back into a draft', async () => {
      const res = await http.put(`/jury/rounds/${e.scoredRound}/ballot`, e.jA.token, {
        scores: fullScores(),
      });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('AWARD_BALLOT_SUBMITTED');
      expect((await ballotRows(e.scoredRound, e.jA.userId))[0].status).toBe('submitted');
    });

    it('has a unique constraint behind it', async () => {
      await expect(
        t.db.query(
          `INSERT INTO award_jury_ballot (round_id, user_id, content, status) VALUES ($1, $2, '{}', 'draft')`,
          [e.scoredRound, e.jA.userId],
        ),
      ).rejects.toThrow(/award_jury_ballot_round_juror_uq/);
    });
  });

  describe('the close', () => {
    it('freezes exactly the submissions that were accepted while submissions race the close, and refuses later ones', async () => {
      const round = e.scoredRound;
      const [n1, n2, n3] = e.scoredNominees;
      const save = (i: number) => {
        const who = i % 2 ? e.jA : e.jC;
        const scores: Record<string, object> = { [n1]: s3(1 + (i % 10), 2, 3), [n2]: s3(4, 5, 6) };
        if (who === e.jC) {
          scores[n3] = s3(7, 7, 7);
        }
        return http
          .put(`/jury/rounds/${round}/ballot`, who.token, { scores, submit: true })
          .then((res) => ({ who, scores, res }));
      };
      // The first save completes before the close starts; the rest race it.
      const first = await save(0);
      const racing = Array.from({ length: 20 }, (_, i) => save(i + 1));
      const [closed, ...rest] = await Promise.all([
        http.post(`/rounds/${round}/close`, e.admin.token),
        ...racing,
      ]);
      const responses = [first, ...rest];
      expect(closed.status).toBe(200);
      for (const r of responses) {
        expect([200, 409]).toContain(r.res.status);
      }
      expect(responses.filter((r) => r.res.status === 200).length).toBeGreaterThanOrEqual(1);
      const frozen = closed.body as { inputDigest: string };
      const stored = await t.db.query<
        { user_id: string; content: { scores: Record<string, Record<string, number>> } }[]
      >(
        `SELECT user_id, content FROM award_jury_ballot WHERE round_id = $1 AND status = 'submitted'`,
        [round],
      );
      // Nothing was written after the snapshot: the stored ballots still give the frozen digest.
      expect(
        inputDigest(stored.map((b) => engineBallot({ method: 'score' }, b.user_id, b.content))),
      ).toBe(frozen.inputDigest);
      // For each juror, the last accepted save (highest revision) is exactly what was frozen.
      for (const juror of [e.jA, e.jC]) {
        const accepted = responses.filter((r) => r.who === juror && r.res.status === 200);
        if (accepted.length === 0) {
          continue;
        }
        const last = accepted.reduce((a, b) =>
          (a.res.body as { revision: number }).revision >=
          (b.res.body as { revision: number }).revision
            ? a
            : b,
        );
        expect(stored.find((b) => b.user_id === juror.userId)?.content.scores).toEqual(last.scores);
      }
      const late = await http.put(`/jury/rounds/${round}/ballot`, e.jA.token, {
        scores: fullScores(),
        submit: true,
      });
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('AWARD_ROUND_CLOSED');
      const after = await t.db.query<{ user_id: string; content: unknown }[]>(
        `SELECT user_id, content FROM award_jury_ballot WHERE round_id = $1 AND status = 'submitted'`,
        [round],
      );
      expect(after).toEqual(expect.arrayContaining(stored));
      expect(after).toHaveLength(stored.length);
      expect(await untilTallied(t, round)).toMatch(/decided|tie_pending/);
      const [run] = await t.db.query<{ ballot_count: number; input_digest: string }[]>(
        `SELECT ballot_count, input_digest FROM tally_run WHERE contest_kind = 'award_round' AND contest_id = $1`,
        [round],
      );
      expect(run).toEqual({ ballot_count: stored.length, input_digest: frozen.inputDigest });
      // After the close the juror still reads their own ballot, and it did not change.
      const view = ok<{ ballot: { status: string } }>(
        await http.get(`/jury/rounds/${round}`, e.jA.token),
      );
      expect(view.ballot.status).toBe('submitted');
    });

    it('freezes the closed round’s ballots in the database itself', async () => {
      const before = await ballotRows(e.scoredRound);
      expect(before.length).toBeGreaterThan(0);
      await expect(
        t.db.query(`UPDATE award_jury_ballot SET content = '{}' WHERE round_id = $1`, [
          e.scoredRound,
        ]),
      ).rejects.toThrow(/frozen/);
      await expect(
        t.db.query(`DELETE FROM award_jury_ballot WHERE round_id = $1`, [e.scoredRound]),
      ).rejects.toThrow(/frozen/);
      await expect(
        t.db.query(
          `INSERT INTO award_jury_ballot (round_id, user_id, content, status) VALUES ($1, $2, '{}', 'draft')`,
          [e.scoredRound, e.jB.userId],
        ),
      ).rejects.toThrow(/frozen/);
      expect(await ballotRows(e.scoredRound)).toEqual(before);
    });

    it('refuses a save once the closing time has passed, before any sweep ran', async () => {
      await t.db.query(
        `UPDATE award_round SET closes_at = now() - interval '1 second' WHERE id = $1`,
        [e.rankedRound],
      );
      const before = await ballotRows(e.rankedRound, e.jB.userId);
      const res = await http.put(`/jury/rounds/${e.rankedRound}/ballot`, e.jB.token, {
        ranking: [...e.rankedNominees].reverse(),
        submit: true,
      });
      expect(res.status).toBe(409);
      expect(await ballotRows(e.rankedRound, e.jB.userId)).toEqual(before);
    });

    it('closes a due round on the schedule sweep and tallies it through the queue', async () => {
      const { AwardsScheduler } = await import('src/awards/awards-scheduler');
      const swept = await t.app.get(AwardsScheduler).sweep();
      expect(swept.closed).toBe(1);
      expect(await untilTallied(t, e.rankedRound)).toBe('decided');
      const [round] = await t.db.query<{ status: string; outcome: { selected: string[] } }[]>(
        `SELECT status, outcome FROM award_round WHERE id = $1`,
        [e.rankedRound],
      );
      // One Schulze ballot R1 > R2 > R3, one winner.
      expect(round.outcome.selected).toEqual([e.rankedNominees[0]]);
      expect(
        await countRows(
          t,
          'audit_event',
          `action = 'award.round_closed' AND subject_id = $1 AND actor_kind = 'system'`,
          [e.rankedRound],
        ),
      ).toBe(1);
    });
  });
});
