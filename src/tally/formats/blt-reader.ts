import type { RankedBallot } from '../types';
import type { BltContest } from './blt';
import { FormatError } from './format-error';
import { afterBom, ByteKeys, decodeUtf8, IntList, LineSplitter, SingleRanks } from './stream';

/**
 * BLT read as a stream (see parseBlt for the format), with identical ballots grouped as they
 * are read: the result holds one entry per distinct ballot line, with its count, and counts the
 * same as parseBlt's one entry per ballot (lines that differ only in their count or blanks stay
 * apart; the engine merges them). A plain ballot line (`<count> <n> … 0`, digits and blanks) is
 * found by its bytes and read only the first time; anything else goes through the tokenizer,
 * which carries comments and quoted names across lines. Errors name the line as parseBlt does;
 * the first error in the file is the one reported.
 */
export class BltReader {
  private readonly lines = new LineSplitter(
    (buf, s, e, t) => this.onLine(buf, s, e, t),
    (buf, s, limit) => this.plainBallot(buf, s, limit),
  );
  private line = 0;
  private readonly tokens = new BltTokenizer((text, quoted, line) =>
    this.onToken(text, quoted, line),
  );
  private lastTokenLine = 1;

  private state: State = 'candidates';
  private nCand = 0;
  private seats = 0;
  private firstLine = 1;
  private readonly withdrawnNums = new Set<number>();
  private tieNums: number[] | undefined;
  private nicks: string[] = [];
  private option: { name: string; args: { text: string; line: number }[] } | null = null;
  private ballot: { weight: string; ranks: number[][] } | null = null;
  private readonly names: string[] = [];
  private title = '';
  private titleLine: number | undefined;

  // Plain ballot lines, grouped by their bytes (the engine merges lines that differ only in
  // their count or blanks): line k ranks the candidate numbers pool[start[k] .. start[k + 1])
  // and tally[2k] ballots so far, each line counting tally[2k + 1] (its weight; -1 for a
  // line seen before that is not a plain ballot).
  private readonly lineKeys = new ByteKeys();
  private tally = new Float64Array(1 << 13);
  private readonly pool = new IntList(1 << 16);
  private readonly start = new IntList(1 << 12);
  private readonly scratch = new Int32Array(64);
  private readonly found = new Float64Array(2);
  // Ballots the tokenizer read, grouped by their content, each placed after the plain groups
  // seen before it, so that groups keep the order of first sight.
  private readonly otherKeys = new Map<string, number>();
  private readonly others: { ranks: number[][]; weight: string; count: number; after: number }[] =
    [];

  push(chunk: Uint8Array): void {
    this.lines.push(chunk);
  }

  end(): BltContest {
    this.lines.end();
    this.tokens.end();
    const expected = EXPECTED[this.state];
    if (expected !== undefined) {
      throw new FormatError(
        `unexpected end of file, expected ${expected(this.names.length)}`,
        this.lastTokenLine,
      );
    }
    const names = this.names;
    if (new Set(names).size !== names.length) {
      throw new FormatError(
        'two candidates have the same name',
        this.titleLine ?? this.lastTokenLine,
      );
    }
    const single = new SingleRanks();
    const ranks = names.map((n) => single.of(n));
    const ballots: RankedBallot[] = [];
    const pool = this.pool.data;
    const start = this.start.data;
    const lines = this.lineKeys.size;
    const tally = this.tally;
    let o = 0;
    for (let k = 0; k <= lines; k++) {
      for (; o < this.others.length && this.others[o].after <= k; o++) {
        const g = this.others[o];
        const ranking = g.ranks.map((r) =>
          r.length === 1 ? ranks[r[0] - 1] : r.map((i) => names[i - 1]),
        );
        ballots.push(bltGroup(ranking, g.weight, g.count));
      }
      if (k < lines && tally[2 * k + 1] >= 0) {
        const ranking = new Array<string[]>(start[k + 1] - start[k]);
        for (let p = 0, s = start[k]; p < ranking.length; p++) {
          ranking[p] = ranks[pool[s + p] - 1];
        }
        // A small integer, not a boxed number per ballot.
        const count = tally[2 * k];
        ballots.push({ ranking, count: count <= 0x3fffffff ? count | 0 : count });
      }
    }
    return {
      title: this.title,
      seats: this.seats,
      candidates: names,
      withdrawn: [...this.withdrawnNums].sort((a, b) => a - b).map((k) => names[k - 1]),
      tieOrder: this.tieNums?.map((k) => names[k - 1]),
      ballots,
    };
  }

