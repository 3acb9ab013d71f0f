/**
 * Spike (TRUST 38): the final hour of an online election, ten times over, for 60 s, with every
 * voter behind one IP address (an office behind NAT; here all requests come from loopback), against
 * the app's default rate limits: nothing about limits is set for the API process.
 *
 * The expected final-hour rate comes from the association's size:
 *   ballots        B = members × turnout                                  2,000 × 0.60 = 1,200
 *   hours          a window of W hours; the final hour is R = 1.37 × the hour before it (Estonia's
 *                  i-voting peak, TRUST 38) and the hours before it are even, so
 *                  B = h × (W − 1) + R × h, hence h = B / (W − 1 + R)      1,200 / 2.37 = 506.3
 *   final hour     F = R × h                                               1.37 × 506.3 = 693.7 ballots
 *   expected rate  F / 3600 s                                              0.193 ballots/s
 *   spike          headroom × expected rate, for 60 s                      10 × 0.193 = 1.93 ballots/s, ~116 voters
 *
 * Arrivals are a Poisson process at the spike rate (seeded, so runs compare), open-loop: each voter
 * casts once, at their own moment, with an Idempotency-Key as a real client sends. Some voters whose
 * attempt fails (no reply, 429 or 5xx) retry once with the same key (after Retry-After when given),
 * and a few resend after a success, as a client whose reply was lost would; a resend must get the
 * same receipt and store nothing new.
 *
 *   npm run bench:spike
 *     SPIKE_MEMBERS=2000  SPIKE_TURNOUT=0.6  SPIKE_WINDOW_HOURS=2  SPIKE_FINAL_HOUR_RATIO=1.37
 *     SPIKE_HEADROOM=10   SPIKE_SECONDS=60   SPIKE_RETRY_SHARE=0.5  SPIKE_RESEND_SHARE=0.05  SPIKE_SEED=38
 *     BENCH_PG_SERVER     maintenance URL of the PostgreSQL server (local 5432 by default)
 *
 * Exits non-zero on any 5xx, more than 1 % of requests answered 429, a request with no reply or an
 * unexpected status, a resend that got another receipt, or stored counts that differ from the
 * accepted receipts.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { openElection } from '../faults/scenario';
import { migratedDatabase, MintedVoter, PG_SERVER_URL, query, RedisServer, sleep, Stack } from '../support/stack';

const MEMBERS = Number(process.env.SPIKE_MEMBERS ?? 2000);
const TURNOUT = Number(process.env.SPIKE_TURNOUT ?? 0.6);
const WINDOW_HOURS = Number(process.env.SPIKE_WINDOW_HOURS ?? 2);
const FINAL_HOUR_RATIO = Number(process.env.SPIKE_FINAL_HOUR_RATIO ?? 1.37);
const HEADROOM = Number(process.env.SPIKE_HEADROOM ?? 10);
const SECONDS = Number(process.env.SPIKE_SECONDS ?? 60);
const RETRY_SHARE = Number(process.env.SPIKE_RETRY_SHARE ?? 0.5);
const RESEND_SHARE = Number(process.env.SPIKE_RESEND_SHARE ?? 0.05);
const SEED = Number(process.env.SPIKE_SEED ?? 38);
const REQUEST_TIMEOUT_MS = 15_000;
const MAX_429_SHARE = 0.01;

type AttemptKind = 'first' | 'retry' | 'resend';

interface Attempt {
  kind: AttemptKind;
  status: number;
  ms: number;
  receipt?: string;
  retryAfter?: string;
  error?: string;
}

interface Voter {
  minted: MintedVoter;
  at: number;
  key: string;
  retries: boolean;
  resends: boolean;
  attempts: Attempt[];
}

/** mulberry32: a small seeded generator, so a run's arrivals and choices can be repeated. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const failed = (status: number): boolean => status === 0 || status === 429 || status >= 500;

async function main(): Promise<void> {
  const ballots = MEMBERS * TURNOUT;
  const hour = ballots / (WINDOW_HOURS - 1 + FINAL_HOUR_RATIO);
  const finalHour = FINAL_HOUR_RATIO * hour;
  const expectedRate = finalHour / 3600;
  const targetRate = HEADROOM * expectedRate;
  const random = seeded(SEED);
  const arrivals: number[] = [];
  for (
    let t = -Math.log(1 - random()) / targetRate;
    t < SECONDS;
    t += -Math.log(1 - random()) / targetRate
  ) {
    arrivals.push(t * 1000);
  }
  process.stdout.write(
    [
      `spike: ${MEMBERS} members × ${TURNOUT} turnout = ${Math.round(ballots)} ballots over ${WINDOW_HOURS} h; ` +
        `final hour ${FINAL_HOUR_RATIO} × the one before: h = ${Math.round(ballots)} / ${(WINDOW_HOURS - 1 + FINAL_HOUR_RATIO).toFixed(2)} = ${hour.toFixed(1)}, ` +
        `final hour ${finalHour.toFixed(1)} ballots = ${expectedRate.toFixed(3)} ballots/s`,
      `target: ${HEADROOM} × ${expectedRate.toFixed(3)} = ${targetRate.toFixed(2)} ballots/s for ${SECONDS} s ` +
        `(Poisson arrivals, seed ${SEED}: ${arrivals.length} voters), all from one IP; node ${process.version}, ${cpus().length} cores`,
    ].join('\n') + '\n',
  );

  const database = await migratedDatabase(PG_SERVER_URL, 'bench_spike');
  const redis = await RedisServer.start();
  const stack = new Stack({ databaseUrl: database.url, redisUrl: redis.url });
  try {
    const limits = Object.keys(stack.env()).filter((k) => /LIMIT|THROTTL/i.test(k));
    process.stdout.write(
      `rate-limit settings given to the API: ${limits.length === 0 ? 'none (the defaults)' : limits.join(', ')}\n`,
    );
    const api = await stack.api();
    const admin = await api.login(stack.admin);
    const minted = await stack.voters(arrivals.length);
    const election = await openElection(
      api,
      admin,
      database.url,
      { office: 'President', method: 'plurality', seats: 1 },
      3,
    );
    const voters: Voter[] = arrivals.map((at, i) => ({
      minted: minted[i],
      at,
      key: randomBytes(16).toString('hex'),
      retries: random() < RETRY_SHARE,
      resends: random() < RESEND_SHARE,
      attempts: [],
    }));

    const attempt = async (
      v: Voter,
      kind: AttemptKind,
      ballot: Record<string, unknown>,
    ): Promise<Attempt> => {
      const started = performance.now();
      let result: Attempt;
      try {
        const res = await fetch(`${api.url}/api/v1/elections/${election.id}/ballots`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${v.minted.token}`,
            'idempotency-key': v.key,
          },
          body: JSON.stringify({ ballot }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await res.text();
        result = {
          kind,
          status: res.status,
          ms: performance.now() - started,
          receipt:
            res.status === 201 ? (JSON.parse(text) as { receipt: string }).receipt : undefined,
          retryAfter: res.headers.get('retry-after') ?? undefined,
          error: res.status === 201 ? undefined : text.slice(0, 200),
        };
      } catch (error) {
        result = {
          kind,
          status: 0,
          ms: performance.now() - started,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        };
      }
      v.attempts.push(result);
      return result;
    };

    const vote = async (v: Voter, choice: string): Promise<void> => {
      const ballot = { choice };
      const first = await attempt(v, 'first', ballot);
      if (failed(first.status) && v.retries) {
        const after = Number(first.retryAfter);
        await sleep(
          Number.isFinite(after) && after > 0
            ? Math.min(after, 30) * 1000
            : 1000 + 2000 * Math.random(),
        );
        await attempt(v, 'retry', ballot);
      } else if (first.status === 201 && v.resends) {
        await sleep(200);
        await attempt(v, 'resend', ballot);
      }
    };

    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const running: Promise<void>[] = [];
    for (const [i, v] of voters.entries()) {
      const wait = started + v.at - performance.now();
      if (wait > 1) {
        await sleep(wait);
      }
      running.push(vote(v, election.candidateIds[i % election.candidateIds.length]));
    }
    await Promise.all(running);
    const cpu = process.cpuUsage(cpuBefore);
    const wallMs = performance.now() - started;

    const all = voters.flatMap((v) => v.attempts);
    const firsts = all.filter((a) => a.kind === 'first');
    const histogram = new Map<string, number>();
    for (const a of all) {
      const key = `${a.status || 'no reply'} (${a.kind})`;
      histogram.set(key, (histogram.get(key) ?? 0) + 1);
    }
    const latencies = all.map((a) => a.ms).sort((a, b) => a - b);
    const count = (p: (a: Attempt) => boolean): number => all.filter(p).length;
    const limited = count((a) => a.status === 429);
    const serverErrors = count((a) => a.status >= 500);
    const noReply = count((a) => a.status === 0);
    const unexpected = all.filter(
      (a) => a.status !== 0 && a.status !== 201 && a.status !== 429 && a.status < 500,
    );
    const accepted = voters.filter((v) => v.attempts.some((a) => a.status === 201));
    const receiptsOf = (v: Voter): Set<string> =>
      new Set(v.attempts.filter((a) => a.receipt).map((a) => a.receipt!));
    const changedReceipt = accepted.filter((v) => receiptsOf(v).size !== 1);
    const receipts = accepted.map((v) => [...receiptsOf(v)][0]);
    const [stored] = await query<{ ballots: number; participations: number; matched: number }>(
      database.url,
      `SELECT (SELECT count(*)::int FROM ballot WHERE election_id = $1) AS ballots,
              (SELECT count(*)::int FROM participation WHERE election_id = $1) AS participations,
              (SELECT count(*)::int FROM ballot WHERE election_id = $1 AND receipt = ANY($2)) AS matched`,
      [election.id, receipts],
    );
    const consistent =
      stored.ballots === accepted.length &&
      stored.participations === accepted.length &&
      stored.matched === accepted.length;
    const share429 = limited / Math.max(all.length, 1);

    const lines = [
      '',
      '| target ballots/s | achieved starts/s | accepted/s | voters | requests | p50 ms | p99 ms | max ms | 429 share | 5xx | no reply |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      `| ${targetRate.toFixed(2)} | ${(firsts.length / SECONDS).toFixed(2)} | ${(accepted.length / SECONDS).toFixed(2)} | ${voters.length} | ${all.length} | ` +
        `${Math.round(percentile(latencies, 50))} | ${Math.round(percentile(latencies, 99))} | ${Math.round(latencies[latencies.length - 1] ?? 0)} | ` +
        `${(100 * share429).toFixed(2)} % | ${serverErrors} | ${noReply} |`,
      '',
      'status codes (attempt kind):',
      ...[...histogram.entries()].sort().map(([k, n]) => `  ${k}: ${n}`),
      ...unexpected.slice(0, 5).map((a) => `  unexpected ${a.status}: ${a.error ?? ''}`),
      ...all
        .filter((a) => a.status === 0 || a.status >= 500)
        .slice(0, 5)
        .map((a) => `  ${a.status || 'no reply'}: ${a.error ?? ''}`),
      `retries (same Idempotency-Key after a failure): ${count((a) => a.kind === 'retry')}; ` +
        `resends after a lost reply: ${count((a) => a.kind === 'resend')}, all with the first receipt: ${changedReceipt.length === 0 ? 'yes' : `NO (${changedReceipt.length} differ)`}`,
      `voters who ended without a receipt: ${voters.length - accepted.length}`,
      `stored: ${stored.ballots} ballots, ${stored.participations} participations, ${stored.matched} of ${accepted.length} accepted receipts found` +
        (consistent ? ' — accepted receipts = ballots = participations' : ' — COUNTS DIFFER'),
      `load generator CPU: ${Math.round((100 * (cpu.user + cpu.system)) / 1000 / wallMs)}% of one core`,
    ];
    const problems = [
      ...(serverErrors > 0 ? [`${serverErrors} × 5xx`] : []),
      ...(share429 > MAX_429_SHARE ? [`429 share ${(100 * share429).toFixed(2)} % > 1 %`] : []),
      ...(noReply > 0 ? [`${noReply} requests without a reply`] : []),
      ...(unexpected.length > 0 ? [`${unexpected.length} unexpected statuses`] : []),
      ...(changedReceipt.length > 0 ? ['a resend got another receipt'] : []),
      ...(consistent ? [] : ['counts differ']),
    ];
    lines.push(problems.length === 0 ? 'PASS' : `FAIL: ${problems.join('; ')}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    process.exitCode = problems.length === 0 ? 0 : 1;
  } catch (error) {
    process.stderr.write(stack.logTails());
    throw error;
  } finally {
    await stack.destroy();
    await redis.destroy();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
