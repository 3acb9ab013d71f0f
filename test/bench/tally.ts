/**
 * Tally engine benchmark (not a test): seeded synthetic contests at association-scale extremes.
 * Run with `npm run bench:tally`. Each case runs in its own child process so its peak memory
 * is its own; times cover tally() only (grouping included), not generating the ballots.
 * CPU time is the figure to compare on a shared machine; the result digest shows at a glance
 * that an optimisation left every result unchanged.
 */
import { fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { FastRandom } from 'src/tally/arith/prng';
import { tally } from 'src/tally';
import { digest } from 'src/tally/digest';
import type { Ballot, MethodConfig, Method, ScoreBallot, TallyInput, TallyResult } from 'src/tally';

interface BenchCase {
  name: string;
  method: Method;
  ballots: number;
  candidates: number;
  seats: number;
  targetMs: number;
  build: () => TallyInput;
}

interface Measured {
  name: string;
  ballots: number;
  distinct: number;
  candidates: number;
  seats: number;
  ms: number;
  cpuMs: number;
  coldCpuMs: number;
  targetMs: number;
  peakMiB: number;
  tallyPeakMiB: number;
  winners: string;
  digest: string;
}

const MILLION = 1_000_000;

/** Candidate ids c01…cNN with a skewed popularity and a few voting blocs. */
class PreferenceModel {
  readonly ids: string[];
  private readonly blocWeights: Float64Array[];
  private readonly blocShare: number[];

  constructor(
    private readonly rnd: FastRandom,
    n: number,
    blocs = 6,
  ) {
    this.ids = Array.from({ length: n }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
    const base = Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, 0.8));
    this.blocWeights = [];
    this.blocShare = [];
    for (let b = 0; b < blocs; b++) {
      const w = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        // Each bloc strongly prefers its own slate of candidates.
        w[i] = base[i] * (i % blocs === b ? 12 : 1) * (0.5 + rnd.next());
      }
      this.blocWeights.push(w);
      this.blocShare.push(1 / (b + 1.5));
    }
  }

  private bloc(): Float64Array {
    const total = this.blocShare.reduce((a, b) => a + b, 0);
    let x = this.rnd.next() * total;
    for (let b = 0; b < this.blocShare.length; b++) {
      x -= this.blocShare[b];
      if (x < 0) {
        return this.blocWeights[b];
      }
    }
    return this.blocWeights[0];
  }

  /** A truncated ranking drawn by Plackett–Luce from the voter's bloc weights. */
  ranking(maxLength: number, meanLength: number): number[] {
    const w = this.bloc();
    let length = 1;
    while (length < maxLength && this.rnd.next() < 1 - 1 / meanLength) {
      length++;
    }
    const taken = new Uint8Array(w.length);
    const out: number[] = [];
    let remaining = 0;
    for (let i = 0; i < w.length; i++) {
      remaining += w[i];
    }
    while (out.length < length) {
      let x = this.rnd.next() * remaining;
      let pick = -1;
      for (let i = 0; i < w.length; i++) {
        if (taken[i] === 0) {
          x -= w[i];
          pick = i;
          if (x < 0) {
            break;
          }
        }
      }
      taken[pick] = 1;
      remaining -= w[pick];
      out.push(pick);
    }
    return out;
  }
}

/**
 * Party-line voting, as in real STV counts (Scottish wards: 15–30 % of ballots distinct at
 * ten thousand voters, fewer as the count grows): a voter ranks part of one party's slate,
 * mostly in the party's order, and sometimes goes on to a second party.
 */
class PartyModel {
  readonly ids: string[];
  private readonly slates: number[][];
  private readonly share: number[];

