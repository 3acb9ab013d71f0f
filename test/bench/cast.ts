/**
 * Cast benchmark: the real HTTP API (built, started as its own process on local PostgreSQL) driven
 * from this process over loopback, each request a distinct voter casting one ballot, after an
 * uncounted warm-up. Runs a closed loop (autocannon) at 50 and 200 connections and an open loop at
 * a fixed 1,000 ballots/s over 200 connections (paced-load.ts); prints ballots/s, p50/p99 and the
 * CPU each process used per ballot; checks afterwards that stored ballots = participations =
 * accepted receipts with no errors; and measures in the same run the ceiling: PostgreSQL alone on
 * the same tables (pgbench, prepared, 32 clients), for the two-row transaction and for the API's
 * own casting statement.
 *
 *   npm run bench:cast    (BENCH_VOTERS=20000 per run, BENCH_PLANS="50,200,200@1000";
 *                          BENCH_TIMELINE=1 prints each open-loop run's worst latency per second)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { CAST_SECRETLY } from 'src/elections/ballots.repository';
import { ApiProcess, migratedDatabase, PG_SERVER_URL, query as sql, Stack } from '../support/stack';
import { pacedLoad, PacedResult } from './paced-load';

const VOTERS = Number(process.env.BENCH_VOTERS ?? 20000);
const WARM_UP_VOTERS = 3000;

/** CPU seconds (user + system) used so far by the process with this pid, read from /proc. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // the process has gone
  }
}

/** CPU seconds so far of each PostgreSQL server process on this machine, by pid. */
function postgresCpuSeconds(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry)) {
      try {
        if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') {
          byPid.set(Number(entry), cpuSeconds(Number(entry)));
        }
      } catch {
        // gone between listing and reading
      }
    }
  }
  return byPid;
}

/**
 * What the PostgreSQL processes alive at the end used since `before` (a process started meanwhile
 * counts whole); processes that ended meanwhile, such as autovacuum workers, are not counted.
 */
function postgresCpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of postgresCpuSeconds()) {
    total += seconds - (before.get(pid) ?? 0);
  }
  return total;
}

interface CpuPerBallot {
  api: number;
  postgres: number;
  loadGenerator: number;
}

interface RunResult extends RunPlan {
  requests: number;
  ok: number;
  errors: number;
  non2xx: number;
  ballotsPerSecond: number;
  p50: number;
  p99: number;
  stored: { ballots: number; participations: number };
  /** CPU milliseconds per accepted ballot, by process. */
  cpu: CpuPerBallot;
}

/** Each connection sends its next request as soon as the last is answered (autocannon). */
async function closedLoop(
  url: string,
  connections: number,
  total: number,
  requestFor: (i: number) => { headers: Record<string, string>; body: string },
): Promise<PacedResult> {
  let next = 0;
  const result = await autocannon({
    url,
    connections,
    amount: total,
    timeout: 10,
    requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, ...requestFor(next++) }) }],
  });
  return {
    sent: result.requests.sent,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    durationSeconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
  };
}

interface RunPlan {
  connections: number;
  /** Ballots a second, evenly spaced, open loop (paced-load.ts); unset, a closed loop (autocannon). */
  rate?: number;
}

interface PreparedRun {
  plan: RunPlan;
  tokens: string[];
  electionId: string;
  candidateIds: string[];
  /** Warm-up runs are not reported. */
  warmUp: boolean;
}

/** Voters with sessions, an open plurality election with three of them standing, its roll frozen. */
async function prepareRun(
  stack: Stack,
  api: ApiProcess,
  adminToken: string,
  index: number,
  plan: RunPlan,
  voters: number,
  warmUp: boolean,
): Promise<PreparedRun> {
  const minted = await stack.voters(voters, `r${index}c${plan.connections}`);
  const election = await api.ok<{ id: string }>('POST', '/elections', adminToken, {
    office: `Bench run ${index}`,
    method: 'plurality',
    seats: 1,
  });
  const candidateIds: string[] = [];
  for (const { memberId } of minted.slice(0, 3)) {
    candidateIds.push(
      (
        await api.ok<{ id: string }>('POST', `/elections/${election.id}/candidates`, adminToken, {
          memberId,
        })
      ).id,
    );
  }
  await api.ok('POST', `/elections/${election.id}/open`, adminToken, {});
  return {
    plan,
    tokens: minted.map((v) => v.token),
    electionId: election.id,
    candidateIds,
    warmUp,
  };
}

