import * as argon2 from 'argon2';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { decodeJwt } from '../support/jwt';
import { startTestApp, TestApp } from '../support/test-app';

jest.setTimeout(120_000);

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

/**
 * A hash for users inserted directly. argon2 verifies with the parameters stored in the hash, so a
 * light one keeps the many logins of these tests quick; the login code is the same.
 */
function lightHash(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, memoryCost: 1024, timeCost: 1 });
}

/** Logs in through Fastify's inject, which lets each test choose the caller's address. */
function loginFrom(
  t: TestApp,
  from: string,
  email: string,
  password: string,
  headers: InjectOptions['headers'] = {},
): Promise<LightMyRequestResponse> {
  return t.app
    .getHttpAdapter()
    .getInstance()
    .inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: from,
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify({ email, password }),
    });
}

/** TRUST 12: login limits per account (from one address) and per address. */
describe('login rate limits (e2e)', () => {
  let t: TestApp;
  const PER_ACCOUNT = 3;
  const PER_IP = 6;
  const WINDOW_SECONDS = 900;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        LOGIN_LIMIT_PER_ACCOUNT: String(PER_ACCOUNT),
        LOGIN_LIMIT_PER_IP: String(PER_IP),
        LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS),
        // Only the loopback proxy is believed: inject's own callers are not.
        TRUST_PROXY: '127.0.0.1',
      },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const PASSWORD = 'the-right-password-1';
  let hash: Promise<string> | undefined;

  /**
   * Users are inserted directly, sharing one hash: logging in through HTTP would spend the
   * address's budget, and hashing for each would only slow the tests down.
   */
  async function newUser(): Promise<{ id: string; email: string; password: string }> {
    const email = `u${Math.random().toString(36).slice(2, 10)}@example.org`;
    hash ??= lightHash(PASSWORD);
    const rows = await t.db.query(
      `INSERT INTO app_user (email, display_name, password_hash, role) VALUES ($1, 'U', $2, 'member') RETURNING id`,
      [email, await hash],
    );
    return { id: (rows as { id: string }[])[0].id, email, password: PASSWORD };
  }

  async function login(
    from: string,
    email: string,
    password: string,
    headers: InjectOptions['headers'] = {},
  ): Promise<number> {
    return (await loginFrom(t, from, email, password, headers)).statusCode;
  }

  /** A login from a client behind the trusted proxy, which names it in X-Forwarded-For. */
  function viaProxy(client: string, email: string, password: string): Promise<number> {
    return login('127.0.0.1', email, password, { 'x-forwarded-for': client });
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

  it('answers a limited login 429 with Retry-After, a code and the reason', async () => {
    const victim = await newUser();
    for (let i = 0; i < PER_ACCOUNT; i++) {
      expect(await login('10.0.5.1', victim.email, 'wrong-guess-123')).toBe(401);
    }
    const limited = await loginFrom(t, '10.0.5.1', victim.email, victim.password);
    expect(limited.statusCode).toBe(429);
    const body = limited.json<{ details: { retryAfterSeconds: number } }>();
    expect(body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(
        /^Too many failed logins to this account from this address; try again in \d+ s$/,
      ),
      code: 'RATE_LIMITED',
      details: { reason: 'account', retryAfterSeconds: expect.any(Number) },
    });
    expect(Number(limited.headers['retry-after'])).toBe(body.details.retryAfterSeconds);
    expect(body.details.retryAfterSeconds).toBeGreaterThan(WINDOW_SECONDS - 60);
    expect(body.details.retryAfterSeconds).toBeLessThanOrEqual(WINDOW_SECONDS);

    const users = await Promise.all(Array.from({ length: PER_IP }, () => newUser()));
    for (const u of users) {
      await login('10.0.5.2', u.email, 'wrong-guess-123');
    }
    const perIp = await loginFrom(t, '10.0.5.2', victim.email, victim.password);
    expect(perIp.statusCode).toBe(429);
    expect(perIp.json()).toMatchObject({ code: 'RATE_LIMITED', details: { reason: 'ip' } });
    expect(Number(perIp.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('lets successful logins from one address through however many there are', async () => {
    const members = await Promise.all(Array.from({ length: 3 * PER_IP }, () => newUser()));
    for (const m of members) {
      expect(await login('10.0.6.1', m.email, m.password)).toBe(200);
    }
    // The failures are still counted in full.
    for (const m of members.slice(0, PER_IP)) {
      expect(await login('10.0.6.1', m.email, 'wrong-guess-123')).toBe(401);
    }
    expect(await login('10.0.6.1', members[PER_IP].email, members[PER_IP].password)).toBe(429);
  });

  it('does not forgive an address its failures when one of its logins succeeds', async () => {
    const members = await Promise.all(Array.from({ length: PER_IP + 1 }, () => newUser()));
    for (const m of members.slice(0, PER_IP - 1)) {
      expect(await login('10.0.7.1', m.email, 'wrong-guess-123')).toBe(401);
    }
    expect(await login('10.0.7.1', members[PER_IP].email, members[PER_IP].password)).toBe(200);
    expect(await login('10.0.7.1', members[PER_IP - 1].email, 'wrong-guess-123')).toBe(401);
    expect(await login('10.0.7.1', members[PER_IP].email, members[PER_IP].password)).toBe(429);
  });

  it("clears an account's failures from an address once the right password is given there", async () => {
    const member = await newUser();
    for (let i = 0; i < PER_ACCOUNT - 1; i++) {
      expect(await login('10.0.8.1', member.email, 'a-typo-in-it-123')).toBe(401);
    }
    expect(await login('10.0.8.1', member.email, member.password)).toBe(200);
    for (let i = 0; i < PER_ACCOUNT; i++) {
      expect(await login('10.0.8.1', member.email, 'a-typo-in-it-123')).toBe(401);
    }
    expect(await login('10.0.8.1', member.email, member.password)).toBe(429);
  });

  it('lets no more guesses through than the limit when they are sent all at once', async () => {
    const victim = await newUser();
    const statuses = await Promise.all(
      Array.from({ length: 4 * PER_ACCOUNT }, () =>
        login('10.0.9.1', victim.email, 'wrong-guess-123'),
      ),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(PER_ACCOUNT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3 * PER_ACCOUNT);
    expect(await failures(victim.id)).toBe(PER_ACCOUNT);
  });

  it('counts IPv6 addresses per /64, also when a trusted proxy names them', async () => {
    const victim = await newUser();
    const statuses: number[] = [];
    for (let i = 1; i <= PER_ACCOUNT + 3; i++) {
      statuses.push(
        await viaProxy(`2001:db8:12:1::${i.toString(16)}`, victim.email, 'wrong-guess-123'),
      );
    }
    expect(statuses).toEqual([...Array<number>(PER_ACCOUNT).fill(401), 429, 429, 429]);
    expect(await failures(victim.id)).toBe(PER_ACCOUNT);
    // Another /64 is another network.
    expect(await viaProxy('2001:db8:12:2::1', victim.email, victim.password)).toBe(200);

    // And across accounts: the whole /64 shares one address allowance.
    const users = await Promise.all(Array.from({ length: PER_IP + 1 }, () => newUser()));
    for (const [i, u] of users.slice(0, PER_IP).entries()) {
      expect(await viaProxy(`2001:db8:12:3:${i + 1}::1`, u.email, 'wrong-guess-123')).toBe(401);
    }
    const last = users[PER_IP];
    expect(await viaProxy('2001:db8:12:3:ffff:ffff:ffff:ffff', last.email, last.password)).toBe(
      429,
    );
    // The proxy's own address is not what was counted.
    expect(await login('127.0.0.1', last.email, last.password)).toBe(200);
  });
});

/** TRUST 12: a wrong current password costs what a failed login to one account costs. */
describe('password change limit (e2e)', () => {
  let t: TestApp;
  const PER_ACCOUNT = 3;

  beforeAll(async () => {
    t = await startTestApp({ env: { LOGIN_LIMIT_PER_ACCOUNT: String(PER_ACCOUNT) } });
  });
  afterAll(async () => {
    await t.close();
  });

  function change(
    token: string,
    currentPassword: string,
    newPassword = 'violet-tractor-sings-4-lanterns',
  ) {
    return t.http
      .post('/api/v1/auth/password')
      .set('authorization', `Bearer ${token}`)
      .send({ currentPassword, newPassword });
  }

  it('answers 429 once a user has given too many wrong current passwords, even with the right one', async () => {
    const user = await t.userWithToken('member');
    for (let i = 0; i < PER_ACCOUNT; i++) {
      const wrong = await change(user.token, 'not-my-password');
      expect(wrong.status).toBe(400);
      expect(wrong.body.code).toBe('AUTH_WRONG_PASSWORD');
    }
    const limited = await change(user.token, user.password);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/^Too many wrong current passwords; try again in \d+ s$/),
      details: { reason: 'user' },
    });
    expect(Number(limited.headers['retry-after'])).toBe(limited.body.details.retryAfterSeconds);
    // The password was not changed and the session lives on.
    const me = await t.http.get('/api/v1/auth/me').set('authorization', `Bearer ${user.token}`);
    expect(me.status).toBe(200);
    const login = await t.http
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: user.password });
    expect(login.status).toBe(200);
  });

  it('forgives the wrong attempts once the right current password is given', async () => {
    const user = await t.userWithToken('member');
    for (let i = 0; i < PER_ACCOUNT - 1; i++) {
      expect((await change(user.token, 'not-my-password')).status).toBe(400);
    }
    expect((await change(user.token, user.password)).status).toBe(204);
    const login = await t.http
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: 'violet-tractor-sings-4-lanterns' });
    const token = login.body.accessToken as string;
    for (let i = 0; i < PER_ACCOUNT; i++) {
      expect((await change(token, 'not-my-password')).status).toBe(400);
    }
    expect((await change(token, 'violet-tractor-sings-4-lanterns')).status).toBe(429);
  });
});

