import type { InjectOptions } from 'fastify';
import { AuthService } from 'src/auth/auth.service';
import { UsersRepository } from 'src/auth/users.repository';
import { JobsService } from 'src/jobs/jobs.service';
import { startTestApp, TestApp } from '../support/test-app';
import { draftElection, newVoters, openElection, rowCounts, Voter } from './elections.fixtures';

jest.setTimeout(120_000);

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: { statusCode?: number; error?: string; message?: string; code?: string; details?: unknown };
}

/** Casts through Fastify's inject, which lets each test choose the caller's address. */
async function castFrom(
  t: TestApp,
  address: string,
  token: string,
  electionId: string,
  ballot: unknown,
  headers: InjectOptions['headers'] = {},
): Promise<Answer> {
  const res = await t.app
    .getHttpAdapter()
    .getInstance()
    .inject({
      method: 'POST',
      url: `/api/v1/elections/${electionId}/ballots`,
      remoteAddress: address,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
      payload: JSON.stringify({ ballot }),
    });
  const retryAfter = res.headers['retry-after'];
  return {
    status: res.statusCode,
    retryAfter: retryAfter === undefined ? undefined : String(retryAfter),
    body: res.json(),
  };
}

async function participated(t: TestApp, electionId: string, memberId: string): Promise<boolean> {
  const rows = await t.db.query(
    `SELECT 1 FROM participation WHERE election_id = $1 AND member_id = $2`,
    [electionId, memberId],
  );
  return rows.length > 0;
}

