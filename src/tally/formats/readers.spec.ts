import * as fs from 'node:fs';
import * as path from 'node:path';
import { FastRandom } from '../arith/prng';
import { digest } from '../digest';
import { tally } from '../tally';
import type { Ballot, MethodConfig, RankedBallot, TallyInput } from '../types';
import { parseBlt } from './blt';
import { BltReader } from './blt-reader';
import { parseCondorcetText } from './condorcet-text';
import { CondorcetTextReader } from './condorcet-text-reader';
import { parseContestJson } from './contest-json';
import { ContestJsonReader, NotStreamable } from './contest-json-reader';
import { FormatError } from './format-error';
import { parseRankedCsv } from './ranked-csv';
import { RankedCsvReader } from './ranked-csv-reader';
import { ByteKeys, hashBytes, LineSplitter } from './stream';

/**
 * The streaming readers against the whole-text parsers: same contest, same counts, same errors
 * on the same lines, whatever the chunk boundaries.
 */

interface Reader<T> {
  push(chunk: Uint8Array): void;
  end(): T;
}

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

/**
 * Feeds `bytes` in chunks of the given sizes (cycled) through one scratch buffer that is
 * overwritten after each push, as the command line reuses its read buffer: a reader that kept
 * a reference to a chunk would see the filler.
 */
function readIn<T>(reader: Reader<T>, bytes: Uint8Array, sizes: readonly number[]): T {
  const scratch = new Uint8Array(Math.max(...sizes));
  let k = 0;
  for (let p = 0; p < bytes.length;) {
    const n = Math.min(sizes[k++ % sizes.length], bytes.length - p);
    scratch.set(bytes.subarray(p, p + n));
    reader.push(scratch.subarray(0, n));
    scratch.fill(0x37);
    p += n;
  }
  return reader.end();
}

/** Chunkings tried on every input: whole, byte by byte, small odd sizes, random sizes. */
function chunkings(seed: string, length: number): number[][] {
  const rnd = new FastRandom(seed);
  return [
    [Math.max(1, length)],
    [1],
    [2, 3, 5, 7],
    Array.from({ length: 20 }, () => 1 + rnd.int(64)),
    [4096],
  ];
}

/** Ballots as a multiset: (ranking, weight) → number of ballots. */
function multiset(ballots: readonly Ballot[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const b of ballots) {
    if (b === null || typeof b !== 'object' || Array.isArray(b)) {
      const key = `not a ballot: ${JSON.stringify(b)}`;
      out.set(key, (out.get(key) ?? 0) + 1);
      continue;
    }
    const key = JSON.stringify({ ...b, count: undefined });
    out.set(key, (out.get(key) ?? 0) + (b.count ?? 1));
  }
  return out;
}

function errorOf(f: () => unknown): { message: string; line: number } | 'ok' {
  try {
    f();
  } catch (e) {
    if (e instanceof FormatError) {
      return { message: e.message, line: e.line };
    }
    throw e;
  }
  return 'ok';
}

function resultOf(input: Omit<TallyInput, 'seed'>): string {
  return digest(tally({ ...input, seed: 'readers' }));
}

// ---------------------------------------------------------------- generated inputs

