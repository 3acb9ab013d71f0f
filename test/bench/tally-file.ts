/**
 * File benchmark (not a test): the command a user types, `npm run tally -- <file> --method stv
 * --variant scottish --seats 15 --json`, on a seeded contest of 1,000,000 ranked ballots
 * (40 candidates, 15 seats, popularity-weighted rankings of 1–15 preferences) written as BLT,
 * ranked CSV and the project's JSON. Each run is a child process timed from outside with GNU
 * time (wall clock, CPU, peak RSS of the whole process tree, npm included); every run's result
 * must equal, digest for digest, the engine's count of the same ballots in memory.
 *
 *   npm run bench:tally-file                 (BENCH_RUNS=5 runs per format)
 *   npm run bench:tally-file -- blt          (one format)
 *
 * The files are generated once into a temporary folder named by the seed (tally-file-input.ts).
 * A run during which the command line was rebuilt (someone changed the sources, or cleaned
 * dist) is not counted and is run again.
 */
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { tally } from 'src/tally';
import { digest } from 'src/tally/digest';
import {
  benchFiles,
  FILE_BENCH,
  FILE_FORMATS,
  inMemoryInput,
  type FileFormat,
} from './tally-file-input';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ROOT = path.resolve(__dirname, '../..');
const CLI_BUILD = path.join(ROOT, 'dist/src/cli/tally.js');
const TIME = '/usr/bin/time';
const TARGET_MS: Record<FileFormat, number> = { blt: 1000, csv: 1500, json: 1500 };
const TARGET_RSS_MIB = 400;

interface Run {
  wallMs: number;
  cpuMs: number;
  peakMiB: number;
  digest: string;
  rebuilt: boolean;
}

interface Row {
  name: string;
  bytes: number;
  runs: Run[];
  targetMs?: number;
  load: [number, number];
}

/**
 * In a child process: the engine's count of the same ballots in memory, one run after a full
 * collection (as bench:tally's cold run), and how long it took.
 */
function reference(): void {
  const input = inMemoryInput(FILE_BENCH);
  (globalThis as { gc?: () => void }).gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = tally(input);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  process.send?.({
    digest: digest(result),
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    distinct: result.stats.distinct,
  });
}

function inChild(): Promise<{ digest: string; ms: number; cpuMs: number; distinct: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--reference'], {
      execArgv: [...process.execArgv, '--expose-gc'],
    });
    child.once('message', (m) => resolve(m as Awaited<ReturnType<typeof inChild>>));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`reference exited with ${code}`)));
  });
}

function buildTime(): number {
  return existsSync(CLI_BUILD) ? statSync(CLI_BUILD).mtimeMs : 0;
}

