import { startTestApp, TestApp } from '../support/test-app';

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
    const events = await t.db.query(`SELECT action FROM audit_event WHERE subject_id = $1 ORDER BY seq`, [user.id]);
    expect(events.map((e: { action: string }) => e.action)).toEqual(['user.created', 'auth.login_succeeded']);
  });

  it('refuses a wrong password with 401 and records the failure', async () => {
    const user = await t.userWithToken('member');
    const res = await t.http.post('/api/v1/auth/login').send({ email: user.email, password: 'wrong-password-123' });
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
});