function bltText(seed: string, ballots: number): string {
  const rnd = new FastRandom(seed);
  const n = 3 + rnd.int(8);
  const nl = (): string => (rnd.next() < 0.2 ? '\r\n' : '\n');
  const out: string[] = [];
  out.push(`${rnd.next() < 0.1 ? '\ufeff' : ''}${n} ${1 + rnd.int(3)}${nl()}`);
  if (rnd.next() < 0.3) {
    out.push(`-${1 + rnd.int(n)}${nl()}`);
  }
  if (rnd.next() < 0.3) {
    out.push(`[tie ${Array.from({ length: n }, (_, i) => i + 1).join(' ')}]${nl()}`);
  }
  if (rnd.next() < 0.2) {
    out.push(`[droop]${nl()}`);
  }
  const pick = (): number => {
    // Few candidates and short rankings: plenty of repeated ballots.
    return 1 + Math.min(rnd.int(n), rnd.int(n));
  };
  for (let b = 0; b < ballots; b++) {
    const r = rnd.next();
    const len = rnd.int(4);
    const ranks: string[] = [];
    const used = new Set<number>();
    for (let i = 0; i < len; i++) {
      const c = pick();
      if (rnd.next() < 0.03) {
        ranks.push('-');
      } else if (rnd.next() < 0.05) {
        ranks.push(`${c}=${1 + ((c + 1) % n)}`);
      } else if (!used.has(c) || rnd.next() < 0.05) {
        used.add(c);
        ranks.push(String(c));
      }
    }
    const weight =
      r < 0.75
        ? '1'
        : r < 0.85
          ? String(1 + rnd.int(5))
          : r < 0.9
            ? '1.5'
            : r < 0.95
              ? '(b7)'
              : '0.25';
    const sep = rnd.next() < 0.05 ? '  \t' : ' ';
    let line = `${weight}${sep}${[...ranks, '0'].join(sep)}`;
    const x = rnd.next();
    if (x < 0.02) {
      line = `/* a comment */ ${line}`;
    } else if (x < 0.04) {
      line = `${line} # a comment`;
    } else if (x < 0.05) {
      line = `${line} /* spanning${nl()}lines */`;
    } else if (x < 0.06) {
      line = line.replace(' ', nl()); // a ballot across two lines
    } else if (x < 0.07) {
      line = `${line} 1 ${pick()} 0`; // two ballots on a line
    } else if (x < 0.08) {
      line = `${nl()}   ${line}`; // a blank line, leading blanks
    }
    out.push(`${line}${nl()}`);
  }
  out.push(`0${nl()}`);
  for (let i = 0; i < n; i++) {
    out.push(`"Cand ${i} ""q"""${rnd.next() < 0.2 ? nl() : ' '}`);
  }
  out.push(`"The title"${nl()}"source"${rnd.next() < 0.5 ? nl() : ''}`);
  return out.join('');
}

function csvText(seed: string, rows: number): string {
  const rnd = new FastRandom(seed);
  const names = ['Ann', 'Bob', 'Cy', 'Dee', 'Eve', 'Fay'];
  const nl = (): string => (rnd.next() < 0.2 ? '\r\n' : '\n');
  const cols = 1 + rnd.int(5);
  const withCount = rnd.next() < 0.3;
  const withWeight = rnd.next() < 0.2;
  const header = Array.from({ length: cols }, (_, i) =>
    rnd.next() < 0.5 ? `${i + 1}` : `rank ${i + 1}`,
  );
  if (withCount) {
    header.push('count');
  }
  if (withWeight) {
    header.splice(rnd.int(header.length + 1), 0, 'Weight');
  }
  const out: string[] = [`${rnd.next() < 0.1 ? '\ufeff' : ''}${header.join(',')}${nl()}`];
  for (let r = 0; r < rows; r++) {
    const x = rnd.next();
    if (x < 0.03) {
      out.push(`${rnd.next() < 0.5 ? '' : '  '}${nl()}`); // a blank line
      continue;
    }
    const cells = header.map((h) => {
      if (h === 'count') {
        return String(rnd.int(4));
      }
      if (h === 'Weight') {
        return rnd.next() < 0.5 ? '1' : '2.5';
      }
      const y = rnd.next();
      const a = names[Math.min(rnd.int(names.length), rnd.int(names.length))];
      if (y < 0.15) {
        return '';
      }
      if (y < 0.2) {
        return `${a} = ${names[rnd.int(names.length)]}`;
      }
      if (y < 0.23) {
        return `"${a}"`;
      }
      if (y < 0.25) {
        return `"${a}, ""Jr"""`;
      }
      if (y < 0.26) {
        return `"${a}${nl()}on two lines"`;
      }
      return rnd.next() < 0.1 ? ` ${a} ` : a;
    });
    out.push(`${cells.join(',')}${nl()}`);
  }
  return out.join('');
}

function longCsvText(seed: string, ballots: number): string {
  const rnd = new FastRandom(seed);
  const names = ['Ann', 'Bob', 'Cy', '$UNDERVOTE', '$OVERVOTE'];
  const out = ['ballot_id,rank,choice\n'];
  for (let b = 0; b < ballots; b++) {
    const len = 1 + rnd.int(3);
    for (let r = 1; r <= len; r++) {
      out.push(`${b},${r},${names[Math.min(rnd.int(names.length), rnd.int(names.length))]}\n`);
    }
  }
  return out.join('');
}