async function runCast(url: string, api: ApiProcess, run: PreparedRun): Promise<RunResult> {
  const { plan, tokens, candidateIds } = run;
  const apiPid = api.service.pid;
  const target = `${api.url}/api/v1/elections/${run.electionId}/ballots`;
  const requestFor = (i: number): { headers: Record<string, string>; body: string } => ({
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${tokens[i % tokens.length]}`,
    },
    body: JSON.stringify({ ballot: { choice: candidateIds[i % candidateIds.length] } }),
  });
  const before = {
    api: cpuSeconds(apiPid),
    postgres: postgresCpuSeconds(),
    self: process.cpuUsage(),
  };
  const load = plan.rate
    ? await pacedLoad({
        url: target,
        rate: plan.rate,
        connections: plan.connections,
        total: tokens.length,
        timeoutMs: 10_000,
        request: requestFor,
      })
    : await closedLoop(target, plan.connections, tokens.length, requestFor);
  if (load.worstPerSecond && !run.warmUp) {
    process.stdout.write(
      `${plan.connections} connections at ${plan.rate}/s: p99 ${load.p99} ms over the run, ${load.p99AfterFirstSecond} ms without its first second\n`,
    );
    if (process.env.BENCH_TIMELINE) {
      process.stdout.write(`worst latency per second, ms: ${load.worstPerSecond.join(' ')}\n`);
    }
  }
  const self = process.cpuUsage(before.self);
  const used = {
    api: cpuSeconds(apiPid) - before.api,
    postgres: postgresCpuSince(before.postgres),
    loadGenerator: (self.user + self.system) / 1e6,
  };
  const [stored] = await sql<{ ballots: string; participations: string }>(
    url,
    `SELECT (SELECT count(*) FROM ballot WHERE election_id = $1) AS ballots,
            (SELECT count(*) FROM participation WHERE election_id = $1) AS participations`,
    [run.electionId],
  );
  const ok = load.ok;
  const perBallot = (seconds: number): number =>
    Math.round((100 * 1000 * seconds) / Math.max(ok, 1)) / 100;
  return {
    ...plan,
    requests: load.sent,
    ok,
    errors: load.errors,
    non2xx: load.non2xx,
    ballotsPerSecond: Math.round(ok / (load.durationSeconds || 1)),
    p50: load.p50,
    p99: load.p99,
    stored: { ballots: Number(stored.ballots), participations: Number(stored.participations) },
    cpu: {
      api: perBallot(used.api),
      postgres: perBallot(used.postgres),
      loadGenerator: perBallot(used.loadGenerator),
    },
  };
}

const CEILING_CLIENTS = 32;
const CEILING_TX_PER_CLIENT = 1500;
const CEILING_ELECTIONS = {
  twoRow: '00000000-0000-4000-8000-0000000000c1',
  statement: '00000000-0000-4000-8000-0000000000c2',
};

/** The uuid of ceiling voter (member and user alike) number `n`, as SQL. */
const ceilingId = (n: string, group: string): string =>
  `('00000000-0000-4000-${group}-' || lpad(to_hex(${n}::int), 12, '0'))::uuid`;

/**
 * Two open elections on the real tables (keys, foreign keys, indexes and triggers as migrated) and,
 * for each pgbench client, its own voters: members, users with a live session, and roll entries,
 * numbered so that client
 * c's transaction i uses voter c * CEILING_TX_PER_CLIENT + i.
 */
async function prepareCeiling(url: string): Promise<void> {
  const voters = (CEILING_CLIENTS + 1) * CEILING_TX_PER_CLIENT;
  await sql(
    url,
    `INSERT INTO election (id, office, method, threshold_rule, tie_break_seed, status)
     VALUES ($1, 'Ceiling, two-row transaction', 'plurality', '{"kind":"plurality"}', 'ceiling', 'open'),
            ($2, 'Ceiling, casting statement', 'plurality', '{"kind":"plurality"}', 'ceiling', 'open')`,
    [CEILING_ELECTIONS.twoRow, CEILING_ELECTIONS.statement],
  );
  await sql(
    url,
    `INSERT INTO member (id, member_number, kind, name, status)
     SELECT ${ceilingId('i', '8000')}, 'ceiling-' || i, 'individual', 'Ceiling ' || i, 'active' FROM generate_series(1, $1) AS i`,
    [voters],
  );
  await sql(
    url,
    `INSERT INTO app_user (id, email, display_name, password_hash, role)
     SELECT ${ceilingId('i', '9000')}, 'ceiling-' || i || '@bench.local', 'Ceiling ' || i, 'not-used', 'member' FROM generate_series(1, $1) AS i`,
    [voters],
  );
  await sql(
    url,
    `INSERT INTO auth_session (id, user_id, refresh_token_hash, expires_at)
     SELECT ${ceilingId('i', 'a000')}, ${ceilingId('i', '9000')}, md5(i::text) || md5(i::text), now() + interval '1 day'
     FROM generate_series(1, $1) AS i`,
    [voters],
  );
  await sql(
    url,
    `INSERT INTO voter_roll_entry (election_id, member_id, voter_user_id)
     SELECT $2, ${ceilingId('i', '8000')}, ${ceilingId('i', '9000')} FROM generate_series(1, $1) AS i`,
    [voters, CEILING_ELECTIONS.statement],
  );
  await sql(url, 'VACUUM ANALYZE');
}

/** pgbench, prepared protocol, 32 clients, a fixed number of transactions each; transactions a second. */
function pgbench(url: string, name: string, body: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cast-'));
  const script = join(dir, `${name}.sql`);
  writeFileSync(
    script,
    `\\set i :i + 1\n\\set v :client_id * ${CEILING_TX_PER_CLIENT} + :i\n${body}\n`,
  );
  const out = execFileSync(
    'pgbench',
    [
      '-n',
      '-M',
      'prepared',
      '-c',
      String(CEILING_CLIENTS),
      '-j',
      '2',
      '-t',
      String(CEILING_TX_PER_CLIENT),
      '-D',
      'i=0',
      '-f',
      script,
      url,
    ],
    { encoding: 'utf8' },
  );
  if (!/number of failed transactions: 0 /.test(out)) {
    throw new Error(`pgbench ${name} had failed transactions:\n${out}`);
  }
  const match = /tps = ([\d.]+)/.exec(out);
  return match ? Math.round(Number(match[1])) : 0;
}

interface Ceiling {
  twoRow: number;
  statement: number;
  best: number;
}

/**
 * What PostgreSQL alone does, no HTTP, on the same tables: (1) the two-row transaction, BEGIN, insert
 * the participation, insert the ballot, COMMIT; (2) the casting statement the API sends (session
 * check, share lock, roll check and both inserts), its text taken from the repository. The higher is the ceiling.
 */
async function measureCeiling(url: string): Promise<Ceiling> {
  await prepareCeiling(url);
  const receipt = `md5(random()::text) || md5(random()::text)`;
  // A sealed plurality ballot is about 150 bytes (the ballot, the nonce and the box's 48).
  const sealed = `decode(repeat('5a', 150), 'hex')`;
  const twoRow = pgbench(
    url,
    'two-row',
    `BEGIN;
INSERT INTO participation (election_id, member_id) VALUES ('${CEILING_ELECTIONS.twoRow}', ${ceilingId(':v', '8000')});
INSERT INTO ballot (id, election_id, sealed, weight, receipt)
  VALUES (gen_random_uuid(), '${CEILING_ELECTIONS.twoRow}', ${sealed}, 1, ${receipt});
COMMIT;`,
  );
  const statement = pgbench(
    url,
    'statement',
    `${CAST_SECRETLY.text
      .replaceAll('$1', `'${CEILING_ELECTIONS.statement}'::uuid`)
      .replaceAll('$2', 'NULL')
      .replaceAll('$3', ceilingId(':v', '9000'))
      .replaceAll('$4', 'gen_random_uuid()')
      .replaceAll('$5', sealed)
      .replaceAll('$6', receipt)
      .replaceAll('$7', ceilingId(':v', 'a000'))
      .replaceAll('$8', '0')};`,
  );
  const [stored] = await sql<{ twoRow: string; statement: string }>(
    url,
    `SELECT (SELECT count(*) FROM participation WHERE election_id = $1) AS "twoRow",
            (SELECT count(*) FROM ballot WHERE election_id = $2) AS statement`,
    [CEILING_ELECTIONS.twoRow, CEILING_ELECTIONS.statement],
  );
  const expected = CEILING_CLIENTS * CEILING_TX_PER_CLIENT;
  if (Number(stored.twoRow) !== expected || Number(stored.statement) !== expected) {
    throw new Error(
      `ceiling runs stored ${stored.twoRow} and ${stored.statement} rows, expected ${expected} each`,
    );
  }
  return { twoRow, statement, best: Math.max(twoRow, statement) };
}

/** BENCH_PLANS, e.g. "50,200,200@1000": connections, and after @ a fixed offered rate in ballots/s. */
const PLANS: RunPlan[] = (process.env.BENCH_PLANS ?? '50,200,200@1000').split(',').map((plan) => {
  const [connections, rate] = plan.split('@').map(Number);
  return rate ? { connections, rate } : { connections };
});

async function main(): Promise<void> {
  const database = await migratedDatabase(PG_SERVER_URL, 'bench_cast');
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of the API process there.
  const profile: Record<string, string> = process.env.BENCH_PROFILE
    ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_PROFILE}` }
    : {};
  const stack = new Stack({ databaseUrl: database.url });
  try {
    const api = await stack.api({
      DB_POOL_SIZE: '40',
      // Every bench voter casts from 127.0.0.1: the per-address limit is meant for real NATs.
      CAST_LIMIT_PER_IP: '10000000',
      ...profile,
    });
    const adminToken = await api.login(stack.admin);
    // Every run's voters, sessions, elections and frozen rolls are written first, as a real roll
    // is long before voting; then vacuum, analyse and a checkpoint, so that no run measures the disk
    // flushing the set-up. The warm-up runs (both kinds of load, not reported) come next: the first
    // seconds after a checkpoint, when every page first touched is written whole to the WAL, and
    // before V8 has optimised the path, fall in them.
    const warmUps: RunPlan[] = [{ connections: 50 }, { connections: 200, rate: 1000 }];
    const prepared: PreparedRun[] = [];
    for (const [index, plan] of [...warmUps, ...PLANS].entries()) {
      const warmUp = index < warmUps.length;
      prepared.push(
        await prepareRun(
          stack,
          api,
          adminToken,
          index,
          plan,
          warmUp ? WARM_UP_VOTERS : VOTERS,
          warmUp,
        ),
      );
    }
    const url = database.url;
    await sql(url, 'VACUUM ANALYZE');
    await sql(url, 'CHECKPOINT');
    const runs: RunResult[] = [];
    for (const run of prepared) {
      const result = await runCast(url, api, run);
      if (!run.warmUp) {
        runs.push(result);
      }
    }
    const ceiling = await measureCeiling(url);
    const lines = [
      `cast benchmark: ${VOTERS} distinct voters per run, node ${process.version}, ${cpus().length} cores`,
      '',
      '| connections | offered | ballots/s | p50 ms | p99 ms | 2xx | non-2xx | errors | stored ballots | stored participations | % of ceiling | CPU ms per ballot: API / PostgreSQL / load generator |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...runs.map(
        (r) =>
          `| ${r.connections} | ${r.rate ? `${r.rate}/s` : 'as fast as answered'} | ${r.ballotsPerSecond} | ${r.p50} | ${r.p99} | ${r.ok} | ${r.non2xx} | ${r.errors} | ${r.stored.ballots} | ${r.stored.participations} | ${Math.round((100 * r.ballotsPerSecond) / Math.max(ceiling.best, 1))}% | ${r.cpu.api} / ${r.cpu.postgres} / ${r.cpu.loadGenerator} |`,
      ),
      '',
      `ceiling (pgbench, prepared, ${CEILING_CLIENTS} clients, no HTTP, same tables): ${ceiling.best} tx/s` +
        ` (two-row transaction ${ceiling.twoRow}/s, the API's casting statement ${ceiling.statement}/s)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const consistent = runs.every(
      (r) =>
        r.ok > 0 &&
        r.non2xx === 0 &&
        r.errors === 0 &&
        r.stored.ballots === r.ok &&
        r.stored.participations === r.ok,
    );
    process.stdout.write(
      consistent
        ? 'no errors; counts: accepted receipts = ballots = participations\n'
        : 'ERRORS OR COUNTS DIFFER\n',
    );
    process.exitCode = consistent ? 0 : 1;
    // SIGTERM, so that a CPU profile is written.
    await api.service.stop();
  } finally {
    await stack.destroy();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
