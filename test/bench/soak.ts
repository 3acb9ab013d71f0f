/**
 * Soak (TRUST 40): a bounded mixed load against the production shape of the system (the built API
 * and worker as their own processes, a Redis of their own, local PostgreSQL on a fresh migrated
 * database), to show that memory stays flat and the queue cleans up after itself.
 *
 * The load is open-loop (requests start on a clock, not when the previous one returned):
 *   - members casting ballots, each (voter, election) pair once, in three elections open for the
 *     whole run and in one short election per minute, which is closed at the end of its minute so
 *     the worker runs a tally job every minute;
 *   - jurors saving drafts, submitting and revising their ballots in two open award rounds (one
 *     scored, one ranked), one request per juror at a time;
 *   - the public reading a published result (JSON, CSV, bundle, PDF) and the signing key.
 * Each minute it prints requests/s, latency, errors, API and worker RSS, their V8 heap after a full
 * garbage collection, Redis memory and keys, the completed jobs BullMQ keeps per queue
 * (QUEUE_KEEP_COMPLETED is set low) and the tallies done. RSS alone cannot tell a leak from V8
 * growing its heap lazily, so both processes load a small probe (`--require`, written to a temporary
 * folder) that on SIGUSR2 collects garbage twice and appends the heap in use to a file.
 * At the end it closes the award rounds and prints a verdict: memory slopes after warm-up, the kept
 * completed jobs against the limit, errors, and counts (accepted receipts = ballots =
 * participations per election, one tally run per closed contest counting them).
 *
 *   npm run bench:soak
 *     SOAK_MINUTES=10          length of the load
 *     SOAK_CAST_RATE=20        ballots per second
 *     SOAK_JURY_RATE=2         jury ballot saves per second
 *     SOAK_READ_RATE=5         public reads per second
 *     SOAK_KEEP_COMPLETED=5    QUEUE_KEEP_COMPLETED of the API and worker
 *     SOAK_MAX_SLOPE=0.5       MiB/min of growth after warm-up still called flat, for the heap after
 *                              garbage collection and for Redis; RSS slopes are printed, not judged
 *     BENCH_PG_SERVER          maintenance URL of the PostgreSQL server (local 5432 by default)
 *
 * Exits non-zero on any error, a count that differs, more completed jobs kept than configured, or
 * (for runs of 6 minutes or more) heap or Redis memory growing faster than SOAK_MAX_SLOPE after
 * minute 3.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { openElection, OpenElection, tallied } from '../faults/scenario';
import {
  ApiProcess,
  migratedDatabase,
  MintedUser,
  MintedVoter,
  query,
  RedisServer,
  Service,
  sleep,
  Stack,
  waitFor,
  PG_SERVER_URL,
} from '../support/stack';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const CAST_RATE = Number(process.env.SOAK_CAST_RATE ?? 20);
const JURY_RATE = Number(process.env.SOAK_JURY_RATE ?? 2);
const READ_RATE = Number(process.env.SOAK_READ_RATE ?? 5);
const KEEP_COMPLETED = Number(process.env.SOAK_KEEP_COMPLETED ?? 5);
const MAX_SLOPE = Number(process.env.SOAK_MAX_SLOPE ?? 0.5);
const WARM_UP_MINUTES = 3;
const QUEUES = ['system', 'tally', 'results'];
/** A minute's election takes casts this long into its minute, so that no cast races its close. */
const MINUTE_ELECTION_CASTING_MS = 55_000;
/** Beyond this many requests in flight the server is not keeping up; further starts are counted, not sent. */
const MAX_IN_FLIGHT = 500;
const REQUEST_TIMEOUT_MS = 10_000;
const JURORS = 10;

type Kind = 'cast' | 'jury' | 'read' | 'admin';

interface Sample {
  kind: Kind;
  route: string;
  status: number;
  ms: number;
}

/** What the load saw in one minute; errors are replies other than the one expected, or no reply. */
class Window {
  samples: Sample[] = [];
  errors = 0;
  saturated = 0;
}

