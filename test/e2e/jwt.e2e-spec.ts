import { decodeJwt, signJwt, unsignedJwt } from '../support/jwt';
import { startTestApp, TestApp } from '../support/test-app';

/** TRUST 9–11: only tokens the application issued, unexpired, for a live session, are accepted. */
describe('access tokens (e2e)', () => {
  let t: TestApp;
  let user: { id: string; email: string; password: string; token: string };
  let claims: Record<string, unknown>;
  let secret: string;
  const now = (): number => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    t = await startTestApp();
    user = await t.userWithToken('member');
    claims = decodeJwt(user.token);
    secret = t.config.auth.jwtSecret;
  });
  afterAll(async () => {
    await t.close();
  });

  async function me(token: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await t.http.get('/api/v1/auth/me').set('authorization', `Bearer ${token}`);
    return { status: res.status, body: res.body as Record<string, unknown> };
  }

  async function sessionOf(
    sessionId: unknown,
  ): Promise<{ revoked_at: Date | null; revoked_reason: string | null }> {
    const rows = await t.db.query(
      `SELECT revoked_at, revoked_reason FROM auth_session WHERE id = $1`,
      [sessionId],
    );
    return (rows as { revoked_at: Date | null; revoked_reason: string | null }[])[0];
  }

  it('accepts the token it issued, re-signed unchanged by the same secret', async () => {
    // Proves the forging helper signs exactly like the application, so the refusals below are about the claims.
    const res = await me(signJwt(claims, secret));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: user.id, email: user.email, role: 'member' });
  });

  it('refuses an unsigned alg:none token', async () => {
    expect((await me(unsignedJwt(claims))).status).toBe(401);
  });

  it('refuses an HS256 token signed with another secret', async () => {
    expect(
      (await me(signJwt(claims, 'another-secret-of-sufficient-length-0123456789'))).status,
    ).toBe(401);
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = user.token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const res = await me(`${header}.${forged}.${signature}`);
    expect(res.status).toBe(401);
    const admin = await t.http
      .get('/api/v1/users')
      .set('authorization', `Bearer ${header}.${forged}.${signature}`);
    expect(admin.status).toBe(401);
  });

  it('refuses an expired token', async () => {
    expect(
      (await me(signJwt({ ...claims, iat: now() - 3600, exp: now() - 60 }, secret))).status,
    ).toBe(401);
  });

  it('refuses a token that is not valid yet (nbf in the future)', async () => {
    expect((await me(signJwt({ ...claims, nbf: now() + 3600 }, secret))).status).toBe(401);
  });

  it('refuses a token for another audience', async () => {
    expect((await me(signJwt({ ...claims, aud: 'some-other-api' }, secret))).status).toBe(401);
  });

  it('refuses a token from another issuer', async () => {
    expect((await me(signJwt({ ...claims, iss: 'someone-else' }, secret))).status).toBe(401);
  });

  it('refuses a token signed with another algorithm of the same secret (HS512)', async () => {
    const { createHmac } = await import('node:crypto');
    const body = `${Buffer.from(JSON.stringify({ alg: 'HS512', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const token = `${body}.${createHmac('sha512', secret).update(body).digest('base64url')}`;
    expect((await me(token)).status).toBe(401);
  });

  it('refuses a refresh token used as an access token', async () => {
    const login = await t.http
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: user.password });
    expect(login.status).toBe(200);
    expect((await me(login.body.refreshToken as string)).status).toBe(401);
    // A correctly signed token of another type is refused too.
    expect((await me(signJwt({ ...claims, typ: 'refresh' }, secret))).status).toBe(401);
  });

  it('refuses a token with a stale token version', async () => {
    expect((await me(signJwt({ ...claims, ver: (claims.ver as number) + 1 }, secret))).status).toBe(
      401,
    );
  });

  it.each([
    ['a version beyond 32 bits', { ver: 2 ** 31 }],
    ['a negative version', { ver: -1 }],
    ['a fractional version', { ver: 0.5 }],
    ['a version given as text', { ver: '0' }],
    ['a session id of 36 hyphens', { sid: '-'.repeat(36) }],
    ['a user id that is not a uuid', { sub: 'g'.repeat(8) + '-0000-4000-8000-000000000000' }],
  ])('answers 401, not 500, to a genuinely signed token with %s', async (_, change) => {
    const res = await me(signJwt({ ...claims, ...change }, secret));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('AUTH_INVALID_TOKEN');
  });

  it('refuses the access token after logout and marks the session revoked', async () => {
    const u = await t.userWithToken('member');
    expect((await me(u.token)).status).toBe(200);
    const out = await t.http.post('/api/v1/auth/logout').set('authorization', `Bearer ${u.token}`);
    expect(out.status).toBe(204);
    expect((await me(u.token)).status).toBe(401);
    const session = await sessionOf(decodeJwt(u.token).sid);
    expect(session.revoked_reason).toBe('logout');
    expect(session.revoked_at).not.toBeNull();
    const events = await t.db.query(
      `SELECT action FROM audit_event WHERE subject_id = $1 AND action = 'auth.logout'`,
      [u.id],
    );
    expect(events).toHaveLength(1);
  });

  it('refuses every earlier token after the user changes their password', async () => {
    const u = await t.userWithToken('member');
    const second = await t.http
      .post('/api/v1/auth/login')
      .send({ email: u.email, password: u.password });
    const res = await t.http
      .post('/api/v1/auth/password')
      .set('authorization', `Bearer ${u.token}`)
      .send({ currentPassword: u.password, newPassword: 'a-brand-new-password-42' });
    expect(res.status).toBe(204);
    expect((await me(u.token)).status).toBe(401);
    expect((await me(second.body.accessToken as string)).status).toBe(401);
    const refresh = await t.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: second.body.refreshToken });
    expect(refresh.status).toBe(401);
    const open = await t.db.query(
      `SELECT count(*)::int AS n FROM auth_session WHERE user_id = $1 AND revoked_at IS NULL`,
      [u.id],
    );
    expect(open[0].n).toBe(0);
    const oldLogin = await t.http
      .post('/api/v1/auth/login')
      .send({ email: u.email, password: u.password });
    expect(oldLogin.status).toBe(401);
    const newLogin = await t.http
      .post('/api/v1/auth/login')
      .send({ email: u.email, password: 'a-brand-new-password-42' });
    expect(newLogin.status).toBe(200);
  });

  it('refuses a password change with the wrong current password and keeps the sessions', async () => {
    const u = await t.userWithToken('member');
    const res = await t.http
      .post('/api/v1/auth/password')
      .set('authorization', `Bearer ${u.token}`)
      .send({ currentPassword: 'not-my-password', newPassword: 'a-brand-new-password-42' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('AUTH_WRONG_PASSWORD');
    expect((await me(u.token)).status).toBe(200);
  });

  it('refuses earlier tokens after an admin resets the password', async () => {
    const admin = await t.userWithToken('admin');
    const u = await t.userWithToken('member');
    const res = await t.http
      .patch(`/api/v1/users/${u.id}`)
      .set('authorization', `Bearer ${admin.token}`)
      .send({ password: 'reset-by-the-admin-123' });
    expect(res.status).toBe(200);
    expect((await me(u.token)).status).toBe(401);
    expect((await sessionOf(decodeJwt(u.token).sid)).revoked_reason).toBe('account_changed');
  });

  it('refuses tokens and logins after the account is disabled', async () => {
    const admin = await t.userWithToken('admin');
    const u = await t.userWithToken('member');
    const res = await t.http
      .patch(`/api/v1/users/${u.id}`)
      .set('authorization', `Bearer ${admin.token}`)
      .send({ status: 'disabled' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('disabled');
    expect((await me(u.token)).status).toBe(401);
    const login = await t.http
      .post('/api/v1/auth/login')
      .send({ email: u.email, password: u.password });
    expect(login.status).toBe(401);
    const stored = await t.db.query(`SELECT status FROM app_user WHERE id = $1`, [u.id]);
    expect(stored[0].status).toBe('disabled');
    const failed = await t.db.query(
      `SELECT data->>'reason' AS reason FROM audit_event WHERE action = 'auth.login_failed' AND subject_id = $1`,
      [u.id],
    );
    expect(failed.map((r: { reason: string }) => r.reason)).toEqual(['disabled']);
  });

  it('refuses tokens after a role change, so the old role cannot be used', async () => {
    const admin = await t.userWithToken('admin');
    const u = await t.userWithToken('admin');
    const res = await t.http
      .patch(`/api/v1/users/${u.id}`)
      .set('authorization', `Bearer ${admin.token}`)
      .send({ role: 'member' });
    expect(res.status).toBe(200);
    const list = await t.http.get('/api/v1/users').set('authorization', `Bearer ${u.token}`);
    expect(list.status).toBe(401);
  });
});
