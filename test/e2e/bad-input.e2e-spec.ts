import { startTestApp, TestApp } from '../support/test-app';

jest.setTimeout(30_000);

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
});
