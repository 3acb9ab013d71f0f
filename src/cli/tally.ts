/**
 * Command-line tally: npm run tally -- <file> [--method m] [--variant v] [--seats n]
 *                                           [--seed s] [--json]
 * Reads a contest file (the project's JSON, BLT, CSV ranked ballots, or .cvotes), counts it
 * with the engine, and prints a report or, with --json, the full result. Files are read as a
 * stream and identical ballots grouped while reading, so a million-ballot file never sits in
 * memory as a million ballots.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import * as path from 'node:path';
// Relative imports: `npm run tally` compiles this file and the engine alone, without the alias.
import {
  FormatError,
  METHODS,
  parseContestJson,
  tally,
  TallyInputError,
  type Method,
  type MethodConfig,
  type TallyInput,
  type TallyResult,
} from '../tally';
import { BltReader } from '../tally/formats/blt-reader';
import { CondorcetTextReader } from '../tally/formats/condorcet-text-reader';
import { ContestJsonReader, NotStreamable } from '../tally/formats/contest-json-reader';
import { RankedCsvReader } from '../tally/formats/ranked-csv-reader';

const USAGE =
  'usage: npm run tally -- <file.json|file.blt|file.csv|file.cvotes> [--method <m>] [--variant <v>] [--seats <n>] [--seed <s>] [--json]';

interface Options {
  file: string;
  method?: Method;
  variant?: string;
  seats?: number;
  seed?: string;
  json: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const files: string[] = [];
  const o: Partial<Options> = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) {
        throw new UsageError(`${a} needs a value`);
      }
      return v;
    };
    if (a === '--json') {
      o.json = true;
    } else if (a === '--method') {
      const m = value();
      if (!METHODS.includes(m as Method)) {
        throw new UsageError(`unknown method "${m}" (${METHODS.join(', ')})`);
      }
      o.method = m as Method;
    } else if (a === '--variant') {
      o.variant = value();
    } else if (a === '--seats') {
      const s = value();
      if (!/^\d+$/.test(s) || Number(s) < 1) {
        throw new UsageError(`--seats must be a positive whole number, got "${s}"`);
      }
      o.seats = Number(s);
    } else if (a === '--seed') {
      o.seed = value();
    } else if (a === '--help' || a === '-h') {
      throw new UsageError('');
    } else if (a.startsWith('--')) {
      throw new UsageError(`unknown option ${a}`);
    } else {
      files.push(a);
    }
  }
  if (files.length !== 1) {
    throw new UsageError(
      files.length === 0 ? 'no contest file given' : 'give exactly one contest file',
    );
  }
  return { ...o, file: files[0] } as Options;
}

/** A streaming reader of one format: the file's bytes in chunks of any size, then the end. */
interface ChunkReader<T> {
  push(chunk: Uint8Array): void;
  end(): T;
}

/** Reads the file through `reader` a megabyte at a time: the file is never held whole. */
function readChunks<T>(file: string, reader: ChunkReader<T>): T {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) {
        break;
      }
      reader.push(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return reader.end();
}

/** Whether a file without an extension starts like JSON (judged on its first megabyte). */
function looksJson(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('utf8', 0, n).trimStart().startsWith('{');
  } finally {
    closeSync(fd);
  }
}

/** The contest as read from the file, before command-line overrides. */
function readContest(file: string): TallyInput {
  const ext = path.extname(file).toLowerCase();
  const base = path.basename(file);
  if (ext === '.json' || (ext === '' && looksJson(file))) {
    let c: ReturnType<typeof parseContestJson>;
    try {
      c = readChunks(file, new ContestJsonReader());
    } catch (e) {
      if (!(e instanceof NotStreamable)) {
        throw e;
      }
      // Not a valid contest: read whole, so that the error names its line and reason.
      c = parseContestJson(readFileSync(file, 'utf8'));
    }
    return { ...c, seed: c.seed ?? `cli:${base}` };
  }
  if (ext === '.blt' || ext === '.hil') {
    const blt = readChunks(file, new BltReader());
    const config: MethodConfig = {
      variant: 'scottish',
      seats: blt.seats,
      withdrawn: blt.withdrawn,
      ...(blt.tieOrder ? { lotOrder: blt.tieOrder } : {}),
    };
    return {
      method: 'stv',
      config,
      candidates: blt.candidates,
      ballots: blt.ballots,
      seed: `cli:${base}`,
    };
  }
  if (ext === '.cvotes') {
    const cv = readChunks(file, new CondorcetTextReader());
    const seats = cv.seats ?? 1;
    return {
      method: seats > 1 ? 'stv' : 'schulze',
      config: seats > 1 ? { variant: 'scottish', seats } : { implicitRanking: cv.implicitRanking },
      candidates: cv.candidates,
      ballots: cv.ballots,
      seed: `cli:${base}`,
    };
  }
  if (ext === '.csv') {
    const csv = readChunks(file, new RankedCsvReader());
    return {
      method: 'irv',
      config: {},
      candidates: csv.candidates,
      ballots: csv.ballots,
      seed: `cli:${base}`,
    };
  }
  throw new UsageError(`cannot tell the format of "${base}": use .json, .blt, .csv or .cvotes`);
}