function contestJsonText(seed: string, ballots: number, method = 'stv'): string {
  const rnd = new FastRandom(seed);
  const names = ['a', 'b', 'c', 'd\u00e9', 'e "q"', 'f}'];
  const ws = (): string => [' ', '', '\n', '\r\n  ', '\t'][rnd.int(5)];
  const items: string[] = [];
  for (let b = 0; b < ballots; b++) {
    const len = rnd.int(4);
    const ranking = Array.from({ length: len }, () => [
      names[Math.min(rnd.int(names.length), rnd.int(names.length))],
    ]);
    const x = rnd.next();
    const ballot: Record<string, unknown> = { ranking };
    if (x < 0.05) {
      ballot.count = rnd.int(3);
    } else if (x < 0.1) {
      ballot.weight = '1.5';
    } else if (x < 0.12) {
      ballot.ranking = [['a', 'b']];
    }
    const text = JSON.stringify(ballot);
    items.push(rnd.next() < 0.1 ? text.replace(/,/g, `,${ws()}`) : text);
  }
  const members = [
    `"method":${ws()}"${method}"`,
    `"config":${JSON.stringify({ variant: 'scottish', seats: 2 })}`,
    `"candidates":${JSON.stringify(names)}`,
    `"ball\\u006fts":${ws()}[${ws()}${items.join(`,${ws()}`)}${ws()}]`,
    `"seed": "s"`,
  ];
  const order = rnd.next() < 0.5 ? members : [members[3], ...members.slice(0, 3), members[4]];
  return `${ws()}{${ws()}${order.join(`,${ws()}`)}${ws()}}${ws()}`;
}

function cvotesText(seed: string, lines: number): string {
  const rnd = new FastRandom(seed);
  const names = ['A', 'B', 'C', 'D'];
  const out: string[] = [];
  if (rnd.next() < 0.5) {
    out.push('#/Candidates: A ; B ; C');
  }
  out.push(`#/Weight Allowed: ${rnd.next() < 0.5 ? 'true' : 'false'}`);
  for (let i = 0; i < lines; i++) {
    const len = 1 + rnd.int(3);
    const ranks = Array.from({ length: len }, () => names[rnd.int(names.length)]);
    let line = ranks.join(rnd.next() < 0.1 ? ' = ' : ' > ');
    if (rnd.next() < 0.1) {
      line += ` ^${1 + rnd.int(3)}`;
    }
    if (rnd.next() < 0.1) {
      line += ` * ${1 + rnd.int(4)}`;
    }
    if (rnd.next() < 0.05) {
      line += ' # comment';
    }
    out.push(line);
    if (rnd.next() < 0.05) {
      out.push('');
    }
  }
  return out.join(rnd.next() < 0.5 ? '\n' : '\r\n');
}

// ---------------------------------------------------------------- the plumbing

describe('streaming building blocks', () => {
  it('splits lines across chunk boundaries, including a last line without a newline', () => {
    const text = 'first line\nsecond, a longer line\n\nx\r\nlast';
    for (const sizes of chunkings('lines', text.length)) {
      const lines: string[] = [];
      const split = new LineSplitter((buf, s, e, terminated) =>
        lines.push(`${new TextDecoder().decode(buf.subarray(s, e))}${terminated ? '|' : '$'}`),
      );
      const scratch = new Uint8Array(64);
      const bytes = bytesOf(text);
      let k = 0;
      for (let p = 0; p < bytes.length;) {
        const n = Math.min(sizes[k++ % sizes.length], bytes.length - p);
        scratch.set(bytes.subarray(p, p + n));
        split.push(scratch.subarray(0, n));
        scratch.fill(0x37);
        p += n;
      }
      split.end();
      expect(lines).toEqual(['first line|', 'second, a longer line|', '|', 'x\r|', 'last$']);
    }
  });

  it('gives each distinct byte string one id, in order of first sight', () => {
    const keys = new ByteKeys();
    const rnd = new FastRandom('keys');
    const ids = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const text = String(rnd.int(5000));
      const b = bytesOf(`x${text}y`);
      const h = hashBytes(b, 1, b.length - 1);
      let id = keys.find(b, 1, b.length - 1, h);
      if (id < 0) {
        id = keys.add(b, 1, b.length - 1, h);
        expect(ids.has(text)).toBe(false);
        expect(id).toBe(ids.size);
        ids.set(text, id);
      }
      expect(id).toBe(ids.get(text));
    }
    expect(keys.size).toBe(ids.size);
  });
});

