import { AwardsScheduler } from 'src/awards/awards-scheduler';
import { startTestApp, TestApp } from '../support/test-app';
import {
  api,
  Api,
  countRows,
  juryEdition,
  newUser,
  ok,
  Person,
  RANKED_CATEGORY,
  s3,
  SCORED_CATEGORY,
  untilTallied,
} from './awards.fixtures';

jest.setTimeout(120_000);

/** Editions, nominations, screening and juries: the rules and their refusals, asserted in the database. */
describe('award editions, nominations and juries (e2e)', () => {
  let t: TestApp;
  let http: Api;
  let admin: Person;

  beforeAll(async () => {
    t = await startTestApp();
    http = api(t);
    admin = await newUser(t, 'admin');
  });
  afterAll(async () => {
    await t.close();
  });

  let slug = 0;
  async function newEdition(body: Record<string, unknown> = {}): Promise<string> {
    slug += 1;
    const program = ok<{ id: string }>(
      await http.post('/programs', admin.token, {
        slug: `prog-${slug}-${Date.now()}`,
        title: `Program ${slug}`,
      }),
      201,
    );
    return ok<{ id: string }>(
      await http.post(`/programs/${program.id}/editions`, admin.token, {
        year: 2026,
        ordinal: '9th',
        ...body,
      }),
      201,
    ).id;
  }
  async function newCategory(
    editionId: string,
    body: Record<string, unknown> = RANKED_CATEGORY,
  ): Promise<string> {
    return ok<{ id: string }>(
      await http.post(`/editions/${editionId}/categories`, admin.token, body),
      201,
    ).id;
  }
  const phase = (editionId: string, to: string) =>
    http.post(`/editions/${editionId}/phase`, admin.token, { phase: to });

  describe('programs, editions and categories', () => {
    it('refuses a second program with the same slug and a second edition for the same year', async () => {
      const p = ok<{ id: string }>(
        await http.post('/programs', admin.token, { slug: 'dup-slug', title: 'One' }),
        201,
      );
      const again = await http.post('/programs', admin.token, { slug: 'dup-slug', title: 'Two' });
      expect(again.status).toBe(409);
      ok(
        await http.post(`/programs/${p.id}/editions`, admin.token, { year: 2025, ordinal: '1st' }),
        201,
      );
      expect(
        (await http.post(`/programs/${p.id}/editions`, admin.token, { year: 2025, ordinal: '2nd' }))
          .status,
      ).toBe(409);
      expect(await countRows(t, 'award_program', `slug = 'dup-slug'`)).toBe(1);
      expect(await countRows(t, 'award_edition', `program_id = $1`, [p.id])).toBe(1);
    });

    it.each([
      [
        'a scored category without criteria',
        { title: 'X', method: 'score' },
        /at least one criterion/,
      ],
      [
        'criteria on a ranked category',
        { title: 'X', method: 'borda', criteria: SCORED_CATEGORY.criteria },
        /no scoring criteria/,
      ],
      [
        'min not below max',
        { ...SCORED_CATEGORY, criteria: [{ id: 'a', title: 'A', weight: 1, min: 5, max: 5 }] },
        /min must be below max/,
      ],
      [
        'a duplicate criterion id',
        {
          ...SCORED_CATEGORY,
          criteria: [SCORED_CATEGORY.criteria[0], SCORED_CATEGORY.criteria[0]],
        },
        /used twice/,
      ],
      [
        'a short list not longer than the winners',
        { ...RANKED_CATEGORY, winners: 2, shortListSize: 2 },
        /short list must be longer/,
      ],
      [
        'IRV with several winners',
        { title: 'X', method: 'irv', winners: 2 },
        /IRV picks one winner/,
      ],
      ['an unknown method', { title: 'X', method: 'dictator' }, /method/],
      [
        'a zero weight',
        { ...SCORED_CATEGORY, criteria: [{ id: 'a', title: 'A', weight: 0, min: 1, max: 5 }] },
        /weight/,
      ],
    ])('refuses %s with 400 and stores nothing', async (_name, body, reason) => {
      const editionId = await newEdition();
      const res = await http.post(`/editions/${editionId}/categories`, admin.token, body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(reason);
      expect(await countRows(t, 'award_category', 'edition_id = $1', [editionId])).toBe(0);
    });

    it('moves phases one step at a time and refuses a step the data does not allow, with the reasons', async () => {
      const editionId = await newEdition();
      const skip = await phase(editionId, 'screening');
      expect(skip.status).toBe(409);
      const empty = await phase(editionId, 'nominations');
      expect(empty.status).toBe(409);
      expect(empty.body.details.reasons).toEqual(['the edition has no categories']);
      const categoryId = await newCategory(editionId);
      ok(await phase(editionId, 'nominations'));
      // Settings are fixed once the edition leaves draft; the results display may still change.
      expect(
        (await http.patch(`/categories/${categoryId}`, admin.token, { winners: 2 })).status,
      ).toBe(409);
      ok(
        await http.patch(`/categories/${categoryId}`, admin.token, {
          resultsDisplay: 'aggregates_only',
        }),
      );
      ok(await phase(editionId, 'screening'));
      const toJury = await phase(editionId, 'jury');
      expect(toJury.status).toBe(409);
      expect(toJury.body.details.reasons).toEqual([
        `category "${RANKED_CATEGORY.title}" has no jurors`,
        `category "${RANKED_CATEGORY.title}" has no accepted nominee`,
      ]);
      const [row] = await t.db.query<{ phase: string; winners: number; results_display: string }[]>(
        `SELECT e.phase, c.winners, c.results_display FROM award_edition e JOIN award_category c ON c.edition_id = e.id WHERE e.id = $1`,
        [editionId],
      );
      expect(row).toEqual({ phase: 'screening', winners: 1, results_display: 'aggregates_only' });
      expect(
        await countRows(
          t,
          'audit_event',
          `action = 'award.edition_phase_changed' AND subject_id = $1`,
          [editionId],
        ),
      ).toBe(2);
    });

    it('opens and closes nominations on the schedule sweep', async () => {
      const now = Date.now();
      const editionId = await newEdition({
        nominationsOpenAt: new Date(now - 60_000).toISOString(),
        nominationsCloseAt: new Date(now + 60_000).toISOString(),
      });
      await newCategory(editionId);
      const scheduler = t.app.get(AwardsScheduler);
      await scheduler.sweep(new Date(now));
      expect(
        ok<{ phase: string }>(await http.get(`/editions/${editionId}`, admin.token)).phase,
      ).toBe('nominations');
      await scheduler.sweep(new Date(now + 120_000));
      expect(
        ok<{ phase: string }>(await http.get(`/editions/${editionId}`, admin.token)).phase,
      ).toBe('screening');
      expect(
        await countRows(
          t,
          'audit_event',
          `action = 'award.edition_phase_changed' AND subject_id = $1 AND actor_kind = 'system'`,
          [editionId],
        ),
      ).toBe(2);
    });
  });

  describe('nominations', () => {
    it('refuses nominations outside the window, in a closed category, over the limit and self-nominations where not allowed', async () => {
      const m = await newUser(t, 'member', { organisation: 'Org' });
      const future = await newEdition({
        nominationsOpenAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
      const futureCategory = await newCategory(future);
      ok(await phase(future, 'nominations'));
      const early = await http.post(`/categories/${futureCategory}/nominations`, m.token, {
        nomineeName: 'Early',
      });
      expect([early.status, early.body.code, early.body.message]).toEqual([
        409,
        'AWARD_NOMINATIONS_CLOSED',
        'Refused: nominations have not opened yet',
      ]);

      const draft = await newEdition();
      const draftCategory = await newCategory(draft);
      expect(
        (
          await http.post(`/categories/${draftCategory}/nominations`, m.token, {
            nomineeName: 'Too soon',
          })
        ).status,
      ).toBe(409);

      const editionId = await newEdition();
      const limited = await newCategory(editionId, {
        ...RANKED_CATEGORY,
        nominationsPerMember: 2,
        selfNominationAllowed: false,
      });
      const closing = await newCategory(editionId, { ...RANKED_CATEGORY, title: 'Closing' });
      ok(await phase(editionId, 'nominations'));
      ok(
        await http.post(`/categories/${limited}/nominations`, m.token, { nomineeName: 'One' }),
        201,
      );
      ok(
        await http.post(`/categories/${limited}/nominations`, m.token, {
          nomineeName: 'Two',
          links: ['https://example.org/two'],
        }),
        201,
      );
      const third = await http.post(`/categories/${limited}/nominations`, m.token, {
        nomineeName: 'Three',
      });
      expect([third.status, third.body.code]).toEqual([409, 'AWARD_NOMINATION_LIMIT']);
      const self = await http.post(`/categories/${limited}/nominations`, m.token, {
        nomineeName: 'Me',
        selfNomination: true,
      });
      expect([self.status, self.body.code]).toEqual([400, 'AWARD_SELF_NOMINATION_NOT_ALLOWED']);
      ok(await http.post(`/categories/${closing}/close-nominations`, admin.token));
      const closed = await http.post(`/categories/${closing}/nominations`, m.token, {
        nomineeName: 'Late',
      });
      expect([closed.status, closed.body.message]).toEqual([
        409,
        'Refused: nominations in this category are closed',
      ]);
      const badLink = await http.post(`/categories/${closing}/nominations`, m.token, {
        nomineeName: 'X',
        links: ['javascript:alert(1)'],
      });
      expect(badLink.status).toBe(400);
      expect(await countRows(t, 'award_nomination', 'member_id = $1', [m.memberId])).toBe(2);
      expect(
        await countRows(t, 'award_nominee', 'category_id = ANY($1)', [
          [limited, closing, futureCategory, draftCategory],
        ]),
      ).toBe(2);
    });

    it('refuses a nomination from a user who acts for no member, and asks which member when they act for several', async () => {
      const editionId = await newEdition();
      const categoryId = await newCategory(editionId);
      ok(await phase(editionId, 'nominations'));
      const noMember = await newUser(t, 'member');
      expect(
        (
          await http.post(`/categories/${categoryId}/nominations`, noMember.token, {
            nomineeName: 'X',
          })
        ).status,
      ).toBe(403);
      const delegate = await newUser(t, 'member', { organisation: 'Own' });
      await t.db.query(
        `INSERT INTO member (member_number, kind, name, organisation, status, delegate_user_id) VALUES ($1, 'corporate', 'Corp', 'Corp Ltd', 'active', $2)`,
        [`C-${Date.now()}`, delegate.userId],
      );
      const ambiguous = await http.post(`/categories/${categoryId}/nominations`, delegate.token, {
        nomineeName: 'X',
      });
      expect([ambiguous.status, ambiguous.body.code]).toEqual([400, 'AWARD_CHOOSE_MEMBER']);
      ok(
        await http.post(`/categories/${categoryId}/nominations`, delegate.token, {
          nomineeName: 'X',
          memberId: delegate.memberId,
        }),
        201,
      );
      expect(await countRows(t, 'award_nomination', 'category_id = $1', [categoryId])).toBe(1);
    });

    it('lets a member see and withdraw only their own nominations', async () => {
      const editionId = await newEdition();
      const categoryId = await newCategory(editionId);
      ok(await phase(editionId, 'nominations'));
      const owner = await newUser(t, 'member', { organisation: 'A' });
      const other = await newUser(t, 'member', { organisation: 'B' });
      const n = ok<{ id: string; nomineeId: string }>(
        await http.post(`/categories/${categoryId}/nominations`, owner.token, {
          nomineeName: 'Mine',
        }),
        201,
      );
      expect(ok<unknown[]>(await http.get('/nominations/mine', other.token))).toEqual([]);
      expect((await http.post(`/nominations/${n.id}/withdraw`, other.token)).status).toBe(404);
      expect(await countRows(t, 'award_nomination', `id = $1 AND status = 'active'`, [n.id])).toBe(
        1,
      );
      ok(await http.post(`/nominations/${n.id}/withdraw`, owner.token));
      const [nominee] = await t.db.query<{ status: string }[]>(
        `SELECT status FROM award_nominee WHERE id = $1`,
        [n.nomineeId],
      );
      expect(nominee.status).toBe('withdrawn');
      expect(
        ok<{ status: string }[]>(await http.get('/nominations/mine', owner.token)).map(
          (x) => x.status,
        ),
      ).toEqual(['withdrawn']);
    });
  });

  describe('screening', () => {
    it('refuses to screen twice, to merge across categories and to reject without a reason', async () => {
      const editionId = await newEdition();
      const c1 = await newCategory(editionId);
      const c2 = await newCategory(editionId, { ...RANKED_CATEGORY, title: 'Other' });
      ok(await phase(editionId, 'nominations'));
      const m = await newUser(t, 'member', { organisation: 'A' });
      const a = ok<{ nomineeId: string }>(
        await http.post(`/categories/${c1}/nominations`, m.token, { nomineeName: 'A' }),
        201,
      );
      const b = ok<{ nomineeId: string }>(
        await http.post(`/categories/${c2}/nominations`, m.token, { nomineeName: 'B' }),
        201,
      );
      expect(
        (
          await http.post(`/nominees/${a.nomineeId}/merge`, admin.token, {
            intoNomineeId: b.nomineeId,
          })
        ).status,
      ).toBe(409);
      expect((await http.post(`/nominees/${a.nomineeId}/reject`, admin.token, {})).status).toBe(
        400,
      );
      ok(await http.post(`/nominees/${a.nomineeId}/accept`, admin.token));
      expect(
        (
          await http.post(`/nominees/${a.nomineeId}/reject`, admin.token, {
            reason: 'changed my mind',
          })
        ).status,
      ).toBe(409);
      const rows = await t.db.query<{ status: string }[]>(
        `SELECT status FROM award_nominee WHERE id = ANY($1) ORDER BY name`,
        [[a.nomineeId, b.nomineeId]],
      );
      expect(rows.map((r) => r.status)).toEqual(['accepted', 'submitted']);
      expect(
        await countRows(
          t,
          'audit_event',
          `action LIKE 'award.nominee_%' AND data->>'nomineeId' = $1`,
          [a.nomineeId],
        ),
      ).toBe(1);
    });

    it('keeps the move to jury waiting while a consent request is unanswered; giving consent unblocks it', async () => {
      const editionId = await newEdition();
      const categoryId = await newCategory(editionId);
      ok(await phase(editionId, 'nominations'));
      const m = await newUser(t, 'member', { organisation: 'A' });
      const n = ok<{ nomineeId: string }>(
        await http.post(`/categories/${categoryId}/nominations`, m.token, {
          nomineeName: 'Consenting',
        }),
        201,
      );
      ok(await phase(editionId, 'screening'));
      ok(await http.post(`/nominees/${n.nomineeId}/accept`, admin.token));
      const consent = ok<{ token: string; path: string }>(
        await http.post(`/nominees/${n.nomineeId}/consent-request`, admin.token),
      );
      const j = await newUser(t, 'jury');
      ok(
        await http.post(`/categories/${categoryId}/jurors`, admin.token, {
          userId: j.userId,
          role: 'chair',
        }),
        201,
      );
      const waiting = await phase(editionId, 'jury');
      expect(waiting.body.details.reasons).toEqual([
        '1 accepted nominee(s) have not answered the consent request',
      ]);
      expect((await t.http.get(`/api/v1/awards/consent/${'x'.repeat(43)}`)).status).toBe(404);
      ok(await t.http.post(consent.path).send({ decision: 'give' }));
      const [row] = await t.db.query<{ consent_status: string; consent_token_hash: string }[]>(
        `SELECT consent_status, consent_token_hash FROM award_nominee WHERE id = $1`,
        [n.nomineeId],
      );
      expect(row.consent_status).toBe('given');
      expect(row.consent_token_hash).not.toContain(consent.token);
      ok(await phase(editionId, 'jury'));
    });
  });

  describe('juries and conflicts', () => {
    it('assigns only users with the jury role, once per category, with one chair', async () => {
      const editionId = await newEdition();
      const categoryId = await newCategory(editionId);
      const member = await newUser(t, 'member', { organisation: 'A' });
      const j1 = await newUser(t, 'jury');
      const j2 = await newUser(t, 'jury');
      expect(
        (
          await http.post(`/categories/${categoryId}/jurors`, admin.token, {
            userId: member.userId,
          })
        ).status,
      ).toBe(400);
      ok(
        await http.post(`/categories/${categoryId}/jurors`, admin.token, {
          userId: j1.userId,
          role: 'chair',
        }),
        201,
      );
      expect(
        (await http.post(`/categories/${categoryId}/jurors`, admin.token, { userId: j1.userId }))
          .status,
      ).toBe(409);
      const chair2 = await http.post(`/categories/${categoryId}/jurors`, admin.token, {
        userId: j2.userId,
        role: 'chair',
      });
      expect([chair2.status, chair2.body.code]).toEqual([409, 'AWARD_CHAIR_EXISTS']);
      expect(await countRows(t, 'award_jury_assignment', 'category_id = $1', [categoryId])).toBe(1);
    });

    it('lets only a detected conflict be dismissed, and a dismissed nominee becomes visible to the juror again', async () => {
      const e = await juryEdition(t);
      const conflicts = ok<{ id: string; source: string }[]>(
        await http.get(`/categories/${e.scoredId}/conflicts`, admin.token),
      );
      const declared = conflicts.find((c) => c.source === 'declared')!;
      const refused = await http.post(`/conflicts/${declared.id}/dismiss`, e.admin.token, {
        reason: 'no',
      });
      expect(refused.status).toBe(409);
      expect(
        await countRows(t, 'award_jury_conflict', `id = $1 AND status = 'active'`, [declared.id]),
      ).toBe(1);
      // A juror whose organisation (on the assignment) matches a long-listed nominee: detected on assignment.
      await t.db.query(`UPDATE award_nominee SET organisation = 'Shared Org' WHERE id = $1`, [
        e.scoredNominees[0],
      ]);
      const late = await newUser(t, 'jury');
      ok(
        await http.post(`/categories/${e.scoredId}/jurors`, e.admin.token, {
          userId: late.userId,
          organisation: ' shared  ORG ',
        }),
        201,
      );
      const detected = ok<{ id: string; userId: string; source: string; nomineeId: string }[]>(
        await http.get(`/categories/${e.scoredId}/conflicts`, e.admin.token),
      ).find((c) => c.userId === late.userId)!;
      expect(detected).toMatchObject({ source: 'detected', nomineeId: e.scoredNominees[0] });
      const hidden = ok<{ nominees: { id: string }[] }>(
        await http.get(`/jury/rounds/${e.scoredRound}`, late.token),
      );
      expect(hidden.nominees.map((n) => n.id)).not.toContain(e.scoredNominees[0]);
      const blocked = await http.put(`/jury/rounds/${e.scoredRound}/ballot`, late.token, {
        scores: { [e.scoredNominees[0]]: s3(5, 5, 5) },
      });
      expect(blocked.status).toBe(400);
      ok(
        await http.post(`/conflicts/${detected.id}/dismiss`, e.admin.token, {
          reason: 'Different company of the same name',
        }),
      );
      const shown = ok<{ nominees: { id: string }[] }>(
        await http.get(`/jury/rounds/${e.scoredRound}`, late.token),
      );
      expect(shown.nominees.map((n) => n.id)).toContain(e.scoredNominees[0]);
      const [row] = await t.db.query<{ status: string; dismissed_reason: string }[]>(
        `SELECT status, dismissed_reason FROM award_jury_conflict WHERE id = $1`,
        [detected.id],
      );
      expect(row).toEqual({
        status: 'dismissed',
        dismissed_reason: 'Different company of the same name',
      });
    });

    it('takes a nominee out of a juror’s open ballot when the juror declares a conflict mid-round', async () => {
      const e = await juryEdition(t);
      const [n1, n2, n3] = e.scoredNominees;
      ok(
        await http.put(`/jury/rounds/${e.scoredRound}/ballot`, e.jC.token, {
          scores: { [n1]: s3(5, 5, 5), [n2]: s3(6, 6, 6), [n3]: s3(7, 7, 7) },
          submit: true,
        }),
      );
      ok(
        await http.post(`/jury/categories/${e.scoredId}/conflicts`, e.jC.token, {
          nomineeId: n3,
          type: 'personal',
        }),
        201,
      );
      const [ballot] = await t.db.query<{ content: { scores: Record<string, unknown> } }[]>(
        `SELECT content FROM award_jury_ballot WHERE round_id = $1 AND user_id = $2`,
        [e.scoredRound, e.jC.userId],
      );
      expect(Object.keys(ballot.content.scores).sort()).toEqual([n1, n2].sort());
      expect(
        (
          await http.post(`/jury/categories/${e.scoredId}/conflicts`, e.jC.token, {
            nomineeId: n3,
            type: 'personal',
          })
        ).status,
      ).toBe(409);
    });
  });

  describe('rounds', () => {
    it('refuses to open a round outside the jury phase, and a second round before the first is decided', async () => {
      const editionId = await newEdition();
      const categoryId = await newCategory(editionId);
      const r = ok<{ id: string }>(
        await http.post(`/categories/${categoryId}/rounds`, admin.token),
        201,
      );
      const open = await http.post(`/rounds/${r.id}/open`, admin.token);
      expect(open.status).toBe(409);
      expect(open.body.details.reasons).toEqual(
        expect.arrayContaining([
          'the edition is in draft, not jury',
          'the category has no jurors',
          'the category has no longlisted nominees',
        ]),
      );
      expect((await http.post(`/categories/${categoryId}/rounds`, admin.token)).status).toBe(409);
      expect(
        await countRows(t, 'award_round', `category_id = $1 AND status = 'draft'`, [categoryId]),
      ).toBe(1);
    });

    it('leaves a nominee with fewer scores than the minimum panel out of the ranking, flagged', async () => {
      const e = await juryEdition(t);
      const [n1, n2, n3] = e.scoredNominees;
      // minScores is 2; n3 is scored only by jC (jA is conflicted with it).
      ok(
        await http.put(`/jury/rounds/${e.scoredRound}/ballot`, e.jA.token, {
          scores: { [n1]: s3(4, 4, 4), [n2]: s3(6, 6, 6) },
          submit: true,
        }),
      );
      ok(
        await http.put(`/jury/rounds/${e.scoredRound}/ballot`, e.jC.token, {
          scores: { [n1]: s3(6, 6, 6), [n2]: s3(5, 5, 5), [n3]: s3(10, 10, 10) },
          submit: true,
        }),
      );
      ok(await http.post(`/rounds/${e.scoredRound}/close`, e.admin.token));
      expect(await untilTallied(t, e.scoredRound)).toBe('decided');
      const results = ok<{
        rounds: {
          nominees: {
            nomineeId: string;
            place: number | null;
            aggregate: string | null;
            scores: number;
            recusals: number;
            flagged: string | null;
            selected: boolean;
          }[];
        }[];
      }>(await http.get(`/categories/${e.scoredId}/results`, e.admin.token));
      const byId = new Map(results.rounds[0].nominees.map((n) => [n.nomineeId, n]));
      // n2: (6 + 5) / 2 = 5.5 beats n1: (4 + 6) / 2 = 5; n3 has one score → not ranked.
      expect(byId.get(n2)).toMatchObject({ place: 1, aggregate: '5.5', selected: true });
      expect(byId.get(n1)).toMatchObject({ place: 2, aggregate: '5', selected: false });
      expect(byId.get(n3)).toMatchObject({
        place: null,
        aggregate: null,
        scores: 1,
        recusals: 1,
        selected: false,
      });
      expect(byId.get(n3)!.flagged).toMatch(/fewer than the minimum 2/);
      const statuses = await t.db.query<{ id: string; status: string }[]>(
        `SELECT id, status FROM award_nominee WHERE id = ANY($1)`,
        [[n1, n2, n3]],
      );
      expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).toEqual({
        [n1]: 'not_selected',
        [n2]: 'winner',
        [n3]: 'not_selected',
      });
    });
  });
});