interface Minute {
  minute: number;
  apiRss: number;
  workerRss: number;
  apiHeap: number;
  workerHeap: number;
  redisMiB: number;
  redisKeys: number;
  completed: Record<string, number>;
  tallies: number;
}

interface Election extends OpenElection {
  method: string;
  seats: number;
  accepted: Set<string>;
  next: number;
  inFlight: number;
}

interface JurorRound {
  juror: MintedUser;
  roundId: string;
  scored: boolean;
  saves: number;
  busy: boolean;
  submitted: boolean;
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
}

function ballotFor(e: Election): Record<string, unknown> {
  switch (e.method) {
    case 'yes_no':
      return { choice: pick(['yes', 'yes', 'no', 'abstain']) };
    case 'plurality':
      return { choice: pick(e.candidateIds) };
    case 'block':
      return {
        approve: shuffled(e.candidateIds).slice(0, 1 + Math.floor(Math.random() * e.seats)),
      };
    default:
      return {
        preferences: shuffled(e.candidateIds)
          .slice(0, 1 + Math.floor(Math.random() * e.candidateIds.length))
          .map((candidateId, i) => ({ candidateId, rank: i + 1 })),
      };
  }
}

class Soak {
  private window = new Window();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly errorKinds = new Map<string, number>();
  /** Latencies of the whole run by route, for the summary. */
  private readonly byRoute = new Map<string, number[]>();
  private errorsTotal = 0;
  private requestsTotal = 0;
  saturatedTotal = 0;

  constructor(private readonly api: ApiProcess) {}