// ---------------------------------------------------------------- BLT

describe('BLT, read as a stream', () => {
  const readBlt = (text: string | Uint8Array, sizes: number[] = [1 << 16]) =>
    readIn(new BltReader(), typeof text === 'string' ? bytesOf(text) : text, sizes);

  it('reads what parseBlt reads, in the same shapes when no ballot repeats', () => {
    const blt = [
      '\ufeff4 2 # four candidates, two seats',
      '-4',
      '[tie 2 1 3]',
      '[nick a b c d]',
      '3 a b=c 0',
      '/* a comment */ 2 3 1 0',
      '(ballot-7) 2 0',
      '1 0',
      '0',
      '"Ann" "Bob" "Cy ""the"" Dee"',
      '"Dot"',
      '"Title"',
    ].join('\n');
    for (const sizes of chunkings('blt-sample', blt.length)) {
      expect(readBlt(blt, sizes)).toEqual(parseBlt(blt));
    }
  });

  it('groups repeated ballot lines into one entry with their count', () => {
    const c = readBlt(
      '3 1\n1 1 2 0\n1 2 0\n1 1 2 0\n2 1 2 0\n1 1  2 0\n2 1 2 0\n1.5 1 0\n1.5 1 0\n0\n"A" "B" "C"\n',
    );
    expect(c.ballots).toEqual([
      { ranking: [['A'], ['B']], count: 2 },
      { ranking: [['B']], count: 1 },
      // The same ranking on a line with another count or other blanks: merged by the engine.
      { ranking: [['A'], ['B']], count: 4 },
      { ranking: [['A'], ['B']], count: 1 },
      { ranking: [['A']], weight: '1.5', count: 2 },
    ]);
  });

  it('matches parseBlt on generated files, whatever the chunk boundaries', () => {
    for (let s = 0; s < 40; s++) {
      const text = bltText(`blt-${s}`, 300);
      const old = parseBlt(text);
      const whole = readBlt(text);
      for (const sizes of chunkings(`blt-chunks-${s}`, text.length)) {
        const c = readBlt(text, sizes);
        expect(c.ballots).toHaveLength(whole.ballots.length);
        expect({ ...c, ballots: multiset(c.ballots) }).toEqual({
          ...old,
          ballots: multiset(old.ballots),
        });
      }
      const stv = (b: typeof old): Omit<TallyInput, 'seed'> => ({
        method: 'stv',
        config: { variant: 'scottish', seats: b.seats, withdrawn: b.withdrawn },
        candidates: b.candidates,
        ballots: b.ballots,
      });
      expect(resultOf(stv(readBlt(text)))).toBe(resultOf(stv(old)));
    }
  });

  it.each([
    ['a bad candidate number', '2 1\n1 1 0\n1 1 9 0\n0\n"A" "B"\n"t"'],
    ['a missing name', '2 1\n1 1 0\n0\n"A"'],
    ['a weight that is not a number', '2 1\n1 1 0\nx 1 0\n0\n"A" "B"'],
    ['an unknown nickname', '2 1\n[nick a b]\n1 a c 0\n0\n"A" "B"'],
    ['a quoted name inside a ballot', '2 1\n1 1\n"A" 0\n0\n"A" "B"'],
    ['an unquoted name', '2 1\n1 1 0\n0\n"A" B'],
    ['an unterminated comment', '2 1\n1 1 0\n/* open\n0\n"A" "B"'],
    ['an unterminated name', '2 1\n1 1 0\n0\n"A" "B\n\n'],
    ['a duplicate name', '2 1\n1 1 0\n0\n"A" "A"\n\n"title"'],
    ['no candidates', '0 1\n0\n'],
    ['a missing seat count', '2'],
    ['an empty file', ''],
    ['an unclosed option', '2 1\n[tie 1 2\n'],
    ['a file cut inside a ballot', '2 1\n1 1 2'],
    ['a withdrawn number out of range', '2 1\n-3\n1 1 0\n0\n"A" "B"'],
    ['a candidate 00', '2 1\n1 1 00 0\n0\n"A" "B"'],
  ])('names the line of %s as parseBlt does', (_what, text) => {
    const expected = errorOf(() => parseBlt(text));
    expect(expected).not.toBe('ok');
    for (const sizes of chunkings('blt-errors', text.length)) {
      expect(errorOf(() => readBlt(text, sizes))).toEqual(expected);
    }
  });

  it('names the line of a bad ballot deep in a large file, cut by a chunk boundary', () => {
    const lines = ['3 2'];
    for (let i = 0; i < 50_000; i++) {
      lines.push(`1 ${1 + (i % 3)} ${1 + ((i + 1) % 3)} 0`);
    }
    lines.push('1 2 4 0', '0', '"A" "B" "C"');
    const text = lines.join('\r\n');
    const bytes = bytesOf(text);
    const at = text.indexOf('1 2 4 0');
    for (const size of [at + 3, 4096, 65536]) {
      expect(errorOf(() => readBlt(bytes, [size]))).toEqual({
        message: 'line 50002: candidate number 4 is out of range 1..3',
        line: 50_002,
      });
    }
  });
});

