/**
 * What the casting limits cost a ballot: the two checks (per user, per address) that the casting
 * guard makes, kept in memory (no REDIS_URL) and in Redis, measured in this process alone.
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register test/bench/rate-limits.ts
 *     LIMITS_REDIS_URL   the Redis to use (redis://127.0.0.1:6379 by default)
 *     LIMITS_CHECKS      checks per run (20,000)      LIMITS_CONCURRENCY   checks in flight (200)
 *
 * Prints, for each store: CPU time of this process per ballot, wall time per ballot at the given
 * concurrency, the median latency of one ballot's two checks sent alone next to one check alone and
 * a bare PING (two checks in one round trip take about as long as one), and the Redis scripts run
 * per ballot.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { admit, Limit, RateLimits } from 'src/common/rate-limit/rate-limits';
import type { Config } from 'src/config/config.types';

const REDIS_URL = process.env.LIMITS_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHECKS = Number(process.env.LIMITS_CHECKS ?? 20_000);
const CONCURRENCY = Number(process.env.LIMITS_CONCURRENCY ?? 200);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function until(probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!probe()) {
    if (Date.now() > deadline) {
      throw new Error('Redis did not become ready');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function evalCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  return [...info.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}

async function run(name: string, redisUrl: string | undefined, stats: Redis): Promise<void> {
  const config = {
    queue: { redisUrl, prefix: `bench-${randomBytes(3).toString('hex')}`, connectTimeoutMs: 2000 },
    rateLimits: { redisTimeoutMs: 100 },
  } as Config;
  const limits = new RateLimits(config);
  if (redisUrl !== undefined) {
    await until(() => limits.inRedis);
  }
  const perUser: Limit = limits.limit({ name: 'cast-user', points: 10, windowSeconds: 60 });
  const perIp: Limit = limits.limit({ name: 'cast-ip', points: 10_000_000, windowSeconds: 60 });
  const ballot = (i: number): Promise<unknown> =>
    admit([
      [perUser, `voter-${i}`],
      [perIp, 'hall'],
    ]);

  // Warm-up, then the timed run with CONCURRENCY ballots in flight.
  for (let i = 0; i < 2000; i += CONCURRENCY) {
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, j) => ballot(-1 - i - j)));
  }
  const callsBefore = await evalCalls(stats);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < CHECKS; i += CONCURRENCY) {
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, j) => ballot(i + j)));
  }
  const wall = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const calls = (await evalCalls(stats)) - callsBefore;

  // One ballot at a time: one round trip or two?
  const alone: number[] = [];
  const single: number[] = [];
  const pings: number[] = [];
  for (let i = 0; i < 500; i++) {
    let t = performance.now();
    await ballot(CHECKS + i);
    alone.push(performance.now() - t);
    t = performance.now();
    await admit([[perUser, `single-${i}`]]);
    single.push(performance.now() - t);
    t = performance.now();
    await stats.ping();
    pings.push(performance.now() - t);
  }
  limits.onApplicationShutdown();
  process.stdout.write(
    `${name.padEnd(7)} CPU ${(((cpu.user + cpu.system) / CHECKS) | 0).toString().padStart(3)} µs/ballot, ` +
      `wall ${((wall * 1000) / CHECKS).toFixed(1)} µs/ballot at ${CONCURRENCY} in flight, ` +
      `one ballot alone ${(median(alone) * 1000).toFixed(0)} µs (one check alone ${(median(single) * 1000).toFixed(0)} µs, ` +
      `a PING ${(median(pings) * 1000).toFixed(0)} µs), ` +
      `${(calls / CHECKS).toFixed(2)} Redis scripts/ballot\n`,
  );
}

async function main(): Promise<void> {
  const stats = new Redis(REDIS_URL);
  await run('memory', undefined, stats);
  await run('redis', REDIS_URL, stats);
  await run('memory', undefined, stats);
  await run('redis', REDIS_URL, stats);
  stats.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
