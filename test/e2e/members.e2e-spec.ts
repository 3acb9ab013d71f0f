import { startTestApp, TestApp } from '../support/test-app';

jest.setTimeout(30_000);

interface Member {
  id: string;
  memberNumber: string;
  kind: string;
  name: string;
  organisation: string | null;
  email: string | null;
  status: string;
  voteWeight: number;
  userId: string | null;
  delegateUserId: string | null;
  duesPaidUntil: string | null;
  joinedOn: string | null;
}

describe('members (e2e)', () => {
  let t: TestApp;
  let admin: { id: string; token: string };
  let seq = 0;
  const nextNumber = (prefix = 'M'): string =>
    `${prefix}-${++seq}-${Math.random().toString(36).slice(2, 6)}`;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.userWithToken('admin');
  });
  afterAll(async () => {
    await t.close();
  });

  const auth = (token = admin.token): [string, string] => ['authorization', `Bearer ${token}`];

  async function createMember(
    body: Record<string, unknown>,
  ): Promise<{ status: number; body: Member & { code?: string } }> {
    const res = await t.http
      .post('/api/v1/members')
      .set(...auth())
      .send(body);
    return { status: res.status, body: res.body };
  }

  async function auditFor(
    subjectId: string,
  ): Promise<{ action: string; actor_id: string; data: Record<string, unknown> }[]> {
    return t.db.query(
      `SELECT action, actor_id, data FROM audit_event WHERE subject_id = $1 ORDER BY seq`,
      [subjectId],
    );
  }

  async function memberCount(): Promise<number> {
    const rows: { n: number }[] = await t.db.query(`SELECT count(*)::int AS n FROM member`);
    return rows[0].n;
  }

  async function importEvents(): Promise<number> {
    const rows: { n: number }[] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'member.imported'`,
    );
    return rows[0].n;
  }

  describe('CRUD', () => {
    it('creates a member, stores it and audits the creation by the admin', async () => {
      const number = nextNumber();
      const res = await createMember({
        memberNumber: number,
        kind: 'individual',
        name: '  Grace Hopper ',
        email: 'Grace@Example.ORG',
        voteWeight: 2,
        joinedOn: '2020-02-29',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        memberNumber: number,
        name: 'Grace Hopper',
        email: 'grace@example.org',
        status: 'active',
        voteWeight: 2,
        joinedOn: '2020-02-29',
      });
      const rows = await t.db.query(
        `SELECT member_number, name, email, vote_weight, joined_on::text FROM member WHERE id = $1`,
        [res.body.id],
      );
      expect(rows).toEqual([
        {
          member_number: number,
          name: 'Grace Hopper',
          email: 'grace@example.org',
          vote_weight: 2,
          joined_on: '2020-02-29',
        },
      ]);
      expect(await auditFor(res.body.id)).toEqual([
        {
          action: 'member.created',
          actor_id: admin.id,
          data: { memberNumber: number, kind: 'individual', status: 'active' },
        },
      ]);
    });

    it('reads, lists and searches members', async () => {
      const number = nextNumber('FIND');
      const created = await createMember({
        memberNumber: number,
        kind: 'individual',
        name: 'Findable Person',
      });
      const one = await t.http.get(`/api/v1/members/${created.body.id}`).set(...auth());
      expect(one.status).toBe(200);
      expect(one.body).toEqual(created.body);
      const list = await t.http
        .get('/api/v1/members')
        .query({ q: 'Findable' })
        .set(...auth());
      expect(list.status).toBe(200);
      expect(list.body.total).toBe(1);
      expect(list.body.items.map((m: Member) => m.id)).toEqual([created.body.id]);
    });

    it('treats % and _ in a search as plain characters', async () => {
      const list = await t.http
        .get('/api/v1/members')
        .query({ q: '%' })
        .set(...auth());
      expect(list.status).toBe(200);
      expect(list.body.total).toBe(0);
    });

    it('updates a member and audits the changed fields', async () => {
      const created = await createMember({
        memberNumber: nextNumber(),
        kind: 'individual',
        name: 'Before',
      });
      const res = await t.http
        .patch(`/api/v1/members/${created.body.id}`)
        .set(...auth())
        .send({ name: 'After', status: 'suspended' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: created.body.id, name: 'After', status: 'suspended' });
      const row = await t.db.query(`SELECT name, status FROM member WHERE id = $1`, [
        created.body.id,
      ]);
      expect(row).toEqual([{ name: 'After', status: 'suspended' }]);
      const events = await auditFor(created.body.id);
      expect(events.map((e) => e.action)).toEqual(['member.created', 'member.updated']);
      expect(events[1].data).toEqual({ changes: { name: 'After', status: 'suspended' } });
    });

    it('deletes a member and audits the deletion', async () => {
      const created = await createMember({
        memberNumber: nextNumber(),
        kind: 'individual',
        name: 'Leaving',
      });
      const res = await t.http.delete(`/api/v1/members/${created.body.id}`).set(...auth());
      expect(res.status).toBe(204);
      expect(await t.db.query(`SELECT id FROM member WHERE id = $1`, [created.body.id])).toEqual(
        [],
      );
      expect((await auditFor(created.body.id)).map((e) => e.action)).toEqual([
        'member.created',
        'member.deleted',
      ]);
      const again = await t.http.get(`/api/v1/members/${created.body.id}`).set(...auth());
      expect(again.status).toBe(404);
    });

    it('answers 404 for an unknown member and 400 for an id that is not a uuid', async () => {
      const missing = await t.http
        .get('/api/v1/members/00000000-0000-4000-8000-000000000000')
        .set(...auth());
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('MEMBER_NOT_FOUND');
      const bad = await t.http.get('/api/v1/members/42').set(...auth());
      expect(bad.status).toBe(400);
    });

    it('refuses a second member with the same number and keeps the first', async () => {
      const number = nextNumber();
      expect(
        (await createMember({ memberNumber: number, kind: 'individual', name: 'First' })).status,
      ).toBe(201);
      const before = await memberCount();
      const dup = await createMember({ memberNumber: number, kind: 'individual', name: 'Second' });
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('MEMBER_NUMBER_TAKEN');
      expect(await memberCount()).toBe(before);
      const rows = await t.db.query(`SELECT name FROM member WHERE member_number = $1`, [number]);
      expect(rows).toEqual([{ name: 'First' }]);
    });

    it('round-trips Cyrillic names and organisations unchanged', async () => {
      const name = 'Анна Ивановна Петрова-Щукина';
      const organisation = 'ООО «Ромашка» — Ёлки';
      const created = await createMember({
        memberNumber: nextNumber('КИР'),
        kind: 'corporate',
        name,
        organisation,
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name, organisation });
      const stored = await t.db.query(
        `SELECT name, organisation, member_number FROM member WHERE id = $1`,
        [created.body.id],
      );
      expect(stored[0]).toMatchObject({ name, organisation });
      expect(stored[0].member_number).toMatch(/^КИР-/);
      const read = await t.http.get(`/api/v1/members/${created.body.id}`).set(...auth());
      expect(read.body).toMatchObject({ name, organisation });
      const found = await t.http
        .get('/api/v1/members')
        .query({ q: 'Петрова' })
        .set(...auth());
      expect(found.body.items.map((m: Member) => m.id)).toEqual([created.body.id]);
    });
  });

  describe('individual and corporate members', () => {
    it('refuses a corporate member without an organisation', async () => {
      const before = await memberCount();
      const res = await createMember({
        memberNumber: nextNumber(),
        kind: 'corporate',
        name: 'Acme',
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('MEMBER_INVALID_USER_LINK');
      expect(await memberCount()).toBe(before);
    });

    it('refuses a corporate member linked to a user login instead of a delegate', async () => {
      const user = await t.userWithToken('member');
      const res = await createMember({
        memberNumber: nextNumber(),
        kind: 'corporate',
        name: 'Acme',
        organisation: 'Acme Ltd',
        userId: user.id,
      });
      expect(res.status).toBe(400);
      expect(await t.db.query(`SELECT id FROM member WHERE user_id = $1`, [user.id])).toEqual([]);
    });

    it('refuses a delegate on an individual member', async () => {
      const user = await t.userWithToken('member');
      const res = await createMember({
        memberNumber: nextNumber(),
        kind: 'individual',
        name: 'Solo',
        delegateUserId: user.id,
      });
      expect(res.status).toBe(400);
      expect(
        await t.db.query(`SELECT id FROM member WHERE delegate_user_id = $1`, [user.id]),
      ).toEqual([]);
    });

    it('refuses a link to a user that does not exist', async () => {
      const res = await createMember({
        memberNumber: nextNumber(),
        kind: 'individual',
        name: 'Ghost',
        userId: '00000000-0000-4000-8000-000000000001',
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('MEMBER_INVALID_USER_LINK');
    });

    it('refuses to link one user to two individual members', async () => {
      const user = await t.userWithToken('member');
      expect(
        (
          await createMember({
            memberNumber: nextNumber(),
            kind: 'individual',
            name: 'One',
            userId: user.id,
          })
        ).status,
      ).toBe(201);
      const second = await createMember({
        memberNumber: nextNumber(),
        kind: 'individual',
        name: 'Two',
        userId: user.id,
      });
      expect(second.status).toBe(409);
      expect(second.body.code).toBe('MEMBER_USER_ALREADY_LINKED');
      const rows = await t.db.query(`SELECT name FROM member WHERE user_id = $1`, [user.id]);
      expect(rows).toEqual([{ name: 'One' }]);
    });

    it('refuses an update that would leave a corporate member without an organisation', async () => {
      const created = await createMember({
        memberNumber: nextNumber(),
        kind: 'corporate',
        name: 'Org',
        organisation: 'Org Ltd',
      });
      const res = await t.http
        .patch(`/api/v1/members/${created.body.id}`)
        .set(...auth())
        .send({ organisation: null });
      expect(res.status).toBe(400);
      const row = await t.db.query(`SELECT organisation FROM member WHERE id = $1`, [
        created.body.id,
      ]);
      expect(row).toEqual([{ organisation: 'Org Ltd' }]);
    });

    it('lists, under /members/me, the memberships a user acts for: their own and the corporate ones they represent', async () => {
      const person = await t.userWithToken('member');
      const own = await createMember({
        memberNumber: nextNumber('ME'),
        kind: 'individual',
        name: 'Me Myself',
        userId: person.id,
      });
      const corp = await createMember({
        memberNumber: nextNumber('ME'),
        kind: 'corporate',
        name: 'My Firm',
        organisation: 'My Firm GmbH',
        delegateUserId: person.id,
      });
      await createMember({
        memberNumber: nextNumber('ME'),
        kind: 'individual',
        name: 'Someone Else',
      });
      expect(own.status).toBe(201);
      expect(corp.status).toBe(201);
      const me = await t.http.get('/api/v1/members/me').set(...auth(person.token));
      expect(me.status).toBe(200);
      expect(me.body.map((m: Member) => m.id).sort()).toEqual([own.body.id, corp.body.id].sort());
      expect(me.body.find((m: Member) => m.kind === 'corporate')).toMatchObject({
        delegateUserId: person.id,
        userId: null,
      });

      const stranger = await t.userWithToken('member');
      const none = await t.http.get('/api/v1/members/me').set(...auth(stranger.token));
      expect(none.status).toBe(200);
      expect(none.body).toEqual([]);
    });
  });

  describe('CSV import', () => {
    const header =
      'member_number,kind,name,organisation,email,status,dues_paid_until,vote_weight,user_email,delegate_email,joined_on';

    async function importCsv(csv: string, how: 'multipart' | 'text', dryRun = false) {
      const req = t.http
        .post('/api/v1/members/import')
        .query(dryRun ? { dryRun: 'true' } : {})
        .set(...auth());
      return how === 'multipart'
        ? req.attach('file', Buffer.from(csv, 'utf8'), {
            filename: 'members.csv',
            contentType: 'text/csv',
          })
        : req.set('content-type', 'text/csv').send(csv);
    }

    async function numbersInDb(numbers: string[]): Promise<string[]> {
      const rows: { member_number: string }[] = await t.db.query(
        `SELECT member_number FROM member WHERE member_number = ANY($1) ORDER BY member_number`,
        [numbers],
      );
      return rows.map((r) => r.member_number);
    }

    it.each(['multipart', 'text'] as const)(
      'imports every row of a good file sent as %s, with one audit event',
      async (how) => {
        const person = await t.userWithToken('member');
        const delegate = await t.userWithToken('member');
        const n = [nextNumber('CSV'), nextNumber('CSV'), nextNumber('CSV')];
        const csv = [
          header,
          `${n[0]},individual,Иван Петров,,ivan@example.org,active,2026-12-31,1,${person.email},,2019-05-01`,
          `${n[1]},corporate,Acme,Acme Ltd,,,,10,,${delegate.email},`,
          `${n[2]},individual,"Smith, Jane",,,lapsed,,,,,`,
        ].join('\r\n');
        const eventsBefore = await importEvents();
        const res = await importCsv(csv, how);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          dryRun: false,
          rows: 3,
          created: 3,
          updated: 0,
          errors: [],
          accepted: true,
        });
        const rows = await t.db.query(
          `SELECT member_number, kind, name, organisation, status, vote_weight, user_id, delegate_user_id, dues_paid_until::text
           FROM member WHERE member_number = ANY($1) ORDER BY member_number`,
          [n],
        );
        expect(rows).toEqual([
          {
            member_number: n[0],
            kind: 'individual',
            name: 'Иван Петров',
            organisation: null,
            status: 'active',
            vote_weight: 1,
            user_id: person.id,
            delegate_user_id: null,
            dues_paid_until: '2026-12-31',
          },
          {
            member_number: n[1],
            kind: 'corporate',
            name: 'Acme',
            organisation: 'Acme Ltd',
            status: 'active',
            vote_weight: 10,
            user_id: null,
            delegate_user_id: delegate.id,
            dues_paid_until: null,
          },
          {
            member_number: n[2],
            kind: 'individual',
            name: 'Smith, Jane',
            organisation: null,
            status: 'lapsed',
            vote_weight: 1,
            user_id: null,
            delegate_user_id: null,
            dues_paid_until: null,
          },
        ]);
        expect(await importEvents()).toBe(eventsBefore + 1);
        const event = await t.db.query(
          `SELECT actor_id, data FROM audit_event WHERE action = 'member.imported' ORDER BY seq DESC LIMIT 1`,
        );
        expect(event).toEqual([{ actor_id: admin.id, data: { rows: 3, created: 3, updated: 0 } }]);
      },
    );

    it('reports a dry run and writes nothing', async () => {
      const n = [nextNumber('DRY'), nextNumber('DRY')];
      const csv = `${header}\n${n[0]},individual,A,,,,,,,,\n${n[1]},individual,B,,,,,,,,\n`;
      const before = await memberCount();
      const eventsBefore = await importEvents();
      const res = await importCsv(csv, 'multipart', true);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        dryRun: true,
        rows: 2,
        created: 2,
        updated: 0,
        errors: [],
        accepted: true,
      });
      expect(await memberCount()).toBe(before);
      expect(await importEvents()).toBe(eventsBefore);
    });

    it('reports the errors of a bad file in a dry run without writing', async () => {
      const n = nextNumber('DRYBAD');
      const res = await importCsv(`${header}\n${n},alien,A,,,,,,,,\n`, 'text', true);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        dryRun: true,
        accepted: false,
        created: 0,
        errors: [{ line: 2, field: 'kind' }],
      });
      expect(await numbersInDb([n])).toEqual([]);
    });

    it('rejects a file with one bad row among good ones, naming each bad line, and imports none of it', async () => {
      const n = [nextNumber('BAD'), nextNumber('BAD'), nextNumber('BAD'), nextNumber('BAD')];
      const csv = [
        'member_number,kind,name,organisation,vote_weight,user_email',
        `${n[0]},individual,Good One,,1,`,
        `${n[1]},corporate,No Org,,1,`,
        `${n[2]},individual,Good Two,,1,`,
        `${n[3]},individual,Bad Weight,,0,nobody-here@example.org`,
      ].join('\n');
      const before = await memberCount();
      const eventsBefore = await importEvents();
      const res = await importCsv(csv, 'multipart');
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('MEMBER_IMPORT_INVALID');
      expect(res.body.details).toMatchObject({ accepted: false, created: 0, updated: 0, rows: 4 });
      const errors = res.body.details.errors as { line: number; field: string }[];
      expect(errors.map((e) => [e.line, e.field])).toEqual([
        [3, 'organisation'],
        [5, 'vote_weight'],
      ]);
      expect(await numbersInDb(n)).toEqual([]);
      expect(await memberCount()).toBe(before);
      expect(await importEvents()).toBe(eventsBefore);
    });

    it('rejects a file whose row names an unknown user, and imports none of it', async () => {
      const n = [nextNumber('UNK'), nextNumber('UNK')];
      const csv = `member_number,kind,name,user_email\n${n[0]},individual,A,\n${n[1]},individual,B,ghost@example.org\n`;
      const res = await importCsv(csv, 'text');
      expect(res.status).toBe(400);
      expect(res.body.details.errors).toEqual([
        { line: 3, field: 'user_email', message: 'no user with e-mail ghost@example.org' },
      ]);
      expect(await numbersInDb(n)).toEqual([]);
    });

    it('rejects a file with unknown columns, naming them', async () => {
      const res = await importCsv(
        `member_number,kind,name,is_admin\nX-1,individual,A,yes\n`,
        'text',
      );
      expect(res.status).toBe(400);
      expect(res.body.details.errors[0].message).toContain('unknown columns: is_admin');
      expect(await numbersInDb(['X-1'])).toEqual([]);
    });

    it('updates known member numbers on re-import and creates the new ones', async () => {
      const n = [nextNumber('RE'), nextNumber('RE')];
      const first = await importCsv(
        `member_number,kind,name,status\n${n[0]},individual,Old Name,active\n`,
        'text',
      );
      expect(first.status).toBe(200);
      const [{ id }] = await t.db.query(`SELECT id FROM member WHERE member_number = $1`, [n[0]]);
      const second = await importCsv(
        `member_number,kind,name,status\n${n[0]},individual,New Name,lapsed\n${n[1]},individual,Fresh,active\n`,
        'multipart',
      );
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ created: 1, updated: 1, accepted: true });
      const rows = await t.db.query(
        `SELECT id, member_number, name, status FROM member WHERE member_number = ANY($1) ORDER BY member_number`,
        [n],
      );
      expect(rows).toEqual([
        { id, member_number: n[0], name: 'New Name', status: 'lapsed' },
        { id: expect.any(String), member_number: n[1], name: 'Fresh', status: 'active' },
      ]);
    });

    it('refuses an import without a file field', async () => {
      const res = await t.http
        .post('/api/v1/members/import')
        .set(...auth())
        .field('other', 'x');
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('MEMBER_IMPORT_FILE_MISSING');
    });

    it('refuses an import from a member', async () => {
      const member = await t.userWithToken('member');
      const n = nextNumber('FORBID');
      const res = await t.http
        .post('/api/v1/members/import')
        .set(...auth(member.token))
        .set('content-type', 'text/csv')
        .send(`member_number,kind,name\n${n},individual,A\n`);
      expect(res.status).toBe(403);
      expect(await numbersInDb([n])).toEqual([]);
    });
  });
});