// ---------------------------------------------------------------- CSV

describe('ranked CSV, read as a stream', () => {
  const readCsv = (text: string, sizes: number[] = [1 << 16]) =>
    readIn(new RankedCsvReader(), bytesOf(text), sizes);

  it('reads what parseRankedCsv reads, in the same shapes when no row repeats', () => {
    const text = 'rank 1,rank 2,count\nA,B=C,3\nC,,1\n';
    expect(readCsv(text)).toEqual(parseRankedCsv(text));
    const long = 'ballot_id,rank,choice\n1,1,A\n1,2,$UNDERVOTE\n1,3,B\n2,1,$OVERVOTE\n';
    expect(readCsv(long)).toEqual(parseRankedCsv(long));
    // Rank columns out of order, names read from bytes and from text in one file.
    const mixed = 'note,2,1\nx,B,A\n\u00e9,C,B\ny,, Dee \nz,A,\n';
    for (const sizes of chunkings('csv-mixed', mixed.length)) {
      expect(readCsv(mixed, sizes)).toEqual(parseRankedCsv(mixed));
    }
  });

  it('groups repeated rows, multiplying a count column', () => {
    expect(readCsv('1,2,count\nA,B,2\nA,B,2\nB,,1\n').ballots).toEqual([
      { ranking: [['A'], ['B']], count: 4 },
      { ranking: [['B']], count: 1 },
    ]);
    expect(readCsv('1,2\r\nA,B\r\n\r\nA,B\r\n').ballots).toEqual([
      { ranking: [['A'], ['B']], count: 2 },
    ]);
  });

  it('matches parseRankedCsv on generated files in both layouts, whatever the chunk boundaries', () => {
    for (let s = 0; s < 40; s++) {
      const text = s % 4 === 3 ? longCsvText(`long-${s}`, 200) : csvText(`csv-${s}`, 300);
      const old = errorOf(() => parseRankedCsv(text));
      for (const sizes of chunkings(`csv-chunks-${s}`, text.length)) {
        if (old !== 'ok') {
          expect(errorOf(() => readCsv(text, sizes))).toEqual(old);
          continue;
        }
        const c = readCsv(text, sizes);
        const expected = parseRankedCsv(text);
        expect({ ...c, ballots: multiset(c.ballots) }).toEqual({
          ...expected,
          ballots: multiset(expected.ballots),
        });
      }
      if (old === 'ok') {
        const irv = (c: { candidates: string[]; ballots: RankedBallot[] }) =>
          resultOf({ method: 'irv', config: {}, candidates: c.candidates, ballots: c.ballots });
        expect(irv(readCsv(text))).toBe(irv(parseRankedCsv(text)));
      }
    }
  });

  it.each([
    ['a count that is not a number', '1,2,count\nA,B,2\nA,B,x\n'],
    ['an empty name', '1,2\nA,B\n\n"x\ny",=B\n'],
    ['no rank columns', '\n\nname,age\nA,3\n'],
    ['an unterminated quote', '1,2\nA,B\n"A,B\n\nC\n'],
    ['a weight that is not a decimal', 'weight,1\n1,A\n-1,B\n'],
    ['long ranks out of order', 'ballot_id,rank,choice\r\n1,1,A\r\n1,3,B\r\n'],
    ['a long row of two fields', 'ballot_id,rank,choice\n1,1,A\n1,2\n'],
    ['an empty file', '\n \n'],
  ])('names the line of %s as parseRankedCsv does', (_what, text) => {
    const expected = errorOf(() => parseRankedCsv(text));
    expect(expected).not.toBe('ok');
    for (const sizes of chunkings('csv-errors', text.length)) {
      expect(errorOf(() => readCsv(text, sizes))).toEqual(expected);
    }
  });
});