  private onLine(buf: Uint8Array, start: number, end: number, terminated: boolean): void {
    this.line++;
    if (this.line === 1) {
      start = afterBom(buf, start, end);
    }
    this.tokens.line(decodeUtf8(buf, start, end), terminated, this.line);
  }

  /**
   * Counts a line holding exactly one plain ballot and nothing else; returns the offset after
   * its "\n", or -1 to leave the line to the tokenizer (which also reports any error in it).
   * Most lines repeat an earlier one: those are only hashed and found, not read.
   */
  private plainBallot(buf: Uint8Array, start: number, limit: number): number {
    if (
      (this.state !== 'weight' && this.state !== 'options') ||
      this.nicks.length > 0 ||
      !this.tokens.idle()
    ) {
      return -1;
    }
    let h = 0x811c9dc5; // hashBytes of the line, inlined
    let p = start;
    for (; p < limit; p++) {
      const b = buf[p];
      if (b === NEWLINE) {
        break;
      }
      h = Math.imul(h ^ b, 0x01000193);
    }
    if (p === limit) {
      return -1;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    let k = this.lineKeys.find(buf, start, p, h);
    if (k < 0) {
      k = this.newLine(buf, start, p, h);
    }
    const tally = this.tally;
    const weight = tally[2 * k + 1];
    if (weight < 0) {
      return -1;
    }
    tally[2 * k] += weight;
    this.line++;
    this.lastTokenLine = this.line;
    this.state = 'weight';
    return p + 1;
  }

  /** Adds a line not seen before (its "\n" at `end`), read in full; returns its index. */
  private newLine(buf: Uint8Array, start: number, end: number, h: number): number {
    const k = this.lineKeys.add(buf, start, end, h);
    if (2 * k + 1 >= this.tally.length) {
      const next = new Float64Array(this.tally.length * 2);
      next.set(this.tally);
      this.tally = next;
    }
    if (k === 0) {
      this.start.push(0);
    }
    const found = this.found;
    if (scanPlainBallot(buf, start, end + 1, this.nCand, this.scratch, found)) {
      for (let i = 0, n = found[LENGTH]; i < n; i++) {
        this.pool.push(this.scratch[i]);
      }
      this.tally[2 * k + 1] = found[WEIGHT];
    } else {
      this.tally[2 * k + 1] = -1;
    }
    this.start.push(this.pool.length);
    return k;
  }

  private onToken(text: string, quoted: boolean, line: number): void {
    this.lastTokenLine = line;
    switch (this.state) {
      case 'candidates':
        this.firstLine = line;
        this.nCand = int(text, quoted, line, 'the number of candidates');
        this.state = 'seats';
        return;
      case 'seats':
        this.seats = int(text, quoted, line, 'the number of seats');
        if (this.nCand < 1) {
          throw new FormatError('no candidates', this.firstLine);
        }
        this.state = 'options';
        return;
      case 'options':
        if (!quoted && /^-\d+$/.test(text)) {
          this.withdrawnNums.add(this.candidateRef(text.slice(1), line));
          return;
        }
        if (!quoted && text === '[') {
          this.state = 'optionName';
          return;
        }
        this.state = 'weight';
        this.onToken(text, quoted, line);
        return;
      case 'optionName':
        this.option = { name: text, args: [] };
        this.state = 'optionArgs';
        return;
      case 'optionArgs':
        if (text !== ']' || quoted) {
          this.option!.args.push({ text, line });
          return;
        }
        this.applyOption(this.option!);
        this.option = null;
        this.state = 'options';
        return;
      case 'weight': {
        let weight: string;
        if (!quoted && text === '0') {
          this.state = 'names';
          return;
        }
        if (!quoted && /^\(.*\)$/.test(text)) {
          weight = '1';
        } else if (!quoted && /^\d+(\.\d+)?$/.test(text)) {
          weight = text;
        } else {
          throw new FormatError(`expected a ballot weight, found "${text}"`, line);
        }
        this.ballot = { weight, ranks: [] };
        this.state = 'ranks';
        return;
      }
      case 'ranks':
        if (quoted) {
          throw new FormatError(`ballot not ended by 0 before "${text}"`, line);
        }
        if (text === '0') {
          this.addBallot(this.ballot!);
          this.ballot = null;
          this.state = 'weight';
          return;
        }
        this.ballot!.ranks.push(
          text === '-' ? [] : text.split('=').map((x) => this.candidateRef(x, line)),
        );
        return;
      case 'names':
        if (!quoted) {
          throw new FormatError(`expected a quoted candidate name, found "${text}"`, line);
        }
        this.names.push(text);
        if (this.names.length === this.nCand) {
          this.state = 'title';
        }
        return;
      case 'title':
        this.title = text;
        this.titleLine = line;
        this.state = 'done';
        return;
      case 'done':
        return;
    }
  }

  private applyOption(o: { name: string; args: { text: string; line: number }[] }): void {
    switch (o.name) {
      case 'nick':
        this.nicks = o.args.map((a) => a.text);
        break;
      case 'withdrawn':
        o.args.forEach((a) => this.withdrawnNums.add(this.candidateRef(a.text, a.line)));
        break;
      case 'tie':
        this.tieNums = o.args.map((a) => this.candidateRef(a.text, a.line));
        break;
      default:
        break; // [droop …] and other program options do not change the ballots
    }
  }

  private candidateRef(text: string, line: number): number {
    const byNick = this.nicks.indexOf(text);
    if (byNick >= 0) {
      return byNick + 1;
    }
    if (!/^\d+$/.test(text)) {
      throw new FormatError(`unknown candidate "${text}"`, line);
    }
    const k = Number(text);
    if (k < 1 || k > this.nCand) {
      throw new FormatError(`candidate number ${k} is out of range 1..${this.nCand}`, line);
    }
    return k;
  }

  /** A ballot read by the tokenizer: grouped by its content. */
  private addBallot(b: { weight: string; ranks: number[][] }): void {
    // Kept as parseBlt has them: a whole weight is a count of ballots, except on an empty
    // ballot; a fractional weight is a weight.
    const count = /^\d+$/.test(b.weight) && b.ranks.length > 0;
    const weight = count ? '1' : b.weight;
    const add = count ? Number(b.weight) : 1;
    // A count beyond what the engine takes is left apart, so that it is refused as it would be.
    const key = Number.isSafeInteger(add)
      ? `${weight}\u0000${b.ranks.map((r) => `${r.join('=')};`).join('')}`
      : `\u0001${this.others.length}`;
    const g = this.otherKeys.get(key);
    if (g !== undefined) {
      this.others[g].count += add;
      return;
    }
    this.otherKeys.set(key, this.others.length);
    this.others.push({ ranks: b.ranks, weight, count: add, after: this.lineKeys.size });
  }
}

/** A group in the shape parseBlt gives a single ballot of the same kind. */
function bltGroup(ranking: string[][], weight: string, count: number): RankedBallot {
  if (ranking.length === 0) {
    if (weight === '1') {
      return count === 1 ? { ranking } : { ranking, count };
    }
    return { ranking, count, weight };
  }
  if (weight === '1') {
    return { ranking, count };
  }
  return count === 1 ? { ranking, weight } : { ranking, weight, count };
}

type State =
  | 'candidates'
  | 'seats'
  | 'options'
  | 'optionName'
  | 'optionArgs'
  | 'weight'
  | 'ranks'
  | 'names'
  | 'title'
  | 'done';

/** What parseBlt says it expected when the file ends in each state. */
const EXPECTED: Partial<Record<State, (names: number) => string>> = {
  candidates: () => 'the number of candidates',
  seats: () => 'the number of seats',
  options: () => 'a ballot or the closing 0',
  optionName: () => 'an option name',
  optionArgs: () => '"]"',
  weight: () => 'a ballot or the closing 0',
  ranks: () => 'a candidate or the 0 ending the ballot',
  names: (n) => `the name of candidate ${n + 1}`,
};

function int(text: string, quoted: boolean, line: number, what: string): number {
  if (quoted || !/^\d+$/.test(text)) {
    throw new FormatError(`expected ${what}, found "${text}"`, line);
  }
  return Number(text);
}

// What scanPlainBallot found, by index.
const WEIGHT = 0;
const LENGTH = 1;

/**
 * Reads a line at `start` holding one plain ballot, `<count> <n> … 0` in digits and blanks,
 * ending in "\n" before `limit`: puts its candidate numbers in `ranks` and its count and
 * length in `found`; false for any other line.
 */
function scanPlainBallot(
  buf: Uint8Array,
  start: number,
  limit: number,
  nCand: number,
  ranks: Int32Array,
  found: Float64Array,
): boolean {
  let p = start;
  while (p < limit && (buf[p] === SPACE || buf[p] === TAB)) {
    p++;
  }
  const ws = p;
  let weight = 0;
  while (p < limit && buf[p] >= ZERO && buf[p] <= NINE) {
    weight = weight * 10 + buf[p++] - ZERO;
  }
  const wl = p - ws;
  if (wl === 0 || wl > 15 || (wl === 1 && weight === 0) || p === limit) {
    return false;
  }
  if (buf[p] !== SPACE && buf[p] !== TAB) {
    return false;
  }
  let n = 0;
  for (;;) {
    while (p < limit && (buf[p] === SPACE || buf[p] === TAB)) {
      p++;
    }
    const ts = p;
    let k = 0;
    while (p < limit && buf[p] >= ZERO && buf[p] <= NINE) {
      k = k * 10 + buf[p++] - ZERO;
    }
    const tl = p - ts;
    if (tl === 0 || tl > 9 || p === limit) {
      return false;
    }
    if (tl === 1 && k === 0) {
      break;
    }
    if (k < 1 || k > nCand || n === ranks.length) {
      return false;
    }
    ranks[n++] = k;
    if (buf[p] !== SPACE && buf[p] !== TAB) {
      return false;
    }
  }
  while (p < limit && (buf[p] === SPACE || buf[p] === TAB)) {
    p++;
  }
  if (p < limit && buf[p] === CR) {
    p++;
  }
  if (p === limit || buf[p] !== NEWLINE || n === 0) {
    return false;
  }
  found[WEIGHT] = weight;
  found[LENGTH] = n;
  return true;
}

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const NEWLINE = 0x0a;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * parseBlt's tokenizer fed one line at a time: a /* comment or a quoted name left open at the
 * end of a line continues on the next, and an unterminated one is reported at its first line.
 */
class BltTokenizer {
  private mode: 'normal' | 'comment' | 'quote' = 'normal';
  private openedAt = 0;
  private quoted = '';

