import { startTestApp, TestApp } from '../support/test-app';

jest.setTimeout(120_000);

const STRONG = 'violet-tractor-sings-4-lanterns';

interface Refusal {
  statusCode: number;
  code: string;
  message: string;
  details: { field: string; messages: string[] }[];
}

/** TRUST 12: passwords that are easy to guess are refused wherever a password is set. */
describe('password strength (e2e)', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await t.userWithToken('admin')).token;
  });
  afterAll(async () => {
    await t.close();
  });

  function createUser(email: string, displayName: string, password: string) {
    return t.http
      .post('/api/v1/users')
      .set('authorization', `Bearer ${admin}`)
      .send({ email, displayName, role: 'member', password });
  }

  async function userCount(email: string): Promise<number> {
    const rows = await t.db.query(`SELECT count(*)::int AS n FROM app_user WHERE email = $1`, [
      email,
    ]);
    return (rows as { n: number }[])[0].n;
  }

  it.each([
    ['aaaaaaaaaaaa', /Repeated characters like "aaa" are easy to guess/],
    ['password1234', /similar to a commonly used password/],
    ['qwerty123456', /commonly used password/],
    ['elena.kuznetsova2024', /personal or page related data/],
    ['KuznetsovaElena1990', /personal or page related data/],
  ])('refuses to create a user with %s, saying why, and stores nothing', async (password, why) => {
    const email = 'elena.kuznetsova@example.org';
    const res = await createUser(email, 'Elena Kuznetsova', password);
    expect(res.status).toBe(400);
    const body = res.body as Refusal;
    expect(body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      code: 'AUTH_WEAK_PASSWORD',
    });
    expect(body.message).toMatch(
      /^The password is too easy to guess \(strength [0-2] of 4, at least 3 needed\): /,
    );
    expect(body.message).toMatch(why);
    expect(body.details).toEqual([{ field: 'password', messages: expect.any(Array) }]);
    expect(body.details[0].messages.join(' ')).toMatch(why);
    expect(await userCount(email)).toBe(0);
  });

  it('creates a user with a strong password', async () => {
    const res = await createUser('strong.one@example.org', 'Strong One', STRONG);
    expect(res.status).toBe(201);
    const login = await t.http
      .post('/api/v1/auth/login')
      .send({ email: 'strong.one@example.org', password: STRONG });
    expect(login.status).toBe(200);
  });

  it("refuses an admin's reset to a weak password and keeps the old one", async () => {
    const u = await t.userWithToken('member', {
      email: 'john.taylor@example.org',
      displayName: 'John Taylor',
    });
    const weak = await t.http
      .patch(`/api/v1/users/${u.id}`)
      .set('authorization', `Bearer ${admin}`)
      .send({ password: 'johntaylor2024' });
    expect(weak.status).toBe(400);
    expect(weak.body).toMatchObject({
      code: 'AUTH_WEAK_PASSWORD',
      details: [{ field: 'password' }],
    });
    const me = await t.http.get('/api/v1/auth/me').set('authorization', `Bearer ${u.token}`);
    expect(me.status).toBe(200);
    const strong = await t.http
      .patch(`/api/v1/users/${u.id}`)
      .set('authorization', `Bearer ${admin}`)
      .send({ password: STRONG });
    expect(strong.status).toBe(200);
  });

  it("refuses a member's change to a weak password, names the field, and keeps the sessions", async () => {
    const u = await t.userWithToken('member');
    const weak = await t.http
      .post('/api/v1/auth/password')
      .set('authorization', `Bearer ${u.token}`)
      .send({ currentPassword: u.password, newPassword: 'password1234' });
    expect(weak.status).toBe(400);
    expect(weak.body).toMatchObject({
      code: 'AUTH_WEAK_PASSWORD',
      details: [{ field: 'newPassword' }],
    });
    const me = await t.http.get('/api/v1/auth/me').set('authorization', `Bearer ${u.token}`);
    expect(me.status).toBe(200);
    const strong = await t.http
      .post('/api/v1/auth/password')
      .set('authorization', `Bearer ${u.token}`)
      .send({ currentPassword: u.password, newPassword: STRONG });
    expect(strong.status).toBe(204);
  });
});
