import type { InjectOptions } from 'fastify';
import { UsersService } from 'src/auth/users.service';
import { decodeJwt } from '../support/jwt';
import { startTestApp, TestApp } from '../support/test-app';

jest.setTimeout(30_000);

describe('auth (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('logs in with the right password and audits it', async () => {
    const user = await t.userWithToken('member');
    const me = await t.http.get('/api/v1/auth/me').set('authorization', `Bearer ${user.token}`);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: user.id, email: user.email, role: 'member' });
    const events = await t.db.query(
      `SELECT action FROM audit_event WHERE subject_id = $1 ORDER BY seq`,
      [user.id],
    );
    expect(events.map((e: { action: string }) => e.action)).toEqual([
      'user.created',
      'auth.login_succeeded',
    ]);
  });

  it('refuses a wrong password with 401 and records the failure', async () => {
    const user = await t.userWithToken('member');
    const res = await t.http
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: 'wrong-password-123' });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, code: 'AUTH_INVALID_CREDENTIALS' });
    const failed = await t.db.query(
      `SELECT data FROM audit_event WHERE action = 'auth.login_failed' AND subject_id = $1`,
      [user.id],
    );
    expect(failed).toHaveLength(1);
    expect(failed[0].data).toMatchObject({ email: user.email, reason: 'wrong_password' });
    expect(JSON.stringify(failed[0].data)).not.toContain('wrong-password-123');
  });

  it('refuses an unknown e-mail with the same answer as a wrong password and audits it', async () => {
    const res = await t.http
      .post('/api/v1/auth/login')
      .send({ email: 'nobody@example.org', password: 'whatever-123' });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({
      statusCode: 401,
      code: 'AUTH_INVALID_CREDENTIALS',
      message: 'Invalid e-mail or password',
    });
    const failed = await t.db.query(
      `SELECT subject_id, data FROM audit_event WHERE action = 'auth.login_failed' AND data->>'email' = 'nobody@example.org'`,
    );
    expect(failed).toHaveLength(1);
    expect(failed[0].subject_id).toBeNull();
    expect(failed[0].data.reason).toBe('unknown_email');
  });

  it('rotates the refresh token: the new pair works and the session stays one row', async () => {
    const user = await t.userWithToken('member');
    const login = await t.http
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: user.password });
    const sid = decodeJwt(login.body.accessToken as string).sid;
    const refreshed = await t.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: login.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).not.toBe(login.body.refreshToken);
    expect(decodeJwt(refreshed.body.accessToken as string).sid).toBe(sid);
    const me = await t.http
      .get('/api/v1/auth/me')
      .set('authorization', `Bearer ${refreshed.body.accessToken}`);
    expect(me.status).toBe(200);
    const session = await t.db.query(
      `SELECT generation, revoked_at FROM auth_session WHERE id = $1`,
      [sid],
    );
    expect(session).toEqual([{ generation: 1, revoked_at: null }]);
    const again = await t.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: refreshed.body.refreshToken });
    expect(again.status).toBe(200);
  });

  it('revokes the whole session when an already rotated refresh token is presented again', async () => {
    const user = await t.userWithToken('member');
    const login = await t.http
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: user.password });
    const sid = decodeJwt(login.body.accessToken as string).sid;
    const rotated = await t.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: login.body.refreshToken });
    expect(rotated.status).toBe(200);

    const reuse = await t.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: login.body.refreshToken });
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('AUTH_REFRESH_TOKEN_REUSED');

    // Neither the thief nor the owner keeps the session.
    const next = await t.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: rotated.body.refreshToken });
    expect(next.status).toBe(401);
    const me = await t.http
      .get('/api/v1/auth/me')
      .set('authorization', `Bearer ${rotated.body.accessToken}`);
    expect(me.status).toBe(401);
    const session = await t.db.query(`SELECT revoked_reason FROM auth_session WHERE id = $1`, [
      sid,
    ]);
    expect(session[0].revoked_reason).toBe('refresh_token_reused');
    const events = await t.db.query(
      `SELECT data FROM audit_event WHERE action = 'auth.refresh_token_reused' AND subject_id = $1`,
      [user.id],
    );
    expect(events).toEqual([{ data: { sessionId: sid } }]);
  });

  it('refuses a made-up refresh token', async () => {
    const fake = await t.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: '00000000-0000-4000-8000-000000000000.abc' });
    expect(fake.status).toBe(401);
    const garbage = await t.http.post('/api/v1/auth/refresh').send({ refreshToken: 'garbage' });
    expect(garbage.status).toBe(401);
  });
});