// ---------------------------------------------------------------- contest JSON

describe('contest JSON, read as a stream', () => {
  const readJson = (text: string, sizes: number[] = [1 << 16]) =>
    readIn(new ContestJsonReader(), bytesOf(text), sizes);

  it('matches parseContestJson on generated files, whatever the chunk boundaries', () => {
    for (let s = 0; s < 40; s++) {
      const text = contestJsonText(`json-${s}`, 300);
      const old = parseContestJson(text);
      const whole = readJson(text);
      for (const sizes of chunkings(`json-chunks-${s}`, text.length)) {
        const c = readJson(text, sizes);
        // An element cut by a chunk boundary is found by the same hash as a whole one.
        expect(c.ballots).toHaveLength(whole.ballots.length);
        expect({ ...c, ballots: multiset(c.ballots) }).toEqual({
          ...old,
          ballots: multiset(old.ballots),
        });
      }
      expect(resultOf(whole)).toBe(resultOf(old));
    }
  });

  it('groups repeated ballots with their counts, and leaves alone what the engine would refuse', () => {
    const c = readJson(
      '\ufeff{"method":"irv","candidates":["a"],"ballots":[{"ranking":[["a"]]},{"ranking":[["a"]]},' +
        '{"count":2,"ranking":[]},{"count":2,"ranking":[]},null,null,{"count":-1},{"count":-1}]}',
    );
    expect(c.ballots).toEqual([
      { ranking: [['a']], count: 2 },
      { count: 4, ranking: [] },
      null,
      null,
      { count: -1 },
      { count: -1 },
    ]);
  });

  it('never groups the ballots of a jury, so a juror who votes twice is still refused', () => {
    const text = JSON.stringify({
      method: 'score',
      config: {
        criteria: [{ id: 'k', weight: 1, min: 0, max: 10 }],
        aggregate: 'mean',
        minScores: 1,
      },
      candidates: ['n1'],
      ballots: [
        { juror: 'j1', scores: { n1: { k: 5 } } },
        { juror: 'j1', scores: { n1: { k: 5 } } },
      ],
    });
    expect(() => resultOf(readJson(text))).toThrow('juror "j1" has more than one ballot');
  });

  it('reads a valid file only: anything parseContestJson refuses is left to it', () => {
    const valid = contestJsonText('json-mutations', 20, 'irv');
    const rnd = new FastRandom('json-mutations');
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      const at = rnd.int(valid.length);
      const junk = ['', ',', '}', ']', '"', '{', '[', ':', 'x', '\\', '1', ' '][rnd.int(12)];
      const text = valid.slice(0, at) + junk + valid.slice(at + (rnd.next() < 0.5 ? 1 : 0));
      const old = errorOf(() => parseContestJson(text));
      let streamed: ReturnType<typeof parseContestJson> | 'not streamed';
      try {
        streamed = readJson(text, [1 + rnd.int(40)]);
      } catch (e) {
        if (!(e instanceof NotStreamable)) {
          throw e;
        }
        streamed = 'not streamed';
      }
      if (old !== 'ok') {
        refused++;
        expect(streamed).toBe('not streamed');
      } else if (streamed !== 'not streamed') {
        const expected = parseContestJson(text);
        expect({ ...streamed, ballots: multiset(streamed.ballots) }).toEqual({
          ...expected,
          ballots: multiset(expected.ballots),
        });
      }
    }
    expect(refused).toBeGreaterThan(100);
  });
});