  constructor(
    private readonly rnd: FastRandom,
    n: number,
    parties = 7,
  ) {
    this.ids = Array.from({ length: n }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
    this.slates = Array.from({ length: parties }, () => []);
    for (let i = 0; i < n; i++) {
      this.slates[i % parties].push(i);
    }
    this.share = this.slates.map((_, p) => 1 / (p + 1.2));
  }

  private party(except = -1): number {
    const total = this.share.reduce((a, b, p) => a + (p === except ? 0 : b), 0);
    let x = this.rnd.next() * total;
    for (let p = 0; p < this.share.length; p++) {
      if (p === except) {
        continue;
      }
      x -= this.share[p];
      if (x < 0) {
        return p;
      }
    }
    return 0;
  }

  ranking(): number[] {
    const out: number[] = [];
    const first = this.party();
    this.slateRun(first, out);
    if (this.rnd.next() < 0.35) {
      this.slateRun(this.party(first), out);
    }
    return out;
  }

  private slateRun(p: number, out: number[]): void {
    const slate = [...this.slates[p]];
    // A few voters swap neighbours on the slate; most follow the party's order.
    for (let i = 0; i + 1 < slate.length; i++) {
      if (this.rnd.next() < 0.15) {
        [slate[i], slate[i + 1]] = [slate[i + 1], slate[i]];
      }
    }
    let take = 1;
    while (take < slate.length && this.rnd.next() < 0.55) {
      take++;
    }
    out.push(...slate.slice(0, take));
  }
}

function partyInput(
  method: Method,
  config: MethodConfig,
  n: number,
  voters: number,
  seed: string,
): TallyInput {
  const model = new PartyModel(new FastRandom(seed), n);
  const ballots: Ballot[] = new Array<Ballot>(voters);
  for (let v = 0; v < voters; v++) {
    ballots[v] = { ranking: model.ranking().map((i) => [model.ids[i]]) };
  }
  return { method, config, candidates: model.ids, ballots, seed };
}

function rankedInput(
  method: Method,
  config: MethodConfig,
  n: number,
  voters: number,
  seed: string,
  maxLen: number,
  meanLen: number,
): TallyInput {
  const rnd = new FastRandom(seed);
  const model = new PreferenceModel(rnd, n);
  const ballots: Ballot[] = new Array<Ballot>(voters);
  for (let v = 0; v < voters; v++) {
    ballots[v] = { ranking: model.ranking(maxLen, meanLen).map((i) => [model.ids[i]]) };
  }
  return { method, config, candidates: model.ids, ballots, seed };
}

function scoreInput(jurors: number, nominees: number, criteria: number, seed: string): TallyInput {
  const rnd = new FastRandom(seed);
  const ids = Array.from({ length: nominees }, (_, i) => `n${String(i + 1).padStart(3, '0')}`);
  const crit = Array.from({ length: criteria }, (_, i) => ({
    id: `k${i + 1}`,
    weight: (i % 3) + 1,
    min: 0,
    max: 10,
  }));
  const quality = ids.map(() => rnd.next() * 6 + 2);
  const ballots: ScoreBallot[] = [];
  for (let j = 0; j < jurors; j++) {
    const harshness = rnd.next() * 3 - 1.5;
    const scores: ScoreBallot['scores'] = {};
    ids.forEach((id, i) => {
      if (rnd.next() < 0.03) {
        return; // a recusal (conflict of interest)
      }
      const per: Record<string, number> = {};
      for (const k of crit) {
        const s = Math.round(quality[i] + harshness + (rnd.next() - 0.5) * 4);
        per[k.id] = Math.min(10, Math.max(0, s));
      }
      scores[id] = per;
    });
    ballots.push({ juror: `j${j + 1}`, scores });
  }
  return {
    method: 'score',
    config: {
      criteria: crit,
      aggregate: 'trimmed_mean',
      trim: 1,
      normalise: 'zscore',
      minScores: 40,
      seats: 3,
    },
    candidates: ids,
    ballots,
    seed,
  };
}

function pluralityInput(n: number, voters: number, seed: string): TallyInput {
  const rnd = new FastRandom(seed);
  const model = new PreferenceModel(rnd, n);
  const ballots: Ballot[] = new Array<Ballot>(voters);
  for (let v = 0; v < voters; v++) {
    const r = rnd.next();
    // About 1 % blank and 0.5 % overvoted (invalid) ballots, as on paper.
    ballots[v] =
      r < 0.01
        ? { choice: null }
        : r < 0.015
          ? { marks: [model.ids[0], model.ids[1]] }
          : { choice: model.ids[model.ranking(1, 1)[0]] };
  }
  return { method: 'plurality', config: {}, candidates: model.ids, ballots, seed };
}

function approvalInput(n: number, seats: number, voters: number, seed: string): TallyInput {
  const rnd = new FastRandom(seed);
  const model = new PreferenceModel(rnd, n);
  const ballots: Ballot[] = new Array<Ballot>(voters);
  for (let v = 0; v < voters; v++) {
    ballots[v] = { approve: model.ranking(seats, 4).map((i) => model.ids[i]) };
  }
  return { method: 'block', config: { seats }, candidates: model.ids, ballots, seed };
}

const CASES: BenchCase[] = [
  {
    name: 'stv scottish (party-line)',
    method: 'stv',
    ballots: MILLION,
    candidates: 40,
    seats: 15,
    targetMs: 2000,
    build: () => partyInput('stv', { variant: 'scottish', seats: 15 }, 40, MILLION, 'bench-stv'),
  },
  {
    name: 'stv meek (party-line)',
    method: 'stv',
    ballots: MILLION,
    candidates: 40,
    seats: 15,
    targetMs: 2000,
    build: () => partyInput('stv', { variant: 'meek', seats: 15 }, 40, MILLION, 'bench-stv'),
  },
  {
    name: 'stv scottish (diverse)',
    method: 'stv',
    ballots: MILLION,
    candidates: 40,
    seats: 15,
    targetMs: 2000,
    build: () =>
      rankedInput('stv', { variant: 'scottish', seats: 15 }, 40, MILLION, 'bench-stv', 15, 4),
  },
  {
    name: 'stv meek (diverse)',
    method: 'stv',
    ballots: MILLION,
    candidates: 40,
    seats: 15,
    targetMs: 2000,
    build: () =>
      rankedInput('stv', { variant: 'meek', seats: 15 }, 40, MILLION, 'bench-stv', 15, 4),
  },
  {
    name: 'schulze (diverse)',
    method: 'schulze',
    ballots: MILLION,
    candidates: 20,
    seats: 1,
    targetMs: 2000,
    build: () => rankedInput('schulze', {}, 20, MILLION, 'bench-schulze', 20, 5),
  },
  {
    name: 'irv (diverse)',
    method: 'irv',
    ballots: MILLION,
    candidates: 20,
    seats: 1,
    targetMs: 1000,
    build: () => rankedInput('irv', {}, 20, MILLION, 'bench-irv', 10, 3),
  },
  {
    name: 'plurality',
    method: 'plurality',
    ballots: MILLION,
    candidates: 20,
    seats: 1,
    targetMs: 1000,
    build: () => pluralityInput(20, MILLION, 'bench-plurality'),
  },
  {
    name: 'block (approval)',
    method: 'block',
    ballots: MILLION,
    candidates: 40,
    seats: 15,
    targetMs: 1000,
    build: () => approvalInput(40, 15, MILLION, 'bench-approval'),
  },
  {
    name: 'score 60×300×6 z-score',
    method: 'score',
    ballots: 60,
    candidates: 300,
    seats: 3,
    targetMs: 100,
    build: () => scoreInput(60, 300, 6, 'bench-score'),
  },
];

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
  }
}