/** Command-line options override the file; a ranked file can be counted by any ranked method. */
function applyOptions(input: TallyInput, o: Options): TallyInput {
  const method = o.method ?? input.method;
  let config = { ...(input.config as unknown as Record<string, unknown>) };
  if (method !== input.method) {
    // Keep what means the same everywhere; drop settings of the file's own method.
    const keep = ['seats', 'withdrawn', 'lotOrder'];
    config = Object.fromEntries(Object.entries(config).filter(([k]) => keep.includes(k)));
  }
  if (o.seats !== undefined) {
    config.seats = o.seats;
  }
  if (method === 'stv') {
    config.variant = o.variant ?? config.variant ?? 'scottish';
    config.seats ??= 1;
  } else if (o.variant !== undefined) {
    if (method === 'schulze') {
      config.strength = o.variant;
    } else if (method === 'borda') {
      config.points = o.variant;
    } else {
      throw new UsageError(`--variant does not apply to ${method}`);
    }
  }
  if (
    method === 'yes_no' ||
    method === 'plurality' ||
    method === 'approval' ||
    method === 'block' ||
    method === 'score'
  ) {
    if (input.method !== method) {
      throw new UsageError(`a ${input.method} contest cannot be counted as ${method}`);
    }
  }
  if (method === 'irv' || method === 'schulze' || method === 'borda') {
    delete config.variant;
  }
  return {
    ...input,
    method,
    config: config,
    seed: o.seed ?? input.seed,
  };
}

function report(input: TallyInput, r: TallyResult): string {
  const out: string[] = [];
  const d = r.details;
  const text = (v: unknown): string =>
    typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);
  out.push(`${r.engineVersion} — ${r.method}${d.variant ? ` (${text(d.variant)})` : ''}`);
  out.push(
    `ballots ${r.stats.ballots}: valid ${r.stats.valid}, invalid ${r.stats.invalid}, blank ${r.stats.blank}` +
      (r.stats.exhausted !== undefined ? `, exhausted ${r.stats.exhausted}` : '') +
      ` (${r.stats.distinct} distinct)`,
  );
  for (const [reason, n] of Object.entries(r.stats.invalidReasons)) {
    out.push(`  invalid: ${reason} × ${n}`);
  }
  if (d.quota !== undefined) {
    out.push(`quota ${text(d.quota)}`);
  }
  if (r.rounds.length > 0) {
    const names = input.candidates.length > 0 ? input.candidates : Object.keys(r.rounds[0].votes);
    const shown = names.filter((n) => r.rounds.some((x) => n in x.votes));
    const width = Math.max(11, ...shown.map((n) => n.length));
    const cols = r.rounds.map((x) => String(x.round));
    const cellWidth = Math.max(
      8,
      ...r.rounds.flatMap((x) => Object.values(x.votes).map((v) => v.length)),
    );
    out.push('');
    out.push(`${'round'.padEnd(width)}  ${cols.map((c) => c.padStart(cellWidth)).join(' ')}`);
    for (const n of shown) {
      out.push(
        `${n.padEnd(width)}  ${r.rounds.map((x) => (x.votes[n] ?? '').padStart(cellWidth)).join(' ')}`,
      );
    }
    for (const [label, f] of [
      ['non-transf.', (x: (typeof r.rounds)[number]) => x.nonTransferable ?? x.exhausted ?? ''],
    ] as const) {
      if (r.rounds.some((x) => f(x) !== '')) {
        out.push(
          `${label.padEnd(width)}  ${r.rounds.map((x) => f(x).padStart(cellWidth)).join(' ')}`,
        );
      }
    }
    out.push('');
    for (const x of r.rounds) {
      const parts: string[] = [];
      if (x.transfer) {
        parts.push(
          `${x.transfer.kind} of ${x.transfer.from.join(', ')}${x.transfer.amount ? ` (${x.transfer.amount})` : ''}`,
        );
      }
      if (x.elected.length > 0) {
        parts.push(`elected: ${x.elected.join(', ')}`);
      }
      if (x.excluded.length > 0) {
        parts.push(`excluded: ${x.excluded.join(', ')}`);
      }
      if (parts.length > 0) {
        out.push(`round ${x.round}: ${parts.join('; ')}`);
      }
    }
  }
  for (const t of r.ties) {
    out.push(
      `tie at ${t.at} between ${t.candidates.join(', ')}: ${t.rule} → ${t.chosen.join(', ')}`,
    );
  }
  if (r.unresolvedTie) {
    out.push(
      `drawn by lot: ${r.unresolvedTie.seats} seat(s) among ${r.unresolvedTie.between.join(', ')}`,
    );
  }
  if (r.method === 'yes_no') {
    out.push(`outcome: ${text(d.outcome)} (needed ${text(d.votesNeeded)} of base ${text(d.base)})`);
  }
  if (d.runoffNeeded === true) {
    out.push(`no absolute majority: runoff between ${(d.runoff as string[]).join(', ')}`);
  }
  if (r.ranking) {
    out.push(`ranking: ${r.ranking.map((g) => g.join(' = ')).join(' > ')}`);
  }
  out.push(`winners: ${r.winners.length > 0 ? r.winners.join(', ') : '(none)'}`);
  out.push(`seed: ${input.seed}`);
  return `${out.join('\n')}\n`;
}

/** Runs the command with these arguments; returns the exit status. */
export function main(argv: string[]): number {
  let options: Options;
  try {
    options = parseArgs(argv);
  } catch (e) {
    const msg = (e as Error).message;
    process.stderr.write(msg ? `tally: ${msg}\n${USAGE}\n` : `${USAGE}\n`);
    return 2;
  }
  try {
    const input = applyOptions(readContest(options.file), options);
    const result = tally(input);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      process.stdout.write(report(input, result));
    }
    return 0;
  } catch (e) {
    if (e instanceof FormatError) {
      process.stderr.write(
        `tally: ${options.file}:${e.line}: ${e.message.replace(/^line \d+: /, '')}\n`,
      );
    } else if (e instanceof TallyInputError || e instanceof UsageError) {
      process.stderr.write(`tally: ${options.file}: ${e.message}\n`);
    } else if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`tally: ${options.file}: no such file\n`);
    } else {
      process.stderr.write(`tally: ${options.file}: ${(e as Error).message}\n`);
    }
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
