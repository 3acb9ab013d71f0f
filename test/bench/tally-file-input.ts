/**
 * Seeded input for the file benchmark: one contest of ranked ballots written as BLT, wide ranked
 * CSV and the project's contest JSON. The ballots are those of `npm run bench:tally`'s
 * "stv scottish (diverse)" case (same model, same seed), so both benchmarks count the same
 * contest and print the same result digest. Files go to a temporary folder named by the seed
 * and size and are written once; nothing here is ever committed.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FastRandom } from 'src/tally/arith/prng';
import type { TallyInput } from 'src/tally';

export interface FileBenchSpec {
  seed: string;
  voters: number;
  candidates: number;
  seats: number;
  /** Longest ranking and mean length (a truncated geometric draw). */
  maxLength: number;
  meanLength: number;
}

export const FILE_BENCH: FileBenchSpec = {
  seed: 'bench-stv',
  voters: 1_000_000,
  candidates: 40,
  seats: 15,
  maxLength: 15,
  meanLength: 4,
};

/**
 * Candidate ids c01…cNN with a skewed popularity and six voting blocs; rankings drawn by
 * Plackett–Luce from the voter's bloc weights. The same draws, in the same order, as the
 * PreferenceModel of test/bench/tally.ts.
 */
class PreferenceModel {
  readonly ids: string[];
  private readonly blocWeights: Float64Array[] = [];
  private readonly blocShare: number[] = [];

  constructor(
    private readonly rnd: FastRandom,
    n: number,
    blocs = 6,
  ) {
    this.ids = Array.from({ length: n }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
    const base = Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, 0.8));
    for (let b = 0; b < blocs; b++) {
      const w = new Float64Array(n);
      for (let i = 0; i < n; i++) {
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

  /** Candidate indices, best first. */
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

/** The ballots of a spec, one ranking (candidate indices) at a time, in voting order. */
export function* rankings(spec: FileBenchSpec): Generator<number[]> {
  const model = new PreferenceModel(new FastRandom(spec.seed), spec.candidates);
  for (let v = 0; v < spec.voters; v++) {
    yield model.ranking(spec.maxLength, spec.meanLength);
  }
}

export function candidateIds(spec: FileBenchSpec): string[] {
  return Array.from({ length: spec.candidates }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
}

/** The contest in memory, one ballot object per voter: what the engine is benchmarked on. */
export function inMemoryInput(spec: FileBenchSpec): TallyInput {
  const ids = candidateIds(spec);
  const ballots: TallyInput['ballots'] = [];
  for (const r of rankings(spec)) {
    ballots.push({ ranking: r.map((i) => [ids[i]]) });
  }
  return {
    method: 'stv',
    config: { variant: 'scottish', seats: spec.seats },
    candidates: ids,
    ballots,
    seed: spec.seed,
  };
}

export type FileFormat = 'blt' | 'csv' | 'json';
export const FILE_FORMATS: readonly FileFormat[] = ['blt', 'csv', 'json'];

/** Writes text through a 1 MiB buffer (a million small writes would dominate the run). */
class Writer {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  constructor(file: string) {
    this.fd = openSync(file, 'w');
  }
  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 1 << 20) {
      this.flush();
    }
  }
  flush(): void {
    writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

function writeFormat(spec: FileBenchSpec, format: FileFormat, file: string): void {
  const ids = candidateIds(spec);
  const out = new Writer(file);
  switch (format) {
    case 'blt':
      out.write(`${spec.candidates} ${spec.seats}\n`);
      for (const r of rankings(spec)) {
        out.write(`1 ${r.map((i) => i + 1).join(' ')} 0\n`);
      }
      out.write('0\n');
      for (const id of ids) {
        out.write(`"${id}"\n`);
      }
      out.write(`"${spec.seed}"\n`);
      break;
    case 'csv':
      out.write(`${Array.from({ length: spec.maxLength }, (_, i) => i + 1).join(',')}\n`);
      for (const r of rankings(spec)) {
        out.write(`${r.map((i) => ids[i]).join(',')}\n`);
      }
      break;
    case 'json': {
      const head = {
        method: 'stv',
        config: { variant: 'scottish', seats: spec.seats },
        candidates: ids,
        seed: spec.seed,
      };
      out.write(`${JSON.stringify(head).slice(0, -1)},\n"ballots": [\n`);
      let first = true;
      for (const r of rankings(spec)) {
        out.write(`${first ? '' : ',\n'}{"ranking":[${r.map((i) => `["${ids[i]}"]`).join(',')}]}`);
        first = false;
      }
      out.write('\n]}\n');
      break;
    }
  }
  out.close();
}

/** The benchmark's files, written on first use into a folder named by the spec. */
export function benchFiles(spec: FileBenchSpec): Record<FileFormat, string> {
  const dir = path.join(
    tmpdir(),
    `tally-file-bench-${spec.seed}-${spec.voters}-${spec.candidates}-${spec.seats}-${spec.maxLength}-${spec.meanLength}`,
  );
  mkdirSync(dir, { recursive: true });
  const files = {} as Record<FileFormat, string>;
  for (const format of FILE_FORMATS) {
    const file = path.join(dir, `contest.${format}`);
    if (!existsSync(file)) {
      // Written aside and renamed, so an interrupted run never leaves a partial file behind.
      const partial = `${file}.${process.pid}.partial`;
      writeFormat(spec, format, partial);
      renameSync(partial, file);
    }
    files[format] = file;
  }
  return files;
}
