import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';

jest.setTimeout(120_000);

/** TRUST 6: routes that need no login (results, exports, bundles) are limited per address. */
describe('public route limit (e2e)', () => {
  const PER_IP = 5;
  const WINDOW_SECONDS = 60;
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        PUBLIC_LIMIT_PER_IP: String(PER_IP),
        PUBLIC_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
      },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  function get(from: string, url: string, token?: string) {
    return t.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: 'GET',
        url,
        remoteAddress: from,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      });
  }

  it('answers 429 with Retry-After and a code once one address has asked too often', async () => {
    const election = randomUUID();
    const urls = [
      '/api/v1/public/notices',
      `/api/v1/public/results/elections/${election}/pdf`,
      `/api/v1/public/results/elections/${election}/bundle`,
      `/api/v1/public/results/elections/${election}/csv`,
      '/api/v1/public/notices',
    ];
    for (const url of urls) {
      expect((await get('10.47.1.1', url)).statusCode).not.toBe(429);
    }
    const limited = await get('10.47.1.1', `/api/v1/public/results/elections/${election}/pdf`);
    expect(limited.statusCode).toBe(429);
    const body = limited.json<{ details: { retryAfterSeconds: number } }>();
    expect(body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(
        /^Too many requests from this network address; try again in \d+ s$/,
      ),
      code: 'RATE_LIMITED',
      details: { reason: 'ip', retryAfterSeconds: expect.any(Number) },
    });
    expect(Number(limited.headers['retry-after'])).toBe(body.details.retryAfterSeconds);
    expect(body.details.retryAfterSeconds).toBeLessThanOrEqual(WINDOW_SECONDS);

    // Another address is not affected, nor are routes that need a login.
    expect((await get('10.47.1.2', '/api/v1/public/notices')).statusCode).toBe(200);
    const member = await t.userWithToken('member');
    expect((await get('10.47.1.1', '/api/v1/auth/me', member.token)).statusCode).toBe(200);
  });

  it('counts IPv6 callers per /64', async () => {
    for (let i = 1; i <= PER_IP; i++) {
      expect((await get(`2001:db8:47:1::${i}`, '/api/v1/public/notices')).statusCode).toBe(200);
    }
    expect((await get('2001:db8:47:1:ffff::9', '/api/v1/public/notices')).statusCode).toBe(429);
    expect((await get('2001:db8:47:2::1', '/api/v1/public/notices')).statusCode).toBe(200);
  });
});
