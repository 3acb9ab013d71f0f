import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { AuthService } from 'src/auth/auth.service';
import { UsersRepository } from 'src/auth/users.repository';
import { JobsService } from 'src/jobs/jobs.service';
import type { TestApp } from '../support/test-app';

/** Factories and steps for the award tests. */

export const bearer = (token: string): [string, string] => ['authorization', `Bearer ${token}`];

export interface Person {
  userId: string;
  token: string;
  memberId?: string;
}

let sequence = 0;
const tag = randomBytes(3).toString('hex');

/** A user with a login (inserted without password hashing, logged in through the real session code). */
export async function newUser(
  t: TestApp,
  role: 'member' | 'jury' | 'admin',
  member?: { organisation?: string | null; name?: string },
): Promise<Person> {
  sequence += 1;
  const number = `A${tag}-${String(sequence).padStart(4, '0')}`;
  const [user] = await t.db.query<{ id: string }[]>(
    `INSERT INTO app_user (email, display_name, password_hash, role) VALUES ($1, $2, 'x', $3) RETURNING id`,
    [`${number.toLowerCase()}@example.org`, `${role} ${number}`, role],
  );
  let memberId: string | undefined;
  if (member) {
    const [row] = await t.db.query<{ id: string }[]>(
      `INSERT INTO member (member_number, kind, name, organisation, status, dues_paid_until, user_id)
       VALUES ($1, 'individual', $2, $3, 'active', '2099-12-31', $4) RETURNING id`,
      [number, member.name ?? `Member ${number}`, member.organisation ?? null, user.id],
    );
    memberId = row.id;
  }
  const found = (await t.app.get(UsersRepository).findById(user.id))!;
  const tokens = await t.app.get(AuthService).login(found, '127.0.0.1');
  return { userId: user.id, token: tokens.accessToken, memberId };
}

export function ok<T = Record<string, unknown>>(res: Response, status = 200): T {
  if (res.status !== status) {
    throw new Error(
      `${res.request?.method ?? ''} ${res.request?.url ?? ''} → ${res.status} (expected ${status}): ${JSON.stringify(res.body)}`,
    );
  }
  return res.body as T;
}

export interface Api {
  get(path: string, token: string): Promise<Response>;
  post(path: string, token: string, body?: object): Promise<Response>;
  put(path: string, token: string, body?: object): Promise<Response>;
  patch(path: string, token: string, body?: object): Promise<Response>;
}

export function api(t: TestApp): Api {
  const url = (p: string): string => `/api/v1/awards${p}`;
  return {
    get: (p, token) => t.http.get(url(p)).set(...bearer(token)),
    post: (p, token, body = {}) =>
      t.http
        .post(url(p))
        .set(...bearer(token))
        .send(body),
    put: (p, token, body = {}) =>
      t.http
        .put(url(p))
        .set(...bearer(token))
        .send(body),
    patch: (p, token, body = {}) =>
      t.http
        .patch(url(p))
        .set(...bearer(token))
        .send(body),
  };
}