function runOne(index: number): Measured {
  const c = CASES[index];
  const input = c.build();
  gc();
  const rssBefore = process.memoryUsage().rss;
  // Million-ballot cases run three times, the first cold (shown separately: the worst case),
  // each after a full collection; the median is reported. Small contests are counted many
  // times in a worker's life: one warm-up, then the median of five.
  const big = c.ballots >= 10_000;
  const runs = big ? 3 : 5;
  if (!big) {
    tally(input);
  }
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let result: TallyResult | undefined;
  for (let i = 0; i < runs; i++) {
    if (big && i > 0) {
      gc();
    }
    // CPU time (all threads of the process) alongside wall time: on a shared machine the
    // wall clock also counts time spent waiting for a core.
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    result = tally(input);
    times.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
  }
  const coldCpuMs = cpuTimes[0];
  if (!result) {
    throw new Error('no run');
  }
  const ms = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  const cpuMs = cpuTimes.sort((a, b) => a - b)[Math.floor(cpuTimes.length / 2)];
  const peak = process.resourceUsage().maxRSS * 1024;
  return {
    name: c.name,
    ballots: result.stats.ballots,
    distinct: result.stats.distinct,
    candidates: c.candidates,
    seats: c.seats,
    ms,
    cpuMs,
    coldCpuMs,
    targetMs: c.targetMs,
    peakMiB: peak / 2 ** 20,
    tallyPeakMiB: Math.max(0, peak - rssBefore) / 2 ** 20,
    winners: result.winners.slice(0, 4).join(' ') + (result.winners.length > 4 ? ' …' : ''),
    digest: digest(result).slice(0, 12),
  };
}

function table(rows: Measured[]): string {
  const head = [
    'method',
    'ballots',
    'distinct',
    'candidates',
    'seats',
    'ms',
    'cpu ms',
    'cold cpu ms',
    'target ms',
    'peak RSS MiB',
    'tally extra MiB',
    'result digest',
  ];
  const lines = rows.map((r) => [
    r.name,
    r.ballots.toLocaleString('en-US'),
    r.distinct.toLocaleString('en-US'),
    String(r.candidates),
    String(r.seats),
    r.ms.toFixed(0),
    r.cpuMs.toFixed(0),
    r.coldCpuMs.toFixed(0),
    `< ${r.targetMs}`,
    r.peakMiB.toFixed(0),
    r.tallyPeakMiB.toFixed(0),
    r.digest,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [fmt(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join(
    '\n',
  );
}

async function main(): Promise<void> {
  const child = process.argv.indexOf('--case');
  if (child >= 0) {
    const m = runOne(Number(process.argv[child + 1]));
    process.send?.(m);
    return;
  }
  const only = process.argv[2];
  const rows: Measured[] = [];
  for (let i = 0; i < CASES.length; i++) {
    if (only && !CASES[i].name.includes(only)) {
      continue;
    }
    process.stderr.write(`running ${CASES[i].name}…\n`);
    rows.push(await runInChild(i));
  }
  process.stdout.write(`${table(rows)}\n`);
  const load = loadavg()[0].toFixed(1);
  process.stdout.write(
    `node ${process.version}, ${cpus().length} cores, load average ${load}; one process per case; ` +
      'times are tally() only (grouping included), median of 3 runs (million-ballot cases; ' +
      '"cold" is the first) or of 5 after a warm-up (small contests).\n',
  );
}

function runInChild(index: number): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const proc = fork(__filename, ['--case', String(index)], {
      execArgv: process.execArgv,
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    });
    proc.once('message', (m) => resolve(m as Measured));
    proc.once('error', reject);
    proc.once('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`benchmark case ${CASES[index].name} exited with ${code}`));
      }
    });
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