// ---------------------------------------------------------------- Condorcet text

describe('Condorcet text, read as a stream', () => {
  const readCvotes = (text: string | Uint8Array, sizes: number[] = [1 << 16]) =>
    readIn(new CondorcetTextReader(), typeof text === 'string' ? bytesOf(text) : text, sizes);

  it('matches parseCondorcetText on generated files, whatever the chunk boundaries', () => {
    for (let s = 0; s < 30; s++) {
      const text = cvotesText(`cvotes-${s}`, 200);
      const old = parseCondorcetText(text);
      for (const sizes of chunkings(`cvotes-chunks-${s}`, text.length)) {
        const c = readCvotes(text, sizes);
        expect({ ...c, ballots: multiset(c.ballots) }).toEqual({
          ...old,
          ballots: multiset(old.ballots),
        });
      }
    }
  });

  it('names the line of a vote it cannot read', () => {
    const text = 'A > B\nA > B\n#/Number of Seats: 2\nA > B\nA ^ > B\n';
    expect(errorOf(() => readCvotes(text, [3]))).toEqual(errorOf(() => parseCondorcetText(text)));
    expect(errorOf(() => readCvotes('A\n#/Number of Seats: x\n'))).toEqual({
      message: 'line 2: number of seats is not a whole number: "x"',
      line: 2,
    });
  });
});

// ---------------------------------------------------------------- the shared vectors

const VECTORS = path.resolve(__dirname, '../../../../shared/tally-vectors');

function vectorFiles(pattern: RegExp): string[] {
  if (!fs.existsSync(VECTORS)) {
    throw new Error(`tally vectors not found at ${VECTORS}: clone shared/ beside the repository`);
  }
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else if (pattern.test(e.name)) {
        out.push(p);
      }
    }
  };
  walk(VECTORS);
  return out.sort();
}

describe('the shared vector files, read as a stream', () => {
  // The command line reads every file as UTF-8; so do both readers here.
  const same = <T>(
    file: string,
    whole: (text: string) => T,
    stream: () => Reader<T>,
    ballotsOf: (c: T) => readonly Ballot[],
    count?: (c: T) => string,
  ): void => {
    const bytes = fs.readFileSync(file);
    const old = errorOf(() => whole(bytes.toString('utf8')));
    if (old !== 'ok') {
      expect(errorOf(() => readIn(stream(), bytes, [4096]))).toEqual(old);
      return;
    }
    const expected = whole(bytes.toString('utf8'));
    const c = readIn(stream(), bytes, [4093]);
    expect({ ...c, ballots: multiset(ballotsOf(c)) }).toEqual({
      ...expected,
      ballots: multiset(ballotsOf(expected)),
    });
    if (count) {
      expect(count(c)).toBe(count(expected));
    }
  };

  it.each(vectorFiles(/\.(blt|hil)$/i).map((f) => [path.relative(VECTORS, f), f]))(
    '%s (BLT)',
    (_name, file) => {
      same(
        file,
        parseBlt,
        () => new BltReader(),
        (c) => c.ballots,
        (c) => {
          const config: MethodConfig = {
            variant: 'scottish',
            seats: c.seats,
            withdrawn: c.withdrawn,
          };
          return resultOf({ method: 'stv', config, candidates: c.candidates, ballots: c.ballots });
        },
      );
    },
  );

  it.each(vectorFiles(/\.csv$/i).map((f) => [path.relative(VECTORS, f), f]))(
    '%s (ranked CSV)',
    (_name, file) => {
      same(
        file,
        parseRankedCsv,
        () => new RankedCsvReader(),
        (c) => c.ballots,
      );
    },
  );

  it.each(vectorFiles(/\.cvotes$/i).map((f) => [path.relative(VECTORS, f), f]))(
    '%s (Condorcet text)',
    (_name, file) => {
      same(
        file,
        parseCondorcetText,
        () => new CondorcetTextReader(),
        (c) => c.ballots,
      );
    },
  );
});