/** TRUST 12: login limits per account (from one address) and per address. */
describe('login rate limits (e2e)', () => {
  let t: TestApp;
  const PER_ACCOUNT = 3;
  const PER_IP = 6;

  beforeAll(async () => {
    t = await startTestApp({
      env: { LOGIN_LIMIT_PER_ACCOUNT: String(PER_ACCOUNT), LOGIN_LIMIT_PER_IP: String(PER_IP) },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  /** Users are created directly: logging in through HTTP would spend the address's budget. */
  async function newUser(): Promise<{ id: string; email: string; password: string }> {
    const email = `u${Math.random().toString(36).slice(2, 10)}@example.org`;
    const password = 'the-right-password-1';
    const user = await t.app
      .get(UsersService)
      .create(null, { email, displayName: 'U', role: 'member', password });
    return { id: user.id, email, password };
  }

  async function login(
    from: string,
    email: string,
    password: string,
    headers: InjectOptions['headers'] = {},
  ): Promise<number> {
    const res = await t.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: from,
        headers: { 'content-type': 'application/json', ...headers },
        payload: JSON.stringify({ email, password }),
      });
    return res.statusCode;
  }

  async function failures(userId: string): Promise<number> {
    const rows = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'auth.login_failed' AND subject_id = $1`,
      [userId],
    );
    return (rows as { n: number }[])[0].n;
  }

  it('answers 429 once one address has tried one account too often, even with the right password', async () => {
    const victim = await newUser();
    for (let i = 0; i < PER_ACCOUNT; i++) {
      expect(await login('10.0.1.1', victim.email, 'wrong-guess-123')).toBe(401);
    }
    expect(await login('10.0.1.1', victim.email, victim.password)).toBe(429);
    // The throttled attempt never reached the password check.
    expect(await failures(victim.id)).toBe(PER_ACCOUNT);
  });

  it('keeps the bucket when the caller forges X-Forwarded-For', async () => {
    const victim = await newUser();
    for (let i = 0; i < PER_ACCOUNT; i++) {
      expect(await login('10.0.2.1', victim.email, 'wrong-guess-123')).toBe(401);
    }
    expect(
      await login('10.0.2.1', victim.email, 'wrong-guess-123', {
        'x-forwarded-for': '203.0.113.9',
      }),
    ).toBe(429);
    expect(
      await login('10.0.2.1', victim.email, victim.password, {
        'x-forwarded-for': '198.51.100.7, 203.0.113.10',
      }),
    ).toBe(429);
    expect(await failures(victim.id)).toBe(PER_ACCOUNT);
  });

  it('does not lock the member out from their own address when an attacker hammers their account', async () => {
    const victim = await newUser();
    for (let i = 0; i < PER_ACCOUNT + 2; i++) {
      await login('10.0.3.66', victim.email, 'wrong-guess-123');
    }
    expect(await login('10.0.3.66', victim.email, victim.password)).toBe(429);
    expect(await login('10.0.3.7', victim.email, victim.password)).toBe(200);
    const sessions = await t.db.query(
      `SELECT count(*)::int AS n FROM auth_session WHERE user_id = $1`,
      [victim.id],
    );
    expect(sessions[0].n).toBe(1);
  });

  it('answers 429 once one address has tried too many accounts', async () => {
    const users = await Promise.all(Array.from({ length: PER_IP + 1 }, () => newUser()));
    for (const u of users.slice(0, PER_IP)) {
      expect(await login('10.0.4.1', u.email, 'wrong-guess-123')).toBe(401);
    }
    const last = users[PER_IP];
    expect(await login('10.0.4.1', last.email, last.password)).toBe(429);
    expect(await failures(last.id)).toBe(0);
    // Another address is not affected.
    expect(await login('10.0.4.2', last.email, last.password)).toBe(200);
  });
});