  constructor(private readonly emit: (text: string, quoted: boolean, line: number) => void) {}

  idle(): boolean {
    return this.mode === 'normal';
  }

  line(body: string, terminated: boolean, line: number): void {
    const text = terminated ? `${body}\n` : body;
    let i = 0;
    if (this.mode === 'comment') {
      const end = text.indexOf('*/');
      if (end < 0) {
        return;
      }
      this.mode = 'normal';
      i = end + 2;
    } else if (this.mode === 'quote') {
      i = this.quote(text, 0);
    }
    while (i < text.length && this.mode === 'normal') {
      const ch = text[i];
      if (ch === '\n' || /\s/.test(ch)) {
        i++;
      } else if (ch === '#') {
        return;
      } else if (ch === '/' && text[i + 1] === '*') {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) {
          this.mode = 'comment';
          this.openedAt = line;
          return;
        }
        i = end + 2;
      } else if (ch === '"') {
        this.mode = 'quote';
        this.openedAt = line;
        this.quoted = '';
        i = this.quote(text, i + 1);
      } else if (ch === '[' || ch === ']') {
        this.emit(ch, false, line);
        i++;
      } else {
        let j = i;
        while (
          j < text.length &&
          !/\s/.test(text[j]) &&
          text[j] !== '"' &&
          text[j] !== '[' &&
          text[j] !== ']' &&
          text[j] !== '#'
        ) {
          j++;
        }
        this.emit(text.slice(i, j), false, line);
        i = j;
      }
    }
  }

  /** Reads a quoted name from `i`; returns where reading stopped (the end of a line if open). */
  private quote(text: string, i: number): number {
    while (i < text.length) {
      if (text[i] === '"') {
        if (text[i + 1] === '"') {
          this.quoted += '"';
          i += 2;
          continue;
        }
        this.mode = 'normal';
        this.emit(this.quoted, true, this.openedAt);
        return i + 1;
      }
      this.quoted += text[i++];
    }
    return i;
  }

  end(): void {
    if (this.mode === 'comment') {
      throw new FormatError('unterminated /* comment', this.openedAt);
    }
    if (this.mode === 'quote') {
      throw new FormatError('unterminated quoted name', this.openedAt);
    }
  }
}