/** Runs the outbox (and, on BullMQ, waits for the worker) until the round has left `closed`. */
export async function untilTallied(t: TestApp, roundId: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    await t.app.get(JobsService).drain();
    const [row] = await t.db.query<{ status: string }[]>(
      `SELECT status FROM award_round WHERE id = $1`,
      [roundId],
    );
    if (row.status !== 'closed') {
      return row.status;
    }
    const [failed] = await t.db.query<{ last_error: string }[]>(
      `SELECT last_error FROM outbox WHERE job_id LIKE $1 AND status = 'failed'`,
      [`tally.${roundId}.%`],
    );
    if (failed) {
      throw new Error(`tally of ${roundId} failed: ${failed.last_error}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`round ${roundId} was not tallied in time`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function countRows(
  t: TestApp,
  table: string,
  where = 'TRUE',
  params: unknown[] = [],
): Promise<number> {
  const [row] = await t.db.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`,
    params,
  );
  return row.n;
}

export const SCORED_CATEGORY = {
  title: 'Campaign of the year',
  method: 'score',
  winners: 1,
  shortListSize: 2,
  nominationsPerMember: 2,
  methodConfig: { aggregate: 'mean', minScores: 2 },
  criteria: [
    { id: 'impact', title: 'Impact', weight: 3, min: 1, max: 10 },
    { id: 'creativity', title: 'Creativity', weight: 2, min: 1, max: 10 },
    { id: 'execution', title: 'Execution', weight: 1, min: 1, max: 10 },
  ],
};

export const RANKED_CATEGORY = {
  title: 'Communicator of the year',
  method: 'borda',
  winners: 1,
  nominationsPerMember: 1,
  selfNominationAllowed: true,
};

export const s3 = (impact: number, creativity: number, execution: number) => ({
  impact,
  creativity,
  execution,
});

export interface JuryEdition {
  admin: Person;
  editionId: string;
  scoredId: string;
  rankedId: string;
  /** Sits on the scored category; declared a conflict with `conflicted`. */
  jA: Person;
  /** Sits on the ranked category only. */
  jB: Person;
  /** Sits on the scored category, no conflicts. */
  jC: Person;
  nominator: Person;
  scoredNominees: string[];
  conflicted: string;
  rejected: string;
  rankedNominees: string[];
  scoredRound: string;
  rankedRound: string;
}

/** An edition in the jury phase with one open round in each of its two categories. */
export async function juryEdition(t: TestApp): Promise<JuryEdition> {
  const http = api(t);
  const admin = await newUser(t, 'admin');
  const A = admin.token;
  const nominator = await newUser(t, 'member', { organisation: 'Nominators Ltd' });
  const jA = await newUser(t, 'jury');
  const jB = await newUser(t, 'jury');
  const jC = await newUser(t, 'jury');
  const program = ok<{ id: string }>(
    await http.post('/programs', A, {
      slug: `p-${randomBytes(4).toString('hex')}`,
      title: 'Award',
    }),
    201,
  );
  const edition = ok<{ id: string }>(
    await http.post(`/programs/${program.id}/editions`, A, { year: 2026, ordinal: '1st' }),
    201,
  );
  const scored = ok<{ id: string }>(
    await http.post(`/editions/${edition.id}/categories`, A, {
      ...SCORED_CATEGORY,
      shortListSize: null,
      nominationsPerMember: 5,
    }),
    201,
  );
  const ranked = ok<{ id: string }>(
    await http.post(`/editions/${edition.id}/categories`, A, {
      ...RANKED_CATEGORY,
      method: 'schulze',
      nominationsPerMember: 5,
    }),
    201,
  );
  ok(await http.post(`/editions/${edition.id}/phase`, A, { phase: 'nominations' }));
  const nominate = async (categoryId: string, nomineeName: string) =>
    ok<{ nomineeId: string }>(
      await http.post(`/categories/${categoryId}/nominations`, nominator.token, { nomineeName }),
      201,
    ).nomineeId;
  const scoredNominees = [
    await nominate(scored.id, 'S1'),
    await nominate(scored.id, 'S2'),
    await nominate(scored.id, 'S3'),
  ];
  const rejected = await nominate(scored.id, 'S-rejected');
  const rankedNominees = [
    await nominate(ranked.id, 'R1'),
    await nominate(ranked.id, 'R2'),
    await nominate(ranked.id, 'R3'),
  ];
  ok(await http.post(`/editions/${edition.id}/phase`, A, { phase: 'screening' }));
  for (const id of [...scoredNominees, ...rankedNominees]) {
    ok(await http.post(`/nominees/${id}/accept`, A));
  }
  ok(await http.post(`/nominees/${rejected}/reject`, A, { reason: 'out of scope' }));
  ok(
    await http.post(`/categories/${scored.id}/jurors`, A, { userId: jA.userId, role: 'chair' }),
    201,
  );
  ok(await http.post(`/categories/${scored.id}/jurors`, A, { userId: jC.userId }), 201);
  ok(
    await http.post(`/categories/${ranked.id}/jurors`, A, { userId: jB.userId, role: 'chair' }),
    201,
  );
  const conflicted = scoredNominees[2];
  ok(
    await http.post(`/jury/categories/${scored.id}/conflicts`, jA.token, {
      nomineeId: conflicted,
      type: 'financial',
    }),
    201,
  );
  ok(await http.post(`/editions/${edition.id}/phase`, A, { phase: 'jury' }));
  const scoredRound = ok<{ id: string }>(
    await http.post(`/categories/${scored.id}/rounds`, A),
    201,
  ).id;
  const rankedRound = ok<{ id: string }>(
    await http.post(`/categories/${ranked.id}/rounds`, A),
    201,
  ).id;
  ok(await http.post(`/rounds/${scoredRound}/open`, A));
  ok(await http.post(`/rounds/${rankedRound}/open`, A));
  return {
    admin,
    editionId: edition.id,
    scoredId: scored.id,
    rankedId: ranked.id,
    jA,
    jB,
    jC,
    nominator,
    scoredNominees,
    conflicted,
    rejected,
    rankedNominees,
    scoredRound,
    rankedRound,
  };
}
