import { randomBytes } from 'node:crypto';
import { AuthService } from 'src/auth/auth.service';
import { UsersRepository } from 'src/auth/users.repository';
import { BallotKeyService } from 'src/elections/ballot-key.service';
import { openBallot, unwrapSecret } from 'src/elections/ballot-sealing';
import { JobsService } from 'src/jobs/jobs.service';
import type { TestApp } from '../support/test-app';

/** Factories for the election tests: members with logins, candidates, elections. */

export interface Voter {
  userId: string;
  memberId: string;
  token: string;
}

export interface MemberOptions {
  status?: 'active' | 'suspended' | 'lapsed';
  duesPaidUntil?: string | null;
  voteWeight?: number;
  name?: string;
}

let sequence = 0;
const tag = randomBytes(3).toString('hex');

function nextNumber(): string {
  sequence += 1;
  return `T${tag}-${String(sequence).padStart(5, '0')}`;
}

export const PAID = '2099-12-31';

/** Members without a login (e.g. candidates). */
export async function newMembers(
  t: TestApp,
  n: number,
  options: MemberOptions = {},
): Promise<{ id: string; name: string }[]> {
  const out: { id: string; name: string }[] = [];
  for (let i = 0; i < n; i++) {
    const number = nextNumber();
    const name = options.name ?? `Member ${number}`;
    const [row] = await t.db.query<{ id: string }[]>(
      `INSERT INTO member (member_number, kind, name, status, dues_paid_until, vote_weight)
       VALUES ($1, 'individual', $2, $3, $4, $5) RETURNING id`,
      [
        number,
        name,
        options.status ?? 'active',
        options.duesPaidUntil === undefined ? PAID : options.duesPaidUntil,
        options.voteWeight ?? 1,
      ],
    );
    out.push({ id: row.id, name });
  }
  return out;
}

/**
 * Members who can log in, with a bearer token each. Users are inserted directly (no password
 * hashing) and logged in through the real session code, so hundreds take a second or two.
 */
export async function newVoters(
  t: TestApp,
  n: number,
  options: MemberOptions = {},
): Promise<Voter[]> {
  const auth = t.app.get(AuthService);
  const users = t.app.get(UsersRepository);
  const voters: Voter[] = [];
  for (let i = 0; i < n; i++) {
    const number = nextNumber();
    const [user] = await t.db.query<{ id: string }[]>(
      `INSERT INTO app_user (email, display_name, password_hash, role) VALUES ($1, $2, 'x', 'member') RETURNING id`,
      [`${number.toLowerCase()}@example.org`, `Voter ${number}`],
    );
    const [member] = await t.db.query<{ id: string }[]>(
      `INSERT INTO member (member_number, kind, name, status, dues_paid_until, vote_weight, user_id)
       VALUES ($1, 'individual', $2, $3, $4, $5, $6) RETURNING id`,
      [
        number,
        options.name ?? `Voter ${number}`,
        options.status ?? 'active',
        options.duesPaidUntil === undefined ? PAID : options.duesPaidUntil,
        options.voteWeight ?? 1,
        user.id,
      ],
    );
    const tokens = await auth.login((await users.findById(user.id))!, '127.0.0.1');
    voters.push({ userId: user.id, memberId: member.id, token: tokens.accessToken });
  }
  return voters;
}

export const bearer = (token: string): [string, string] => ['authorization', `Bearer ${token}`];

export interface ElectionSetup {
  id: string;
  candidates: { id: string; name: string; memberId: string }[];
  tieBreakSeed: string;
}

/** Creates an election with `candidateNames.length` candidates, still in draft. */
export async function draftElection(
  t: TestApp,
  adminToken: string,
  body: Record<string, unknown>,
  candidateNames: string[],
): Promise<ElectionSetup> {
  const created = await t.http
    .post('/api/v1/elections')
    .set(...bearer(adminToken))
    .send(body);
  if (created.status !== 201) {
    throw new Error(`election create failed: ${created.status} ${JSON.stringify(created.body)}`);
  }
  const id = (created.body as { id: string }).id;
  const candidates: ElectionSetup['candidates'] = [];
  for (const name of candidateNames) {
    const [member] = await newMembers(t, 1, { name });
    const res = await t.http
      .post(`/api/v1/elections/${id}/candidates`)
      .set(...bearer(adminToken))
      .send({ memberId: member.id });
    if (res.status !== 201) {
      throw new Error(`candidate add failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
    candidates.push({ id: (res.body as { id: string }).id, name, memberId: member.id });
  }
  return { id, candidates, tieBreakSeed: (created.body as { tieBreakSeed: string }).tieBreakSeed };
}

export async function openElection(t: TestApp, adminToken: string, id: string): Promise<void> {
  const res = await t.http.post(`/api/v1/elections/${id}/open`).set(...bearer(adminToken));
  if (res.status !== 200) {
    throw new Error(`open failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** Closes through the API and runs the outbox relay until the tally job is done. */
export async function closeAndTally(t: TestApp, adminToken: string, id: string): Promise<void> {
  const res = await t.http.post(`/api/v1/elections/${id}/close`).set(...bearer(adminToken));
  if (res.status !== 200) {
    throw new Error(`close failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  await t.app.get(JobsService).drain();
}

export async function cast(
  t: TestApp,
  voter: Voter,
  electionId: string,
  ballot: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return t.http
    .post(`/api/v1/elections/${electionId}/ballots`)
    .set(...bearer(voter.token))
    .send({ ballot, ...extra });
}

export async function rowCounts(
  t: TestApp,
  electionId: string,
): Promise<{ ballots: number; participations: number }> {
  const [row] = await t.db.query<{ ballots: number; participations: number }[]>(
    `SELECT (SELECT count(*)::int FROM ballot WHERE election_id = $1) AS ballots,
            (SELECT count(*)::int FROM participation WHERE election_id = $1) AS participations`,
    [electionId],
  );
  return row;
}

/**
 * The ballots of a custodial election opened as its custodian could before certification (the
 * election key unwrapped with the server key), for tests that check what a ballot holds.
 */
export async function openedBallots(
  t: TestApp,
  electionId: string,
): Promise<{ content: Record<string, unknown>; weight: number; receipt: string }[]> {
  const [election] = await t.db.query<{ ballot_public_key: Buffer; wrapped_ballot_key: Buffer }[]>(
    `SELECT ballot_public_key, wrapped_ballot_key FROM election WHERE id = $1`,
    [electionId],
  );
  const secretKey = unwrapSecret(
    election.wrapped_ballot_key,
    t.app.get(BallotKeyService).serverKey(),
    'election-key',
    electionId,
  )!;
  const rows = await t.db.query<{ sealed: Buffer; weight: number; receipt: string }[]>(
    `SELECT sealed, weight, receipt FROM ballot WHERE election_id = $1 ORDER BY receipt`,
    [electionId],
  );
  return rows.map((r) => ({
    content: openBallot(r.sealed, { publicKey: election.ballot_public_key, secretKey })!.ballot,
    weight: r.weight,
    receipt: r.receipt,
  }));
}