/** One run of the command as a user types it, measured by GNU time. */
function runCli(args: string[]): { run: Run; stdout: string } {
  const report = path.join(mkdtempSync(path.join(tmpdir(), 'tally-file-time-')), 'time');
  const built = buildTime();
  const t0 = performance.now();
  const r = spawnSync(
    TIME,
    ['-o', report, '-f', '%U %S %M', 'npm', 'run', '--silent', 'tally', '--', ...args],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  const wallMs = performance.now() - t0;
  const [user, system, maxKb] = readFileSync(report, 'utf8').trim().split(/\s+/).slice(-3);
  rmSync(path.dirname(report), { recursive: true, force: true });
  if (r.status !== 0) {
    throw new Error(`npm run tally -- ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  }
  return {
    run: {
      wallMs,
      cpuMs: (Number(user) + Number(system)) * 1000,
      peakMiB: Number(maxKb) / 1024,
      digest: '',
      rebuilt: buildTime() !== built,
    },
    stdout: r.stdout,
  };
}

function measure(name: string, args: string[], expected?: string, bytes = 0): Row {
  const load0 = loadavg()[0];
  const runs: Run[] = [];
  let attempts = 0;
  while (runs.length < RUNS) {
    if (++attempts > RUNS * 3) {
      throw new Error(`${name}: the command line kept being rebuilt during the runs`);
    }
    const { run, stdout } = runCli(args);
    if (run.rebuilt) {
      process.stderr.write(`  ${name}: the command line was rebuilt during a run; run again\n`);
      continue;
    }
    if (expected !== undefined) {
      run.digest = digest(JSON.parse(stdout));
      if (run.digest !== expected) {
        throw new Error(
          `${name}: result ${run.digest.slice(0, 12)} differs from the engine's in memory (${expected.slice(0, 12)})`,
        );
      }
    }
    runs.push(run);
    process.stderr.write(
      `  ${name}: ${run.wallMs.toFixed(0)} ms, cpu ${run.cpuMs.toFixed(0)} ms, ${run.peakMiB.toFixed(0)} MiB\n`,
    );
  }
  return { name, bytes, runs, load: [load0, loadavg()[0]] };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function table(rows: Row[]): string {
  const head = [
    'input',
    'size MiB',
    'runs',
    'wall ms (median)',
    'wall ms (best)',
    'cpu ms (median)',
    'target ms',
    'peak RSS MiB',
    'load avg',
    'result digest',
  ];
  const lines = rows.map((r) => [
    r.name,
    r.bytes ? (r.bytes / 2 ** 20).toFixed(1) : '',
    String(r.runs.length),
    median(r.runs.map((x) => x.wallMs)).toFixed(0),
    Math.min(...r.runs.map((x) => x.wallMs)).toFixed(0),
    median(r.runs.map((x) => x.cpuMs)).toFixed(0),
    r.targetMs ? `≤ ${r.targetMs}` : '',
    `${Math.max(...r.runs.map((x) => x.peakMiB)).toFixed(0)}${r.targetMs ? ` (≤ ${TARGET_RSS_MIB})` : ''}`,
    `${r.load[0].toFixed(1)}–${r.load[1].toFixed(1)}`,
    r.runs[0].digest ? `${r.runs[0].digest.slice(0, 12)} ✓` : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [fmt(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join(
    '\n',
  );
}

async function main(): Promise<void> {
  if (process.argv.includes('--reference')) {
    reference();
    return;
  }
  try {
    execFileSync(TIME, ['-f', '', 'true'], { stdio: 'ignore' });
  } catch {
    throw new Error(`${TIME} (GNU time) is needed to measure the command's peak memory`);
  }
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const formats = FILE_FORMATS.filter((f) => only.length === 0 || only.includes(f));

  process.stderr.write('generating the contest files (once per seed)…\n');
  const files = benchFiles(FILE_BENCH);
  process.stderr.write('counting the same ballots in memory…\n');
  const ref = await inChild();

  // A three-ballot file: what start-up costs (npm, node, loading the engine). Its first run
  // also builds the command line if the build is missing or stale; that run is not counted.
  const dir = mkdtempSync(path.join(tmpdir(), 'tally-file-bench-'));
  const tiny = path.join(dir, 'tiny.blt');
  writeFileSync(tiny, '2 1\n1 1 2 0\n1 2 0\n1 1 0\n0\n"a" "b"\n"tiny"\n');
  runCli([tiny]);

  const rows: Row[] = [measure('start-up (3-ballot BLT)', [tiny])];
  const args = [
    '--method',
    'stv',
    '--variant',
    'scottish',
    '--seats',
    '15',
    '--seed',
    FILE_BENCH.seed,
    '--json',
  ];
  for (const format of formats) {
    process.stderr.write(`running ${format}…\n`);
    const row = measure(
      `${format}, ${FILE_BENCH.voters.toLocaleString('en-US')} ballots`,
      [files[format], ...args],
      ref.digest,
      statSync(files[format]).size,
    );
    rows.push({ ...row, targetMs: TARGET_MS[format] });
  }
  rmSync(dir, { recursive: true, force: true });

  process.stdout.write(`${table(rows)}\n`);
  process.stdout.write(
    `the engine in memory on the same ballots (${ref.distinct.toLocaleString('en-US')} distinct): ` +
      `tally() ${ref.ms.toFixed(0)} ms, cpu ${ref.cpuMs.toFixed(0)} ms, result ${ref.digest.slice(0, 12)}\n` +
      `node ${process.version}, ${cpus().length} cores; each run is \`npm run tally -- <file> ${args.join(' ')}\` ` +
      'in a child process, timed with GNU time (peak RSS of the process tree); ' +
      `median of ${RUNS} runs; files in ${path.dirname(files.blt)}.\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
