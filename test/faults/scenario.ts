import { randomBytes } from 'node:crypto';
import { canonicalJson, sha256Hex } from 'src/common/canonical-json';
import { sealBallot } from 'src/elections/ballot-sealing';
import { createTestDatabase, TestDatabase } from '../support/database';
import { ApiProcess, MintedVoter, query, RedisServer, Stack, waitFor } from '../support/stack';

/** The relay period of the fault tier. */
export const RELAY_MS = 500;
/** /health's own timeout per check (health.controller.ts). */
export const HEALTH_TIMEOUT_MS = 2000;

/**
 * What every fault test builds on: a fresh database cloned from the run's template, a Redis of its
 * own, a production-mode stack around them, and helpers that read the stored state afterwards.
 */
export interface Scene {
  database: TestDatabase;
  redis: RedisServer;
  stack: Stack;
  end(): Promise<void>;
}

export async function scene(env: Record<string, string> = {}): Promise<Scene> {
  const database = await createTestDatabase();
  const redis = await RedisServer.start();
  const stack = new Stack({
    databaseUrl: database.url,
    redisUrl: redis.url,
    env: {
      // Short periods so recoveries are observable within a test.
      OUTBOX_RELAY_INTERVAL_MS: String(RELAY_MS),
      SCHEDULE_SWEEP_INTERVAL_MS: '500',
      QUEUE_STALLED_INTERVAL_MS: '2000',
      REDIS_CONNECT_TIMEOUT_MS: '500',
      DB_POOL_SIZE: '10',
      ...env,
    },
  });
  return {
    database,
    redis,
    stack,
    async end() {
      await stack.destroy();
      await redis.destroy();
      await database.drop();
    },
  };
}

export interface OpenElection {
  id: string;
  candidateIds: string[];
}

/** An open election with `candidates` candidates; the roll is frozen from the members present now. */
export async function openElection(
  api: ApiProcess,
  adminToken: string,
  databaseUrl: string,
  body: Record<string, unknown>,
  candidates: number,
): Promise<OpenElection> {
  const election = await api.ok<{ id: string }>('POST', '/elections', adminToken, body);
  const tag = randomBytes(3).toString('hex');
  const members = await query<{ id: string }>(
    databaseUrl,
    `INSERT INTO member (member_number, kind, name, status, dues_paid_until)
     SELECT 'cand-${tag}-' || i, 'individual', 'Candidate ' || i, 'active', '2099-12-31'
     FROM generate_series(1, $1) AS i RETURNING id`,
    [candidates],
  );
  const candidateIds: string[] = [];
  for (const m of members) {
    const c = await api.ok<{ id: string }>(
      'POST',
      `/elections/${election.id}/candidates`,
      adminToken,
      {
        memberId: m.id,
      },
    );
    candidateIds.push(c.id);
  }
  await api.ok('POST', `/elections/${election.id}/open`, adminToken);
  return { id: election.id, candidateIds };
}

export interface CastOutcome {
  status: number;
  receipt?: string;
  error?: string;
}