  /** Sends one request, records its latency and whether it got the expected status; never throws. */
  request(
    kind: Kind,
    expected: number,
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ): Promise<{ status: number; text: string }> {
    const window = this.window;
    const started = performance.now();
    const run = async (): Promise<{ status: number; text: string }> => {
      let status = 0;
      let text: string;
      try {
        const res = await fetch(`${this.api.url}/api/v1${path}`, {
          method,
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        status = res.status;
        text = await res.text();
      } catch (error) {
        text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      const ms = performance.now() - started;
      const route = `${method} ${path.replace(/[0-9a-f-]{36}/g, ':id')}`;
      window.samples.push({ kind, route, status, ms });
      const latencies = this.byRoute.get(route) ?? [];
      latencies.push(ms);
      this.byRoute.set(route, latencies);
      this.requestsTotal += 1;
      if (status !== expected) {
        window.errors += 1;
        this.errorsTotal += 1;
        const key = `${route} → ${status || 'no reply'}: ${text.slice(0, 160)}`;
        this.errorKinds.set(key, (this.errorKinds.get(key) ?? 0) + 1);
      }
      return { status, text };
    };
    const promise = run();
    const tracked = promise.then(() => undefined);
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return promise;
  }

  get saturated(): boolean {
    if (this.inFlight.size < MAX_IN_FLIGHT) {
      return false;
    }
    this.window.saturated += 1;
    this.saturatedTotal += 1;
    return true;
  }

  takeWindow(): Window {
    const w = this.window;
    this.window = new Window();
    return w;
  }

  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  get errors(): number {
    return this.errorsTotal;
  }

  get requests(): number {
    return this.requestsTotal;
  }

  /** p50/p99/max per route over the whole run. */
  routeSummary(): string[] {
    return [
      '| request | count | p50 ms | p99 ms | max ms |',
      '|---|---|---|---|---|',
      ...[...this.byRoute.entries()]
        .sort((a, b) => b[1].length - a[1].length)
        .map(([route, values]) => {
          const sorted = [...values].sort((a, b) => a - b);
          return `| ${route} | ${sorted.length} | ${Math.round(percentile(sorted, 50))} | ${Math.round(percentile(sorted, 99))} | ${Math.round(sorted[sorted.length - 1])} |`;
        }),
    ];
  }

  errorSummary(): string[] {
    return [...this.errorKinds.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `  ${n} × ${k}`);
  }

  cast(e: Election, voter: MintedVoter): void {
    e.inFlight += 1;
    void this.request('cast', 201, 'POST', `/elections/${e.id}/ballots`, voter.token, {
      ballot: ballotFor(e),
    })
      .then(({ status, text }) => {
        if (status === 201) {
          e.accepted.add((JSON.parse(text) as { receipt: string }).receipt);
        }
      })
      .finally(() => (e.inFlight -= 1));
  }

  /** A juror's ballot: a partial draft, a full draft, then a submission and revisions. */
  saveJuryBallot(j: JurorRound, nominees: string[]): void {
    j.busy = true;
    const submit = j.saves >= 2;
    const shown = j.saves === 0 ? nominees.slice(0, 2) : nominees;
    const body = j.scored
      ? {
          scores: Object.fromEntries(
            shown.map((id) => [
              id,
              {
                impact: 1 + Math.floor(Math.random() * 10),
                creativity: 1 + Math.floor(Math.random() * 10),
                execution: 1 + Math.floor(Math.random() * 10),
              },
            ]),
          ),
          submit,
        }
      : { ranking: shuffled(shown), submit };
    void this.request(
      'jury',
      200,
      'PUT',
      `/awards/jury/rounds/${j.roundId}/ballot`,
      j.juror.token,
      body,
    )
      .then(({ status }) => {
        if (status === 200) {
          j.saves += 1;
          j.submitted = j.submitted || submit;
        }
      })
      .finally(() => (j.busy = false));
  }
}

/** Loaded into the API and worker with --require: on SIGUSR2, a full collection, then the heap in use. */
const HEAP_PROBE = `'use strict';
const fs = require('node:fs');
require('node:v8').setFlagsFromString('--expose-gc');
const gc = require('node:vm').runInNewContext('gc');
process.on('SIGUSR2', () => {
  gc();
  gc();
  fs.appendFileSync(process.env.SOAK_HEAP_PROBE_FILE, process.memoryUsage().heapUsed + '\\n');
});
`;

/** Heap in use after a full collection, in MiB, as the process's probe reports it. */
class HeapProbe {
  constructor(
    private readonly service: Service,
    private readonly file: string,
  ) {}

  async heapMiB(): Promise<number> {
    const before = this.lines().length;
    process.kill(this.service.pid, 'SIGUSR2');
    await waitFor(
      `${this.service.name} to report its heap`,
      () => this.lines().length > before,
      10_000,
      20,
    );
    return Number(this.lines()[before]) / 1_048_576;
  }

  private lines(): string[] {
    return existsSync(this.file) ? readFileSync(this.file, 'utf8').split('\n').filter(Boolean) : [];
  }
}

/** Starts `fire` at `ratePerSecond`, evenly, until `until`; a clock, not a loop waiting on replies. */
async function paced(
  ratePerSecond: number,
  started: number,
  until: number,
  fire: () => void,
): Promise<void> {
  let fired = 0;
  while (Date.now() < until) {
    const due = Math.floor(((Date.now() - started) / 1000) * ratePerSecond);
    for (; fired < due; fired++) {
      fire();
    }
    await sleep(10);
  }
}

async function main(): Promise<void> {
  const database = await migratedDatabase(PG_SERVER_URL, 'bench_soak');
  const redis = await RedisServer.start();
  const stack = new Stack({
    databaseUrl: database.url,
    redisUrl: redis.url,
    env: {
      QUEUE_KEEP_COMPLETED: String(KEEP_COMPLETED),
      // The admin's token must outlive the run; the login limit forbids logging in every minute.
      JWT_ACCESS_TTL_SECONDS: String(3600),
      // All of the load comes from loopback: the per-address casting limit is not what is measured
      // here (bench:spike checks the defaults against one shared address).
      CAST_LIMIT_PER_IP: String(10_000_000),
    },
  });
  const redisClient = new Redis(redis.url);
  const probeDir = mkdtempSync(join(tmpdir(), 'soak-probe-'));
  writeFileSync(join(probeDir, 'heap-probe.js'), HEAP_PROBE);
  const probed = (name: string): Record<string, string> => ({
    NODE_OPTIONS: `--require ${join(probeDir, 'heap-probe.js')}`,
    SOAK_HEAP_PROBE_FILE: join(probeDir, `${name}.heap`),
  });
  try {
    const api = await stack.api(probed('api'));
    const worker = await stack.worker(probed('worker'));
    const watched: Watched = {
      api: api.service,
      worker,
      apiHeap: new HeapProbe(api.service, join(probeDir, 'api.heap')),
      workerHeap: new HeapProbe(worker, join(probeDir, 'worker.heap')),
    };
    const admin = await api.login(stack.admin);
    const soak = new Soak(api);

    // Voters first: a roll is frozen from the members present when its election opens.
    const perElection = Math.ceil((CAST_RATE * 60 * MINUTES) / 4);
    const voters = await stack.voters(Math.ceil(perElection * 1.2) + 100);
    const election = async (
      office: string,
      method: string,
      seats: number,
      candidates: number,
    ): Promise<Election> => ({
      ...(await openElection(
        api,
        admin,
        database.url,
        {
          office,
          method,
          seats,
          ...(method === 'stv' ? { methodConfig: { variant: 'scottish' } } : {}),
        },
        candidates,
      )),
      method,
      seats,
      accepted: new Set<string>(),
      next: 0,
      inFlight: 0,
    });

    // A result that is closed, tallied, certified and published before the load starts.
    const published = await election('Treasurer', 'plurality', 1, 3);
    for (const v of voters.slice(0, 40)) {
      soak.cast(published, v);
    }
    await soak.drain();
    await api.ok('POST', `/elections/${published.id}/close`, admin);
    await tallied(database.url, published.id, 60_000);
    await api.ok('POST', `/results/election/${published.id}/certify`, admin, {});
    await waitFor(
      'the result to be public',
      async () =>
        (await api.call('GET', `/public/results/elections/${published.id}`)).status === 200,
      30_000,
    );

    const allAlong = [
      await election('President', 'plurality', 1, 3),
      await election('Executive council', 'block', 5, 8),
      await election('Ethics committee chair', 'irv', 1, 4),
    ];
    const minuteMethods: [string, number, number][] = [
      ['yes_no', 1, 1],
      ['plurality', 1, 3],
      ['stv', 3, 6],
      ['block', 2, 4],
    ];
    const perMinute: Election[] = [];
    for (let m = 0; m < MINUTES; m++) {
      const [method, seats, candidates] = minuteMethods[m % minuteMethods.length];
      perMinute.push(await election(`Motion ${m + 1}`, method, seats, candidates));
    }

    const award = await awardRounds(api, admin, stack, voters[0]);
    const jurorRounds: JurorRound[] = award.jurors.flatMap((juror) => [
      { juror, roundId: award.scoredRound, scored: true, saves: 0, busy: false, submitted: false },
      { juror, roundId: award.rankedRound, scored: false, saves: 0, busy: false, submitted: false },
    ]);
    const readPaths = [
      ...Array<string>(10).fill(`/public/results/elections/${published.id}`),
      ...Array<string>(4).fill(`/public/results/elections/${published.id}/csv`),
      ...Array<string>(3).fill(`/public/results/elections/${published.id}/bundle`),
      ...Array<string>(2).fill('/public/signing-key'),
      `/public/results/elections/${published.id}/pdf`,
    ];
    soak.takeWindow();

    process.stdout.write(
      [
        `soak: ${MINUTES} min; per second ${CAST_RATE} casts, ${JURY_RATE} jury saves, ${READ_RATE} public reads; ` +
          `a tally every minute; QUEUE_KEEP_COMPLETED=${KEEP_COMPLETED}; node ${process.version}, ${cpus().length} cores`,
        `elections: ${allAlong.length} open all along (plurality, block, irv) + ${MINUTES} closed one a minute; ` +
          `${voters.length} voters; award: ${JURORS} jurors on a scored and a ranked round`,
        '',
        '| min | req/s | casts/s | p50 ms | p99 ms | cast p99 ms | errors | API RSS MiB | API heap MiB | worker RSS MiB | worker heap MiB | Redis used MiB | Redis keys | completed kept system/tally/results | tallies done |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ].join('\n') + '\n',
    );

    const cpuBefore = process.cpuUsage();
    const started = Date.now();
    const end = started + MINUTES * 60_000;
    const minuteOf = (): number =>
      Math.min(MINUTES - 1, Math.floor((Date.now() - started) / 60_000));
    const castTarget = (): Election | undefined => {
      const m = minuteOf();
      const inMinute = Date.now() - started - m * 60_000;
      const candidates =
        inMinute < MINUTE_ELECTION_CASTING_MS ? [...allAlong, perMinute[m]] : allAlong;
      const e = pick(candidates);
      return e.next < voters.length ? e : allAlong.find((x) => x.next < voters.length);
    };
    const loads = Promise.all([
      paced(CAST_RATE, started, end, () => {
        const e = castTarget();
        if (e && !soak.saturated) {
          soak.cast(e, voters[e.next++]);
        }
      }),
      paced(JURY_RATE, started, end, () => {
        const idle = jurorRounds.filter((j) => !j.busy);
        if (idle.length > 0 && !soak.saturated) {
          const j = pick(idle);
          soak.saveJuryBallot(j, j.scored ? award.scoredNominees : award.rankedNominees);
        }
      }),
      paced(READ_RATE, started, end, () => {
        if (!soak.saturated) {
          void soak.request('read', 200, 'GET', pick(readPaths));
        }
      }),
    ]);

    const minutes: Minute[] = [];
    const closes: Promise<unknown>[] = [];
    for (let m = 1; m <= MINUTES; m++) {
      await sleep(Math.max(0, started + m * 60_000 - Date.now()));
      const w = soak.takeWindow();
      const row = await sampleMinute(m, watched, redisClient, stack.prefix, database.url);
      minutes.push(row);
      printMinute(row, w);
      const closing = perMinute[m - 1];
      closes.push(
        waitFor(
          'casts to the minute election to settle',
          () => closing.inFlight === 0,
          30_000,
          20,
        ).then(() => soak.request('admin', 200, 'POST', `/elections/${closing.id}/close`, admin)),
      );
    }
    await loads;
    await Promise.all(closes);
    await soak.drain();
    const cpu = process.cpuUsage(cpuBefore);
    const cpuShare = (cpu.user + cpu.system) / 1000 / (Date.now() - started);

    // Every closed election is tallied; then the award rounds are closed and tallied too.
    for (const e of [published, ...perMinute]) {
      await tallied(database.url, e.id, 120_000);
    }
    for (const roundId of [award.scoredRound, award.rankedRound]) {
      await soak.request('admin', 200, 'POST', `/awards/rounds/${roundId}/close`, admin);
    }
    for (const roundId of [award.scoredRound, award.rankedRound]) {
      await waitFor(
        `award round ${roundId} to be tallied`,
        async () =>
          (
            await query<{ status: string }>(
              database.url,
              'SELECT status FROM award_round WHERE id = $1',
              [roundId],
            )
          )[0].status !== 'closed',
        120_000,
      );
    }
    const final = await sampleMinute(MINUTES + 1, watched, redisClient, stack.prefix, database.url);

    const problems: string[] = [];
    const lines: string[] = [
      '',
      'latency by request over the whole run (setup included):',
      '',
      ...soak.routeSummary(),
      '',
      `after the load (all contests closed and tallied): API RSS ${final.apiRss} MiB (heap ${final.apiHeap.toFixed(1)}), worker RSS ${final.workerRss} MiB (heap ${final.workerHeap.toFixed(1)}), Redis ${final.redisMiB.toFixed(2)} MiB, ${final.redisKeys} keys, completed kept ${QUEUES.map((q) => final.completed[q]).join('/')}, ${final.tallies} tally runs`,
      '',
      'verdict',
    ];

    // Memory after warm-up.
    const judged = MINUTES >= 6;
    const from = MINUTES > WARM_UP_MINUTES ? WARM_UP_MINUTES : 1;
    const after = minutes.filter((r) => r.minute >= from);
    /** Prints the slope; with a limit, judges it (runs of 6 minutes or more). */
    const trend = (label: string, value: (r: Minute) => number, limit?: number): void => {
      const s = after.length >= 2 ? slope(after.map((r) => [r.minute, value(r)])) : 0;
      const range = `${Math.min(...after.map(value)).toFixed(1)}..${Math.max(...after.map(value)).toFixed(1)} MiB`;
      const growing = limit !== undefined && judged && s > limit;
      const verdict =
        limit === undefined
          ? 'not judged: V8 sizes its heap lazily'
          : !judged
            ? 'not judged: run shorter than 6 minutes'
            : growing
              ? `GROWING (> ${limit})`
              : `flat (≤ ${limit})`;
      lines.push(
        `  ${label} slope over minutes ${from}..${MINUTES}: ${s >= 0 ? '+' : ''}${s.toFixed(2)} MiB/min (${range}) ${verdict}`,
      );
      if (growing) {
        problems.push(`${label} grows ${s.toFixed(2)} MiB/min`);
      }
    };
    trend('API heap after GC', (r) => r.apiHeap, MAX_SLOPE);
    trend('worker heap after GC', (r) => r.workerHeap, MAX_SLOPE);
    trend('Redis used_memory', (r) => r.redisMiB, MAX_SLOPE);
    trend('API RSS', (r) => r.apiRss);
    trend('worker RSS', (r) => r.workerRss);

    const kept = QUEUES.map((q) =>
      Math.max(final.completed[q], ...minutes.map((r) => r.completed[q])),
    );
    const within = kept.every((n) => n <= KEEP_COMPLETED);
    const reached = kept.some((n) => n === KEEP_COMPLETED);
    lines.push(
      `  completed jobs kept, most seen per queue (system/tally/results): ${kept.join('/')}, limit ${KEEP_COMPLETED}: ` +
        (within
          ? `within${reached ? ' (the limit was reached, so old ones were removed)' : ' (the limit was never reached)'}`
          : 'OVER THE LIMIT'),
    );
    if (!within) {
      problems.push('BullMQ kept more completed jobs than QUEUE_KEEP_COMPLETED');
    }

    lines.push(
      `  requests: ${soak.requests}, errors: ${soak.errors}${soak.errors ? '' : ' (none)'}`,
    );
    lines.push(...soak.errorSummary().slice(0, 10));
    if (soak.saturatedTotal > 0) {
      lines.push(
        `  not sent because ${MAX_IN_FLIGHT} requests were already waiting: ${soak.saturatedTotal}`,
      );
    }
    if (soak.errors + soak.saturatedTotal > 0) {
      problems.push(`${soak.errors + soak.saturatedTotal} errors`);
    }

    const elections = [published, ...allAlong, ...perMinute];
    const differing: string[] = [];
    for (const e of elections) {
      const [row] = await query<{ ballots: number; participations: number; matched: number }>(
        database.url,
        `SELECT (SELECT count(*)::int FROM ballot WHERE election_id = $1) AS ballots,
                (SELECT count(*)::int FROM participation WHERE election_id = $1) AS participations,
                (SELECT count(*)::int FROM ballot WHERE election_id = $1 AND receipt = ANY($2)) AS matched`,
        [e.id, [...e.accepted]],
      );
      if (
        row.ballots !== e.accepted.size ||
        row.participations !== e.accepted.size ||
        row.matched !== e.accepted.size
      ) {
        differing.push(
          `${e.method} ${e.id}: accepted ${e.accepted.size}, ballots ${row.ballots}, participations ${row.participations}, receipts found ${row.matched}`,
        );
      }
    }
    const castTotal = elections.reduce((s, e) => s + e.accepted.size, 0);
    lines.push(
      differing.length === 0
        ? `  counts: ${elections.length} elections, ${castTotal} accepted receipts = ballots = participations in each`
        : `  COUNTS DIFFER:\n${differing.map((d) => `    ${d}`).join('\n')}`,
    );
    if (differing.length > 0) {
      problems.push('counts differ');
    }

    const runs = await query<{ contest_id: string; ballot_count: number }>(
      database.url,
      'SELECT contest_id, ballot_count FROM tally_run',
    );
    const badRuns: string[] = [];
    for (const e of [published, ...perMinute]) {
      const mine = runs.filter((r) => r.contest_id === e.id);
      if (mine.length !== 1 || mine[0].ballot_count !== e.accepted.size) {
        badRuns.push(
          `${e.id}: ${mine.length} runs, counted ${mine.map((r) => r.ballot_count).join(',')}, accepted ${e.accepted.size}`,
        );
      }
    }
    for (const roundId of [award.scoredRound, award.rankedRound]) {
      const submitted = jurorRounds.filter((j) => j.roundId === roundId && j.submitted).length;
      const mine = runs.filter((r) => r.contest_id === roundId);
      if (mine.length !== 1 || mine[0].ballot_count !== submitted) {
        badRuns.push(
          `award round ${roundId}: ${mine.length} runs, counted ${mine.map((r) => r.ballot_count).join(',')}, submitted ${submitted}`,
        );
      }
    }
    lines.push(
      badRuns.length === 0
        ? `  tallies: ${perMinute.length + 1} closed elections and 2 award rounds tallied once each, counting every accepted ballot and submitted jury ballot`
        : `  TALLIES DIFFER:\n${badRuns.map((d) => `    ${d}`).join('\n')}`,
    );
    if (badRuns.length > 0) {
      problems.push('tally runs differ');
    }
    lines.push(`  load generator CPU: ${Math.round(cpuShare * 100)}% of one core`);
    lines.push(problems.length === 0 ? 'PASS' : `FAIL: ${problems.join('; ')}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    process.exitCode = problems.length === 0 ? 0 : 1;
  } catch (error) {
    process.stderr.write(stack.logTails());
    throw error;
  } finally {
    redisClient.disconnect();
    await stack.destroy();
    rmSync(probeDir, { recursive: true, force: true });
    await redis.destroy();
    await database.drop();
  }
}

interface Watched {
  api: Service;
  worker: Service;
  apiHeap: HeapProbe;
  workerHeap: HeapProbe;
}

async function sampleMinute(
  minute: number,
  watched: Watched,
  redis: Redis,
  prefix: string,
  databaseUrl: string,
): Promise<Minute> {
  // RSS first: the probe's collection shrinks it.
  const apiRss = watched.api.rssMiB();
  const workerRss = watched.worker.rssMiB();
  const info = await redis.info('memory');
  const usedMemory = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
  const completed: Record<string, number> = {};
  for (const q of QUEUES) {
    completed[q] = await redis.zcard(`${prefix}:${q}:completed`);
  }
  const [{ n }] = await query<{ n: number }>(
    databaseUrl,
    'SELECT count(*)::int AS n FROM tally_run',
  );
  return {
    minute,
    apiRss,
    workerRss,
    apiHeap: await watched.apiHeap.heapMiB(),
    workerHeap: await watched.workerHeap.heapMiB(),
    redisMiB: usedMemory / 1_048_576,
    redisKeys: await redis.dbsize(),
    completed,
    tallies: n,
  };
}

function printMinute(row: Minute, w: Window): void {
  const all = w.samples.map((s) => s.ms).sort((a, b) => a - b);
  const casts = w.samples
    .filter((s) => s.kind === 'cast')
    .map((s) => s.ms)
    .sort((a, b) => a - b);
  const errors = w.errors + w.saturated;
  process.stdout.write(
    `| ${row.minute} | ${(w.samples.length / 60).toFixed(1)} | ${(casts.length / 60).toFixed(1)} | ${Math.round(percentile(all, 50))} | ` +
      `${Math.round(percentile(all, 99))} | ${Math.round(percentile(casts, 99))} | ${errors}${w.saturated ? ` (${w.saturated} not sent: saturated)` : ''} | ` +
      `${row.apiRss} | ${row.apiHeap.toFixed(1)} | ${row.workerRss} | ${row.workerHeap.toFixed(1)} | ${row.redisMiB.toFixed(2)} | ${row.redisKeys} | ` +
      `${QUEUES.map((q) => row.completed[q]).join('/')} | ${row.tallies} |\n`,
  );
}

interface AwardRounds {
  jurors: MintedUser[];
  scoredRound: string;
  rankedRound: string;
  scoredNominees: string[];
  rankedNominees: string[];
}

/** An edition in the jury phase with an open scored round and an open ranked round, built through the API. */
async function awardRounds(
  api: ApiProcess,
  admin: string,
  stack: Stack,
  nominator: MintedVoter,
): Promise<AwardRounds> {
  const awards = <T = { id: string }>(
    method: string,
    path: string,
    token: string,
    body: unknown = {},
  ): Promise<T> => api.ok<T>(method, `/awards${path}`, token, body);
  const program = await awards('POST', '/programs', admin, {
    slug: `soak-${randomBytes(4).toString('hex')}`,
    title: 'Soak Award',
  });
  const edition = await awards('POST', `/programs/${program.id}/editions`, admin, {
    year: 2026,
    ordinal: '1st',
  });
  const scored = await awards('POST', `/editions/${edition.id}/categories`, admin, {
    title: 'Campaign of the year',
    method: 'score',
    winners: 1,
    shortListSize: null,
    nominationsPerMember: 10,
    methodConfig: { aggregate: 'mean', minScores: 2 },
    criteria: [
      { id: 'impact', title: 'Impact', weight: 3, min: 1, max: 10 },
      { id: 'creativity', title: 'Creativity', weight: 2, min: 1, max: 10 },
      { id: 'execution', title: 'Execution', weight: 1, min: 1, max: 10 },
    ],
  });
  const ranked = await awards('POST', `/editions/${edition.id}/categories`, admin, {
    title: 'Communicator of the year',
    method: 'borda',
    winners: 1,
    nominationsPerMember: 10,
  });
  await awards('POST', `/editions/${edition.id}/phase`, admin, { phase: 'nominations' });
  const nominate = async (categoryId: string, count: number, prefix: string): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 1; i <= count; i++) {
      ids.push(
        (
          await awards<{ nomineeId: string }>(
            'POST',
            `/categories/${categoryId}/nominations`,
            nominator.token,
            { nomineeName: `${prefix} ${i}` },
          )
        ).nomineeId,
      );
    }
    return ids;
  };
  const scoredNominees = await nominate(scored.id, 5, 'Campaign');
  const rankedNominees = await nominate(ranked.id, 4, 'Communicator');
  await awards('POST', `/editions/${edition.id}/phase`, admin, { phase: 'screening' });
  for (const id of [...scoredNominees, ...rankedNominees]) {
    await awards('POST', `/nominees/${id}/accept`, admin);
  }
  const jurors = await stack.users(JURORS, 'jury');
  for (const category of [scored, ranked]) {
    for (const [i, j] of jurors.entries()) {
      await awards('POST', `/categories/${category.id}/jurors`, admin, {
        userId: j.userId,
        ...(i === 0 ? { role: 'chair' } : {}),
      });
    }
  }
  await awards('POST', `/editions/${edition.id}/phase`, admin, { phase: 'jury' });
  const scoredRound = (await awards('POST', `/categories/${scored.id}/rounds`, admin)).id;
  const rankedRound = (await awards('POST', `/categories/${ranked.id}/rounds`, admin)).id;
  await awards('POST', `/rounds/${scoredRound}/open`, admin);
  await awards('POST', `/rounds/${rankedRound}/open`, admin);
  return { jurors, scoredRound, rankedRound, scoredNominees, rankedNominees };
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
