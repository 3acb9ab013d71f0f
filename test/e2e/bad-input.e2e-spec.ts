import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, TestApp } from '../support/test-app';
import { juryEdition, JuryEdition, SCORED_CATEGORY } from './awards.fixtures';
import { draftElection, newVoters, openElection } from './elections.fixtures';

jest.setTimeout(60_000);

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code?: string;
  details?: { field: string; messages: string[] }[];
}

/** TRUST 4–7 on the foundation's real routes; every refusal leaves the tables as they were. */
describe('bad input (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let counter = 0;

  const validMember = (): Record<string, unknown> => ({
    memberNumber: `BAD-${++counter}`,
    kind: 'individual',
    name: 'Ada Lovelace',
  });

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await t.userWithToken('admin')).token;
  });
  afterAll(async () => {
    await t.close();
  });

  async function counts(): Promise<Record<string, number>> {
    const rows = await t.db.query(`
      SELECT (SELECT count(*) FROM member)::int AS members,
             (SELECT count(*) FROM app_user)::int AS users,
             (SELECT count(*) FROM audit_event)::int AS events,
             (SELECT count(*) FROM auth_session)::int AS sessions`);
    return (rows as Record<string, number>[])[0];
  }

  /** Sends a raw body, so malformed and polluted payloads reach the server unchanged. */
  async function send(
    url: string,
    payload: string | Buffer,
    contentType = 'application/json',
    method: 'POST' | 'PATCH' = 'POST',
  ): Promise<{ status: number; body: ErrorBody; raw: string }> {
    const res = await t.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method,
        url,
        payload,
        headers: { 'content-type': contentType, authorization: `Bearer ${admin}` },
      });
    return { status: res.statusCode, body: res.json(), raw: res.body };
  }

  /** Runs the request and checks that it changed nothing. */
  async function refused(
    request: () => Promise<{ status: number; body: ErrorBody; raw: string }>,
  ): Promise<{ status: number; body: ErrorBody; raw: string }> {
    const before = await counts();
    const res = await request();
    expect(await counts()).toEqual(before);
    return res;
  }

  const fields = (body: ErrorBody): string[] => (body.details ?? []).map((d) => d.field);

  describe('unknown and server-owned fields (TRUST 4)', () => {
    it.each(['isAdmin', 'voterId', 'id', 'createdAt'])(
      'refuses a member with an extra "%s" field',
      async (field) => {
        const res = await refused(() =>
          send('/api/v1/members', JSON.stringify({ ...validMember(), [field]: true })),
        );
        expect(res.status).toBe(400);
        expect(res.body.message).toBe('Validation failed');
        expect(fields(res.body)).toEqual([field]);
        expect(res.body.details![0].messages.join(' ')).toContain(field);
      },
    );

    it('refuses a user created with a tokenVersion or status it may not set', async () => {
      const res = await refused(() =>
        send(
          '/api/v1/users',
          JSON.stringify({
            email: 'sneaky@example.org',
            displayName: 'S',
            role: 'member',
            password: 'long-enough-password',
            tokenVersion: 99,
          }),
        ),
      );
      expect(res.status).toBe(400);
      expect(fields(res.body)).toEqual(['tokenVersion']);
    });

    it('refuses a login with an extra field', async () => {
      const res = await refused(() =>
        send(
          '/api/v1/auth/login',
          JSON.stringify({ email: 'a@example.org', password: 'x', isAdmin: true }),
        ),
      );
      expect(res.status).toBe(400);
      expect(fields(res.body)).toEqual(['isAdmin']);
    });

    it('accepts the same member without the extra field (the refusals above are about the field)', async () => {
      const before = await counts();
      const res = await send('/api/v1/members', JSON.stringify(validMember()));
      expect(res.status).toBe(201);
      const after = await counts();
      expect(after.members).toBe(before.members + 1);
      expect(after.events).toBe(before.events + 1);
    });
  });

  describe('type confusion and pollution (TRUST 5)', () => {
    it('refuses a number sent as a string', async () => {
      const res = await refused(() =>
        send('/api/v1/members', JSON.stringify({ ...validMember(), voteWeight: '1' })),
      );
      expect(res.status).toBe(400);
      expect(fields(res.body)).toEqual(['voteWeight']);
    });

    it('refuses a string field sent as a number', async () => {
      const res = await refused(() =>
        send('/api/v1/members', JSON.stringify({ ...validMember(), memberNumber: 1 })),
      );
      expect(res.status).toBe(400);
      expect(fields(res.body)).toEqual(['memberNumber']);
    });

    it('refuses an array or an object where text is expected', async () => {
      const array = await refused(() =>
        send('/api/v1/members', JSON.stringify({ ...validMember(), name: ['a', 'b'] })),
      );
      expect(array.status).toBe(400);
      expect(fields(array.body)).toEqual(['name']);
      const object = await refused(() =>
        send('/api/v1/members', JSON.stringify({ ...validMember(), kind: { $ne: 1 } })),
      );
      expect(object.status).toBe(400);
      expect(fields(object.body)).toEqual(['kind']);
    });

    it('refuses an array as the whole body', async () => {
      const res = await refused(() =>
        send('/api/v1/members', JSON.stringify([validMember(), validMember()])),
      );
      expect(res.status).toBe(400);
    });

    it('refuses null for a required field and null as the whole body', async () => {
      const field = await refused(() =>
        send('/api/v1/members', JSON.stringify({ ...validMember(), name: null })),
      );
      expect(field.status).toBe(400);
      expect(fields(field.body)).toEqual(['name']);
      const whole = await refused(() => send('/api/v1/members', 'null'));
      expect(whole.status).toBe(400);
    });

    it('refuses a __proto__ key', async () => {
      const res = await refused(() =>
        send(
          '/api/v1/members',
          `{"memberNumber":"P-1","kind":"individual","name":"P","__proto__":{"isAdmin":true}}`,
        ),
      );
      expect(res.status).toBe(400);
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    });

    it('refuses a constructor.prototype key', async () => {
      const res = await refused(() =>
        send(
          '/api/v1/members',
          `{"memberNumber":"P-2","kind":"individual","name":"P","constructor":{"prototype":{"isAdmin":true}}}`,
        ),
      );
      expect(res.status).toBe(400);
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    });

    it('refuses a duplicated query parameter', async () => {
      const res = await t.http
        .get('/api/v1/users?limit=1&limit=2')
        .set('authorization', `Bearer ${admin}`);
      expect(res.status).toBe(400);
      expect(fields(res.body as ErrorBody)).toEqual(['limit']);
    });

    it('refuses a query parameter of the wrong type', async () => {
      const res = await t.http
        .get('/api/v1/members?limit=ten')
        .set('authorization', `Bearer ${admin}`);
      expect(res.status).toBe(400);
      expect(fields(res.body as ErrorBody)).toEqual(['limit']);
    });
  });

  describe('size limits (TRUST 6)', () => {
    it('answers 413 to a body over 1 MB and writes nothing', async () => {
      const big = JSON.stringify({ ...validMember(), name: 'x'.repeat(1_100_000) });
      const res = await refused(() => send('/api/v1/members', big));
      expect(res.status).toBe(413);
      expect(res.body).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'Request body is too large',
      });
    });

    it('refuses a 100k-element array inside a small enough body', async () => {
      const res = await refused(() =>
        send(
          '/api/v1/members',
          JSON.stringify({ ...validMember(), name: Array.from({ length: 100_000 }, () => 1) }),
        ),
      );
      expect(res.status).toBe(400);
    });
  });

  describe('malformed bodies (TRUST 7)', () => {
    it('answers malformed JSON with a generic 400 that leaks nothing', async () => {
      const res = await refused(() => send('/api/v1/members', '{"memberNumber": "M-1", "kind": '));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'Malformed request body',
      });
      expect(res.raw).not.toMatch(/at .*\.js|stack|SELECT|INSERT|Bearer|eyJ/);
    });

    it('answers an unsupported content type with a generic 415', async () => {
      const res = await refused(() => send('/api/v1/members', '<member/>', 'application/xml'));
      expect(res.status).toBe(415);
      expect(res.body).toEqual({
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: 'Unsupported content type; send application/json',
      });
    });

    it('refuses a member sent as plain text', async () => {
      const res = await refused(() =>
        send('/api/v1/members', 'memberNumber=M-1&kind=individual', 'text/plain'),
      );
      expect([400, 415]).toContain(res.status);
      expect(res.raw).not.toMatch(/stack|at .*\.js/);
    });

    it('refuses a member sent as CSV to the JSON route', async () => {
      const res = await refused(() =>
        send('/api/v1/members', 'member_number,kind,name\nM-1,individual,A\n', 'text/csv'),
      );
      expect([400, 415]).toContain(res.status);
    });

    it('answers an empty JSON body with 400', async () => {
      const res = await refused(() => send('/api/v1/members', ''));
      expect(res.status).toBe(400);
    });
  });

  describe('field messages', () => {
    it('names every invalid field of a member with its reason', async () => {
      const res = await refused(() =>
        send(
          '/api/v1/members',
          JSON.stringify({
            memberNumber: '',
            kind: 'robot',
            name: 'x',
            email: 'not-an-email',
            voteWeight: 0,
            joinedOn: '2024-13-45',
          }),
        ),
      );
      expect(res.status).toBe(400);
      expect(fields(res.body).sort()).toEqual([
        'email',
        'joinedOn',
        'kind',
        'memberNumber',
        'voteWeight',
      ]);
      const kind = res.body.details!.find((d) => d.field === 'kind')!;
      expect(kind.messages.join(' ')).toMatch(/individual, corporate/);
    });

    it('names the missing fields of a login and does not count it as a failed login', async () => {
      const res = await refused(() =>
        send('/api/v1/auth/login', JSON.stringify({ email: 'not-an-email' })),
      );
      expect(res.status).toBe(400);
      expect(fields(res.body).sort()).toEqual(['email', 'password']);
    });

    it('refuses a user with a short password and a bad role', async () => {
      const res = await refused(() =>
        send(
          '/api/v1/users',
          JSON.stringify({
            email: 'ok@example.org',
            displayName: 'Ok',
            role: 'root',
            password: 'short',
          }),
        ),
      );
      expect(res.status).toBe(400);
      expect(fields(res.body).sort()).toEqual(['password', 'role']);
    });

    it('refuses an invalid member update and leaves the row unchanged', async () => {
      const created = await send('/api/v1/members', JSON.stringify(validMember()));
      expect(created.status).toBe(201);
      const id = (created.body as unknown as { id: string }).id;
      const before = await t.db.query(`SELECT * FROM member WHERE id = $1`, [id]);
      const res = await refused(() =>
        send(
          `/api/v1/members/${id}`,
          JSON.stringify({ voteWeight: 5000, memberNumber: 'NEW' }),
          'application/json',
          'PATCH',
        ),
      );
      expect(res.status).toBe(400);
      expect(fields(res.body).sort()).toEqual(['memberNumber', 'voteWeight']);
      expect(await t.db.query(`SELECT * FROM member WHERE id = $1`, [id])).toEqual(before);
    });
  });

  /** Each cause of a 500 the fuzz found, on a real object where it reached the database. */
  describe('no input gets a 500', () => {
    let edition: JuryEdition;
    let electionId: string;
    let voterMemberId: string;
    let meetingId: string;
    let memberId: string;
    /** In a draft edition, where its settings may still change. */
    let draftCategoryId: string;

    beforeAll(async () => {
      edition = await juryEdition(t);
      const [voter] = await newVoters(t, 1);
      voterMemberId = voter.memberId;
      const election = await draftElection(t, admin, { office: 'Chair', method: 'plurality' }, [
        'A',
      ]);
      await openElection(t, admin, election.id);
      electionId = election.id;
      const meeting = await send(
        '/api/v1/meetings',
        JSON.stringify({ title: 'General meeting', startsAt: '2026-11-20T17:00:00Z' }),
      );
      meetingId = (meeting.body as unknown as { id: string }).id;
      const member = await send('/api/v1/members', JSON.stringify(validMember()));
      memberId = (member.body as unknown as { id: string }).id;
      const id = (res: { body: unknown }): string => (res.body as { id: string }).id;
      const program = await send(
        '/api/v1/awards/programs',
        JSON.stringify({ slug: `bad-input-${Date.now()}`, title: 'Award' }),
      );
      const draft = await send(
        `/api/v1/awards/programs/${id(program)}/editions`,
        JSON.stringify({ year: 2027, ordinal: '2nd' }),
      );
      const category = await send(
        `/api/v1/awards/editions/${id(draft)}/categories`,
        JSON.stringify(SCORED_CATEGORY),
      );
      expect(category.status).toBe(201);
      draftCategoryId = id(category);
    });

    /** Any request, with or without a token; the body is sent as it is. */
    async function raw(
      method: 'GET' | 'POST' | 'PATCH',
      url: string,
      options: { payload?: string | Buffer; contentType?: string; token?: string } = {},
    ): Promise<LightMyRequestResponse> {
      return t.app
        .getHttpAdapter()
        .getInstance()
        .inject({
          method,
          url,
          ...(options.payload === undefined ? {} : { payload: options.payload }),
          headers: {
            ...(options.payload === undefined
              ? {}
              : { 'content-type': options.contentType ?? 'application/json' }),
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
        });
    }

    const fieldsOf = (res: LightMyRequestResponse): string[] =>
      (res.json<ErrorBody>().details ?? []).map((d) => d.field);

    describe('deeply nested JSON', () => {
      const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
      const nestedIn = (depth: number): string =>
        `{"refreshToken":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;

      it.each([
        ['POST', '/api/v1/auth/refresh'],
        ['POST', '/api/v1/auth/login'],
        ['POST', '/api/v1/awards/consent/some-token'],
      ] as const)(
        'refuses 5,000 levels on the anonymous %s %s with a 400 from the parser',
        async (method, url) => {
          for (const payload of [nested(5_000), nestedIn(5_000)]) {
            const res = await raw(method, url, { payload });
            expect(res.statusCode).toBe(400);
            expect(res.json()).toEqual({
              statusCode: 400,
              error: 'Bad Request',
              message: 'Request body nests deeper than 32 levels',
            });
          }
        },
      );

      it('refuses one level over the limit on an admin route and writes nothing', async () => {
        const body = JSON.stringify({ ...validMember(), name: JSON.parse(nested(32)) as unknown });
        const res = await refused(() => send('/api/v1/members', body));
        expect(res.status).toBe(400);
        expect(res.body.message).toBe('Request body nests deeper than 32 levels');
      });

      it('lets nesting at the limit through to validation', async () => {
        const body = JSON.stringify({ ...validMember(), name: JSON.parse(nested(31)) as unknown });
        const res = await refused(() => send('/api/v1/members', body));
        expect(res.status).toBe(400);
        expect(fields(res.body)).toEqual(['name']);
      });

      it('costs little CPU to refuse 200 KB nested 100,000 deep (it cost 230–340 ms each)', async () => {
        const payload = nested(100_000);
        const before = process.cpuUsage();
        for (let i = 0; i < 20; i++) {
          expect((await raw('POST', '/api/v1/auth/refresh', { payload })).statusCode).toBe(400);
        }
        const used = process.cpuUsage(before);
        // Twenty refusals; each used to cost a quarter of a second, so the bound is far from both.
        expect((used.user + used.system) / 1000).toBeLessThan(1_000);
      });
    });

    describe('NUL and lone surrogates, in any string', () => {
      it('refuses a NUL in member and meeting fields, naming the field', async () => {
        const member = await refused(() =>
          send('/api/v1/members', JSON.stringify({ ...validMember(), name: 'Ada\u0000Lovelace' })),
        );
        expect(member.status).toBe(400);
        expect(member.body.details).toEqual([
          { field: 'name', messages: ['name must not contain the NUL character (\\u0000)'] },
        ]);
        const meeting = await refused(() =>
          send(
            `/api/v1/meetings/${meetingId}`,
            JSON.stringify({ place: 'Hall\u0000B' }),
            'application/json',
            'PATCH',
          ),
        );
        expect(meeting.status).toBe(400);
        expect(fields(meeting.body)).toEqual(['place']);
      });

      it("refuses a NUL in a juror's conflict note", async () => {
        const res = await raw(
          'POST',
          `/api/v1/awards/jury/categories/${edition.scoredId}/conflicts`,
          {
            payload: JSON.stringify({
              nomineeId: edition.scoredNominees[0],
              type: 'personal',
              note: 'n\u0000',
            }),
            token: edition.jC.token,
          },
        );
        expect(res.statusCode).toBe(400);
        expect(fieldsOf(res)).toEqual(['note']);
      });

      it('refuses a NUL in a roll-removal reason and keeps the member on the roll', async () => {
        const res = await raw(
          'POST',
          `/api/v1/elections/${electionId}/roll/${voterMemberId}/remove`,
          {
            payload: JSON.stringify({ reason: 'moved\u0000away' }),
            token: admin,
          },
        );
        expect(res.statusCode).toBe(400);
        expect(fieldsOf(res)).toEqual(['reason']);
        const [entry] = await t.db.query<{ removed_at: Date | null }[]>(
          `SELECT removed_at FROM voter_roll_entry WHERE election_id = $1 AND member_id = $2`,
          [electionId, voterMemberId],
        );
        expect(entry.removed_at).toBeNull();
      });

      it.each([
        ['/api/v1/members?q=a%00b', 'q'],
        ['/api/v1/audit/events?subjectType=a%00b', 'subjectType'],
      ])('refuses a NUL in the query %s', async (url, field) => {
        const res = await raw('GET', url, { token: admin });
        expect(res.statusCode).toBe(400);
        expect(fieldsOf(res)).toEqual([field]);
      });

      it('refuses a NUL in a path parameter', async () => {
        const res = await raw('GET', '/api/v1/awards/consent/tok%00en');
        expect(res.statusCode).toBe(400);
        expect(fieldsOf(res)).toEqual(['token']);
      });

      it('refuses a lone surrogate in an anonymous login before the login guard reads it', async () => {
        for (const email of ['\ud800@example.org', 'a\udfff@example.org']) {
          const res = await refused(async () => {
            const r = await raw('POST', '/api/v1/auth/login', {
              payload: JSON.stringify({ email, password: 'whatever-it-is' }),
            });
            return { status: r.statusCode, body: r.json<ErrorBody>(), raw: r.body };
          });
          expect(res.status).toBe(400);
          expect(res.body.details).toEqual([
            {
              field: 'email',
              messages: ['email must be well-formed Unicode (it contains a lone surrogate)'],
            },
          ]);
        }
      });

      it('refuses a NUL in the name of a field, and in a CSV body', async () => {
        const key = await refused(() =>
          send(
            '/api/v1/members',
            `{"memberNumber":"K-1","kind":"individual","name":"K","n\\u0000":1}`,
          ),
        );
        expect(key.status).toBe(400);
        expect(fields(key.body)).toEqual(['n\u0000']);
        const csv = await refused(() =>
          send(
            '/api/v1/members/import',
            'member_number,kind,name\nC-1,individual,A\u0000\n',
            'text/csv',
          ),
        );
        expect(csv.status).toBe(400);
        expect(fields(csv.body)).toEqual(['body']);
      });
    });

    describe('null and empty PATCH bodies', () => {
      it.each([
        ['users', { displayName: null }, 'displayName'],
        ['users', { password: null }, 'password'],
        ['users', { role: null }, 'role'],
        ['meetings', { title: null }, 'title'],
        ['meetings', { startsAt: null }, 'startsAt'],
        ['editions', { ordinal: null }, 'ordinal'],
        ['members', { name: null }, 'name'],
        ['categories', { criteria: null }, 'criteria'],
        ['categories', { methodConfig: null }, 'methodConfig'],
      ] as const)('refuses a PATCH of %s with %j, naming the field', async (kind, body, field) => {
        const url = patchUrl(kind);
        const res = await refused(() =>
          send(url, JSON.stringify(body), 'application/json', 'PATCH'),
        );
        expect(res.status).toBe(400);
        expect(fields(res.body)).toEqual([field]);
        expect(res.body.details![0].messages).toContain(
          `${field} must not be null; leave it out instead`,
        );
      });

      it.each(['users', 'meetings', 'editions', 'members', 'categories', 'elections'] as const)(
        'refuses an empty PATCH of %s, listing what it may set',
        async (kind) => {
          const res = await refused(() => send(patchUrl(kind), '{}', 'application/json', 'PATCH'));
          expect(res.status).toBe(400);
          expect(fields(res.body)).toEqual(['body']);
          expect(res.body.details![0].messages[0]).toMatch(/^body must set at least one of \w+/);
        },
      );

      it('still clears a field that may be null', async () => {
        const res = await send(
          `/api/v1/members/${memberId}`,
          JSON.stringify({ organisation: null }),
          'application/json',
          'PATCH',
        );
        expect(res.status).toBe(200);
      });

      function patchUrl(
        kind: 'users' | 'meetings' | 'editions' | 'members' | 'categories' | 'elections',
      ): string {
        switch (kind) {
          case 'users':
            return `/api/v1/users/${edition.jB.userId}`;
          case 'meetings':
            return `/api/v1/meetings/${meetingId}`;
          case 'editions':
            return `/api/v1/awards/editions/${edition.editionId}`;
          case 'members':
            return `/api/v1/members/${memberId}`;
          case 'categories':
            return `/api/v1/awards/categories/${draftCategoryId}`;
          case 'elections':
            return `/api/v1/elections/${electionId}`;
        }
      }
    });

    describe('numbers out of range in a query', () => {
      it.each(['/api/v1/users', '/api/v1/members'])(
        'refuses offset=1e308 and limit=1e308 on %s',
        async (url) => {
          for (const [query, field] of [
            ['offset=1e308', 'offset'],
            ['offset=1000001', 'offset'],
            ['limit=1e308', 'limit'],
          ]) {
            const res = await raw('GET', `${url}?${query}`, { token: admin });
            expect(res.statusCode).toBe(400);
            expect(fieldsOf(res)).toEqual([field]);
          }
          expect((await raw('GET', `${url}?offset=1000000`, { token: admin })).statusCode).toBe(
            200,
          );
        },
      );
    });

    describe('uploads', () => {
      const boundary = 'bad-input-boundary';
      const form = (content: string): string =>
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="m.csv"\r\n` +
        `Content-Type: text/csv\r\n\r\n${content}\r\n--${boundary}--\r\n`;
      const upload = (payload: string, contentType = `multipart/form-data; boundary=${boundary}`) =>
        refused(() => send('/api/v1/members/import', payload, contentType));

      it('refuses a multipart upload cut short, naming the file', async () => {
        const whole = form('member_number,kind,name\nU-1,individual,A\n');
        for (const cut of [whole.length - 10, whole.indexOf('\r\n\r\n') + 6, 30]) {
          const res = await upload(whole.slice(0, cut));
          expect(res.status).toBe(400);
          expect(fields(res.body)).toEqual(['file']);
        }
      });

      it('refuses a multipart content type without a boundary', async () => {
        const res = await upload(form('member_number,kind,name\n'), 'multipart/form-data');
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      });

      it('refuses a NUL in an uploaded file', async () => {
        const res = await upload(form('member_number,kind,name\nU-2,individual,A\u0000\n'));
        expect(res.status).toBe(400);
        expect(fields(res.body)).toEqual(['file']);
      });
    });

    describe("the router's own refusals", () => {
      const headersOf = (res: LightMyRequestResponse) => ({
        contentType: res.headers['content-type'],
        nosniff: res.headers['x-content-type-options'],
        frame: res.headers['x-frame-options'],
      });

      it('answers a path segment over 100 characters in the error shape, with the headers and no echo', async () => {
        const res = await raw(
          'GET',
          `/api/v1/awards/consent/${'x'.repeat(120)}%3Cscript%3Ealert(1)%3C%2Fscript%3E`,
        );
        expect(res.statusCode).toBe(414);
        expect(res.json()).toEqual({
          statusCode: 414,
          error: 'URI Too Long',
          message: 'A path segment is too long',
        });
        expect(res.body).not.toMatch(/script|xxxx/);
        expect(headersOf(res)).toEqual({
          contentType: 'application/json; charset=utf-8',
          nosniff: 'nosniff',
          frame: 'SAMEORIGIN',
        });
      });

      it('answers a path that is not validly percent-encoded the same way', async () => {
        const res = await raw('GET', '/api/v1/awards/consent/%3Cscript%3E%E0%A4%A');
        expect(res.statusCode).toBe(400);
        expect(res.json()).toEqual({
          statusCode: 400,
          error: 'Bad Request',
          message: 'The path is not validly percent-encoded',
        });
        expect(res.body).not.toMatch(/script/);
        expect(headersOf(res).nosniff).toBe('nosniff');
      });

      it('sends the same headers on an ordinary answer', async () => {
        const res = await raw('GET', '/health');
        expect(headersOf(res).nosniff).toBe('nosniff');
        expect(headersOf(res).frame).toBe('SAMEORIGIN');
      });
    });
  });
});