/** Casts one ballot; a dropped connection or a timeout is an outcome too, not a thrown error. */
export async function castOne(
  api: ApiProcess,
  electionId: string,
  voter: MintedVoter,
  ballot: Record<string, unknown>,
  idempotencyKey?: string,
  timeoutMs = 15_000,
): Promise<CastOutcome> {
  try {
    const reply = await api.call<{ receipt?: string }>(
      'POST',
      `/elections/${electionId}/ballots`,
      voter.token,
      { ballot },
      idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
      timeoutMs,
    );
    return { status: reply.status, receipt: reply.body.receipt };
  } catch (error) {
    return {
      status: 0,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

/** Runs `work` over `items` with at most `concurrency` in flight; keeps every result in order. */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

export interface Stored {
  ballots: number;
  participations: number;
  receipts: Set<string>;
}

export async function stored(databaseUrl: string, electionId: string): Promise<Stored> {
  const [counts] = await query<{ participations: number }>(
    databaseUrl,
    `SELECT count(*)::int AS participations FROM participation WHERE election_id = $1`,
    [electionId],
  );
  const rows = await query<{ receipt: string }>(
    databaseUrl,
    `SELECT receipt FROM ballot WHERE election_id = $1`,
    [electionId],
  );
  return {
    ballots: rows.length,
    participations: counts.participations,
    receipts: new Set(rows.map((r) => r.receipt)),
  };
}

export interface StoredRun {
  id: string;
  input_digest: string;
  output_digest: string;
  ballot_count: number;
  merkle_root: string | null;
}

export async function tallyRuns(databaseUrl: string, electionId: string): Promise<StoredRun[]> {
  return query<StoredRun>(
    databaseUrl,
    `SELECT id, input_digest, output_digest, ballot_count, merkle_root FROM tally_run WHERE contest_id = $1`,
    [electionId],
  );
}

export async function electionStatus(databaseUrl: string, electionId: string): Promise<string> {
  const [row] = await query<{ status: string }>(
    databaseUrl,
    `SELECT status FROM election WHERE id = $1`,
    [electionId],
  );
  return row.status;
}

/** Waits until the election is tallied and returns its one run. */
export async function tallied(
  databaseUrl: string,
  electionId: string,
  timeoutMs: number,
): Promise<StoredRun> {
  await waitFor(
    `election ${electionId} to be tallied`,
    async () => (await electionStatus(databaseUrl, electionId)) === 'tallied',
    timeoutMs,
    100,
  );
  const runs = await tallyRuns(databaseUrl, electionId);
  if (runs.length !== 1) {
    throw new Error(`expected one tally run, found ${runs.length}`);
  }
  return runs[0];
}

/**
 * Ballots and participations written straight into the database for a large contest: every member
 * on the roll gets one participation and one random ranked ballot (1 to 8 preferences), sealed to
 * the election's key with a matching receipt, as a cast would store them. For tests about the
 * tally, not about casting.
 */
export async function fillRankedBallots(
  databaseUrl: string,
  electionId: string,
  candidateIds: readonly string[],
): Promise<number> {
  const [{ ballot_public_key: publicKey }] = await query<{ ballot_public_key: Buffer }>(
    databaseUrl,
    `SELECT ballot_public_key FROM election WHERE id = $1`,
    [electionId],
  );
  const roll = await query<{ member_id: string }>(
    databaseUrl,
    `SELECT member_id FROM voter_roll_entry WHERE election_id = $1 AND removed_at IS NULL`,
    [electionId],
  );
  const sealed: Buffer[] = [];
  const receipts: string[] = [];
  for (let i = 0; i < roll.length; i++) {
    const pick = [...candidateIds]
      .sort(() => Math.random() - 0.5)
      .slice(0, 1 + Math.floor(Math.random() * 8));
    const ballot = { ranking: pick.map((c) => [c]) };
    const nonce = randomBytes(32).toString('hex');
    sealed.push(sealBallot({ ballot, nonce }, publicKey));
    receipts.push(sha256Hex(canonicalJson({ electionId, ballot, nonce })));
  }
  let count = 0;
  for (let start = 0; start < roll.length; start += 5000) {
    const [row] = await query<{ count: number }>(
      databaseUrl,
      `WITH ballots AS (
         INSERT INTO ballot (id, election_id, sealed, weight, receipt)
         SELECT gen_random_uuid(), $1, s, 1, r FROM unnest($2::bytea[], $3::text[]) AS t(s, r) RETURNING 1
       ), took_part AS (
         INSERT INTO participation (election_id, member_id) SELECT $1, m FROM unnest($4::uuid[]) AS m RETURNING 1
       )
       SELECT (SELECT count(*)::int FROM ballots) AS count, (SELECT count(*) FROM took_part) AS p`,
      [
        electionId,
        sealed.slice(start, start + 5000),
        receipts.slice(start, start + 5000),
        roll.slice(start, start + 5000).map((r) => r.member_id),
      ],
    );
    count += row.count;
  }
  return count;
}

export interface TallyJob {
  status: string;
  leased: boolean;
  last_error: string | null;
}

/** The outbox row of an election's tally job; `leased` while a relay holds it. */
export async function tallyJob(
  databaseUrl: string,
  electionId: string,
): Promise<TallyJob | undefined> {
  const [row] = await query<TallyJob>(
    databaseUrl,
    `SELECT status, available_at > now() AS leased, last_error FROM outbox
     WHERE job_name = 'tallying.tally' AND payload->>'contestId' = $1`,
    [electionId],
  );
  return row;
}

export interface Health {
  status: number;
  ms: number;
  queue: Record<string, unknown>;
}

/** GET /health, timed; gives up after 10 s (a hung health check was the fault). */
export async function health(api: ApiProcess): Promise<Health> {
  const started = Date.now();
  const res = await fetch(`${api.url}/health`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { details?: { queue?: Record<string, unknown> } };
  return { status: res.status, ms: Date.now() - started, queue: body.details?.queue ?? {} };
}