/** TRUST 12: a general meeting signs in from the hall's one address with the default limits. */
describe('login from one hall with the default limits (e2e)', () => {
  let t: TestApp;
  const MEMBERS = 166;
  const PASSWORD = 'a-hall-password-for-the-test-9';

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('lets 166 members sign in from one address, and still stops a guesser there', async () => {
    expect(t.config.auth).toMatchObject({ loginLimitPerIp: 100, loginLimitPerAccount: 5 });
    const hash = await lightHash(PASSWORD);
    const emails = Array.from({ length: MEMBERS }, (_, i) => `hall-${i}@example.org`);
    await t.db.query(
      `INSERT INTO app_user (email, display_name, password_hash, role)
       SELECT e, 'Member', $2, 'member' FROM unnest($1::text[]) AS e`,
      [emails, hash],
    );
    const statuses: number[] = [];
    // Members arrive a few at a time, as they do at the door.
    for (let i = 0; i < MEMBERS; i += 6) {
      const batch = emails.slice(i, i + 6).map((e) => loginFrom(t, '192.0.2.10', e, PASSWORD));
      statuses.push(...(await Promise.all(batch)).map((r) => r.statusCode));
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(MEMBERS);

    // Failures still count: five at one account, then 429 even with the right password.
    for (let i = 0; i < 5; i++) {
      expect((await loginFrom(t, '192.0.2.10', emails[0], 'wrong-guess-123')).statusCode).toBe(401);
    }
    expect((await loginFrom(t, '192.0.2.10', emails[0], PASSWORD)).statusCode).toBe(429);
    // And 100 at any accounts from the address.
    for (let i = 1; i <= 95; i++) {
      expect((await loginFrom(t, '192.0.2.10', emails[i], 'wrong-guess-123')).statusCode).toBe(401);
    }
    const limited = await loginFrom(t, '192.0.2.10', emails[100], PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED', details: { reason: 'ip' } });
  }, 300_000);
});