/** TRUST 38: casting is limited per user and, generously, per address. */
describe('casting rate limits (e2e)', () => {
  const PER_USER = 3;
  const PER_IP = 8;
  const WINDOW_SECONDS = 600;
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        CAST_LIMIT_PER_USER: String(PER_USER),
        CAST_LIMIT_PER_IP: String(PER_IP),
        CAST_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
      },
    });
    admin = (await t.userWithToken('admin')).token;
  });
  afterAll(async () => {
    await t.app.get(JobsService).drain();
    await t.close();
  });

  /** An open election; its roll holds the voters created before it. */
  async function openYesNo(): Promise<string> {
    const e = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
    await openElection(t, admin, e.id);
    return e.id;
  }

  it('answers 429 with the reason and Retry-After once one user has tried too often', async () => {
    const [voter] = await newVoters(t, 1);
    const election = await openYesNo();
    const statuses: number[] = [];
    for (let i = 0; i < PER_USER; i++) {
      statuses.push(
        (await castFrom(t, '10.38.1.1', voter.token, election, { choice: 'yes' })).status,
      );
    }
    expect(statuses).toEqual([201, 409, 409]);

    const limited = await castFrom(t, '10.38.1.1', voter.token, election, { choice: 'yes' });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/^Too many ballots sent by this user; try again in \d+ s$/),
      code: 'RATE_LIMITED',
      details: { reason: 'user', retryAfterSeconds: expect.any(Number) },
    });
    const retryAfter = Number(limited.retryAfter);
    expect(retryAfter).toBe(
      (limited.body.details as { retryAfterSeconds: number }).retryAfterSeconds,
    );
    expect(retryAfter).toBeGreaterThan(WINDOW_SECONDS - 60);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
  });

  it('lets other voters behind the same address vote while one user is limited', async () => {
    const [hammering, ...colleagues] = await newVoters(t, 1 + PER_IP - PER_USER);
    const election = await openYesNo();
    for (let i = 0; i < PER_USER; i++) {
      await castFrom(t, '10.38.2.1', hammering.token, election, { choice: 'no' });
    }
    expect(
      (await castFrom(t, '10.38.2.1', hammering.token, election, { choice: 'no' })).status,
    ).toBe(429);
    // Together they use the address's whole allowance: the refused request did not count.
    for (const colleague of colleagues) {
      expect(
        (await castFrom(t, '10.38.2.1', colleague.token, election, { choice: 'yes' })).status,
      ).toBe(201);
    }
    expect(await rowCounts(t, election)).toEqual({
      ballots: PER_IP - PER_USER + 1,
      participations: PER_IP - PER_USER + 1,
    });
  });

  it('answers 401, not 429, to a limited user whose session has ended', async () => {
    const [voter] = await newVoters(t, 1);
    const election = await openYesNo();
    for (let i = 0; i < PER_USER; i++) {
      await castFrom(t, '10.38.3.1', voter.token, election, { choice: 'yes' });
    }
    expect((await castFrom(t, '10.38.3.1', voter.token, election, { choice: 'yes' })).status).toBe(
      429,
    );
    await t.db.query(`UPDATE auth_session SET revoked_at = now() WHERE user_id = $1`, [
      voter.userId,
    ]);
    const answer = await castFrom(t, '10.38.3.1', voter.token, election, { choice: 'yes' });
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('AUTH_INVALID_TOKEN');
  });

  it('does not count requests from an ended session against the user or the address', async () => {
    const [voter] = await newVoters(t, 1);
    const election = await openYesNo();
    const stolen = voter.token;
    const auth = t.app.get(AuthService);
    await t.db.query(`UPDATE auth_session SET revoked_at = now() WHERE user_id = $1`, [voter.userId]);
    for (let i = 0; i < PER_IP + 2; i++) {
      expect((await castFrom(t, '10.38.4.1', stolen, election, { choice: 'no' })).status).toBe(401);
    }
    // The real member logs in again and votes from the same address: nothing was used up.
    const fresh = await auth.login((await t.app.get(UsersRepository).findById(voter.userId))!, '10.38.4.1');
    const answer = await castFrom(t, '10.38.4.1', fresh.accessToken, election, { choice: 'yes' });
    expect(answer.status).toBe(201);
    expect(await participated(t, election, voter.memberId)).toBe(true);
  });

  it('counts one user across all their sessions', async () => {
    const [voter] = await newVoters(t, 1);
    const election = await openYesNo();
    const user = (await t.app.get(UsersRepository).findById(voter.userId))!;
    const second = (await t.app.get(AuthService).login(user, '127.0.0.1')).accessToken;
    const refused = [voter.token, second, voter.token].map((token) =>
      castFrom(t, '10.38.3.1', token, election, { choice: 'maybe' }),
    );
    expect((await Promise.all(refused)).map((r) => r.status)).toEqual([400, 400, 400]);
    const limited = await castFrom(t, '10.38.3.1', second, election, { choice: 'yes' });
    expect(limited.status).toBe(429);
    expect(limited.body.details).toMatchObject({ reason: 'user' });
  });

  it('stores nothing when it refuses a valid ballot for the user limit', async () => {
    const [voter] = await newVoters(t, 1);
    const election = await openYesNo();
    for (let i = 0; i < PER_USER; i++) {
      expect(
        (await castFrom(t, '10.38.4.1', voter.token, election, { choice: 'maybe' })).status,
      ).toBe(400);
    }
    expect((await castFrom(t, '10.38.4.1', voter.token, election, { choice: 'yes' })).status).toBe(
      429,
    );
    expect(await rowCounts(t, election)).toEqual({ ballots: 0, participations: 0 });
    expect(await participated(t, election, voter.memberId)).toBe(false);
  });

  describe('per address', () => {
    let election: string;
    let voters: Voter[];

    beforeAll(async () => {
      voters = await newVoters(t, PER_IP + 4);
      election = await openYesNo();
    });

    it('answers 429 once one address has sent too many ballots, stores nothing, and leaves other addresses alone', async () => {
      for (const voter of voters.slice(0, PER_IP)) {
        expect(
          (await castFrom(t, '10.38.5.1', voter.token, election, { choice: 'yes' })).status,
        ).toBe(201);
      }
      const late = voters[PER_IP];
      const limited = await castFrom(t, '10.38.5.1', late.token, election, { choice: 'yes' });
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({
        statusCode: 429,
        code: 'RATE_LIMITED',
        message: expect.stringMatching(/network address/),
        details: { reason: 'ip' },
      });
      expect(Number(limited.retryAfter)).toBeGreaterThan(0);
      expect(await participated(t, election, late.memberId)).toBe(false);
      expect(await rowCounts(t, election)).toEqual({ ballots: PER_IP, participations: PER_IP });

      const elsewhere = await castFrom(t, '10.38.5.2', late.token, election, { choice: 'yes' });
      expect(elsewhere.status).toBe(201);
    });

    it('keeps the address bucket when the caller forges X-Forwarded-For', async () => {
      const forger = voters[PER_IP + 1];
      const res = await castFrom(
        t,
        '10.38.5.1',
        forger.token,
        election,
        { choice: 'yes' },
        {
          'x-forwarded-for': '203.0.113.9',
        },
      );
      expect(res.status).toBe(429);
      expect(await participated(t, election, forger.memberId)).toBe(false);
    });

    it('counts IPv6 callers per /64', async () => {
      const more = await newVoters(t, PER_IP + 2);
      const v6 = await openYesNo();
      for (const [i, voter] of more.slice(0, PER_IP).entries()) {
        expect(
          (await castFrom(t, `2001:db8:38:6::${i + 1}`, voter.token, v6, { choice: 'yes' })).status,
        ).toBe(201);
      }
      const sameBlock = await castFrom(t, '2001:db8:38:6:ffff::1', more[PER_IP].token, v6, {
        choice: 'yes',
      });
      expect(sameBlock.status).toBe(429);
      const nextBlock = await castFrom(t, '2001:db8:38:7::1', more[PER_IP + 1].token, v6, {
        choice: 'yes',
      });
      expect(nextBlock.status).toBe(201);
    });
  });
});

describe('casting rate limits over time (e2e)', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({
      env: { CAST_LIMIT_PER_USER: '1', CAST_LIMIT_WINDOW_SECONDS: '1' },
    });
    admin = (await t.userWithToken('admin')).token;
  });
  afterAll(async () => {
    await t.app.get(JobsService).drain();
    await t.close();
  });

  it('lets the user in again once Retry-After has passed', async () => {
    const [voter] = await newVoters(t, 1);
    const e = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Ann']);
    await openElection(t, admin, e.id);
    expect((await castFrom(t, '10.38.7.1', voter.token, e.id, { choice: 'maybe' })).status).toBe(
      400,
    );
    const limited = await castFrom(t, '10.38.7.1', voter.token, e.id, { choice: 'yes' });
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await castFrom(t, '10.38.7.1', voter.token, e.id, { choice: 'yes' })).status).toBe(201);
    expect(await rowCounts(t, e.id)).toEqual({ ballots: 1, participations: 1 });
  });
});
