import type { RankedBallot } from '../types';
import { FormatError } from './format-error';
import { OVERVOTE, UNDERVOTE } from './pyrankvote-csv';
import {
  afterBom,
  ByteKeys,
  decodeUtf8,
  grownInts,
  IntList,
  LineSplitter,
  SingleRanks,
} from './stream';

/**
 * Ranked CSV read as a stream (the layouts of parseRankedCsv), with identical ballots grouped
 * as they are read: the result counts the same as parseRankedCsv's one entry per row (or per
 * ballot id in the long layout). A wide-layout line without quotes is looked up by its bytes
 * and decoded only the first time it is seen; quoted fields go through parseCsv's rules, fed
 * line by line, so a quoted field may still span lines. Errors name the line as
 * parseRankedCsv does; the first error in the file is the one reported.
 */
export class RankedCsvReader {
  private readonly lines = new LineSplitter(
    (buf, s, e, t) => this.onLine(buf, s, e, t),
    (buf, s, limit) => this.wideLine(buf, s, limit),
  );
  private readonly rows = new CsvRows((cells, line) => this.onRow(cells, line));
  private layout: 'header' | 'wide' | 'long' = 'header';
  private first = true;

  private readonly candidates: string[] = [];
  private readonly known = new Set<string>();
  private readonly single = new SingleRanks();
  private readonly ballots: RankedBallot[] = [];
  /** How many times each entry of `ballots` was read. */
  private readonly seen: number[] = [];

  // Wide layout.
  private rankCols: number[] = [];
  private countCol = -1;
  private weightCol = -1;
  private readonly lineKeys = new ByteKeys();
  /** Entry of each distinct line, or -1 for a blank one. */
  private readonly lineEntry = new IntList();
  private readonly found = new Int32Array(3);
  /** Start and end of each cell of the row being read from its bytes. */
  private cells = new Int32Array(96);
  private readonly names = new ByteKeys();
  private readonly nameRanks: string[][] = [];

  // Long layout: the ballot being read, and entries by ranking.
  private currentId: string | null = null;
  private current: string[][] = [];
  private lastRank = 0;
  private readonly byRanking = new Map<string, number>();

  push(chunk: Uint8Array): void {
    this.lines.push(chunk);
  }

  end(): { candidates: string[]; ballots: RankedBallot[] } {
    this.lines.end();
    this.rows.end();
    if (this.layout === 'header') {
      throw new FormatError('empty file', 1);
    }
    if (this.layout === 'long') {
      this.flushLong();
    }
    for (let k = 0; k < this.ballots.length; k++) {
      if (this.seen[k] !== 1) {
        this.ballots[k].count = (this.ballots[k].count ?? 1) * this.seen[k];
      }
    }
    return { candidates: this.candidates, ballots: this.ballots };
  }

  /**
   * A wide-layout row on a line without quotes, counted by the line's bytes; returns the offset
   * after its "\n", or -1 to leave the line to onLine.
   */
  private wideLine(buf: Uint8Array, start: number, limit: number): number {
    if (this.layout !== 'wide' || !this.rows.atRowStart()) {
      return -1;
    }
    const found = this.found;
    if (!scanUnquotedLine(buf, start, limit, found)) {
      return -1;
    }
    const stop = found[STOP];
    const h = found[HASH];
    const line = this.rows.line;
    this.rows.nextLine();
    const id = this.lineKeys.find(buf, start, stop, h);
    if (id >= 0) {
      const k = this.lineEntry.data[id];
      if (k >= 0) {
        this.seen[k]++;
      }
    } else {
      let k = this.plainRow(buf, start, stop);
      if (k === NOT_PLAIN) {
        k = this.unquotedRow(decodeUtf8(buf, start, stop), line);
      }
      this.lineEntry.push(k);
      this.lineKeys.add(buf, start, stop, h);
    }
    return found[NEXT];
  }

  /**
   * A new wide row of plain names (printable ASCII, no "=", no blank at either end of a cell),
   * read from its bytes with each name looked up by its bytes; NOT_PLAIN for any other row,
   * which is then read as text. Gives what wideRow gives.
   */
  private plainRow(buf: Uint8Array, start: number, stop: number): number {
    if (this.countCol >= 0 || this.weightCol >= 0) {
      return NOT_PLAIN;
    }
    // Three ints per cell: start, end and hashBytes of the cell (computed here, inlined).
    let cells = this.cells;
    let c = 0;
    let h = 0x811c9dc5;
    cells[0] = start;
    for (let p = start; p < stop; p++) {
      const b = buf[p];
      if (b === COMMA) {
        if (c * 3 + 5 >= cells.length) {
          this.cells = cells = grownInts(cells);
        }
        cells[c * 3 + 1] = p;
        cells[c * 3 + 2] = mixed(h);
        c++;
        cells[c * 3] = p + 1;
        h = 0x811c9dc5;
      } else if (b < 0x20 || b >= 0x7f || b === EQUALS) {
        return NOT_PLAIN;
      } else {
        h = Math.imul(h ^ b, 0x01000193);
      }
    }
    cells[c * 3 + 1] = stop;
    cells[c * 3 + 2] = mixed(h);
    const count = c + 1;
    if (count === 1 && start === stop) {
      return -1; // a blank line
    }
    const cols = this.rankCols;
    for (const col of cols) {
      const s = cells[col * 3];
      const e = cells[col * 3 + 1];
      if (col < count && s < e && (buf[s] === SPACE || buf[e - 1] === SPACE)) {
        return NOT_PLAIN;
      }
    }
    const ranking = new Array<string[]>(cols.length);
    let length = 0;
    for (let i = 0; i < cols.length; i++) {
      const at = cols[i] * 3;
      if (cols[i] >= count || cells[at] === cells[at + 1]) {
        ranking[i] = [];
      } else {
        ranking[i] = this.nameRank(buf, cells[at], cells[at + 1], cells[at + 2]);
        length = i + 1;
      }
    }
    ranking.length = length;
    this.ballots.push({ ranking });
    this.seen.push(1);
    return this.ballots.length - 1;
  }

  /** The shared single rank of the name in these bytes (plain ASCII), `h` their hashBytes. */
  private nameRank(buf: Uint8Array, start: number, end: number, h: number): string[] {
    let id = this.names.find(buf, start, end, h);
    if (id < 0) {
      id = this.names.add(buf, start, end, h);
      const name = decodeUtf8(buf, start, end);
      this.candidate(name);
      this.nameRanks.push(this.single.of(name));
    }
    return this.nameRanks[id];
  }

  private onLine(buf: Uint8Array, start: number, end: number, terminated: boolean): void {
    if (this.first) {
      this.first = false;
      start = afterBom(buf, start, end);
    }
    const stop = end > start && buf[end - 1] === CR ? end - 1 : end;
    if (!terminated || !this.rows.atRowStart() || hasQuoteOrCr(buf, start, stop)) {
      this.rows.feed(decodeUtf8(buf, start, end), terminated);
      return;
    }
    // A line without quotes is one row, whatever its bytes.
    const line = this.rows.line;
    this.rows.nextLine();
    this.unquotedRow(decodeUtf8(buf, start, stop), line);
  }

  /** A row read from a line without quotes; returns its entry, or -1 (blank, or no ballot). */
  private unquotedRow(text: string, line: number): number {
    const cells = text.split(',');
    if (cells.length === 1 && cells[0].trim() === '') {
      return -1;
    }
    return this.onRow(cells, line);
  }

  private onRow(cells: string[], line: number): number {
    switch (this.layout) {
      case 'header':
        this.header(cells, line);
        return -1;
      case 'wide':
        return this.wideRow(cells, line);
      case 'long':
        this.longRow(cells, line);
        return -1;
    }
  }

  private header(cells: string[], line: number): void {
    const header = cells.map((c) => c.trim().toLowerCase());
    if (header.join(',') === 'ballot_id,rank,choice') {
      this.layout = 'long';
      return;
    }
    const rankCols: { col: number; rank: number }[] = [];
    header.forEach((h, col) => {
      const m = /^(?:rank|choice|pref(?:erence)?)?\s*#?\s*(\d+)$/.exec(h);
      if (m) {
        rankCols.push({ col, rank: Number(m[1]) });
      } else if (h === 'count') {
        this.countCol = col;
      } else if (h === 'weight') {
        this.weightCol = col;
      }
    });
    if (rankCols.length === 0) {
      throw new FormatError(
        'no rank columns: expected a header like "1,2,3" or "ballot_id,rank,choice"',
        line,
      );
    }
    rankCols.sort((a, b) => a.rank - b.rank);
    this.rankCols = rankCols.map((r) => r.col);
    this.layout = 'wide';
  }

  private wideRow(cells: string[], line: number): number {
    const ranking = this.rankCols.map((col) => {
      const cell = (cells[col] ?? '').trim();
      if (cell === '') {
        return [];
      }
      const names = cell.split('=').map((s) => s.trim());
      for (const name of names) {
        if (name === '') {
          throw new FormatError(`empty name in "${cell}"`, line);
        }
        this.candidate(name);
      }
      return names.length === 1 ? this.single.of(names[0]) : names;
    });
    while (ranking.length > 0 && ranking[ranking.length - 1].length === 0) {
      ranking.pop();
    }
    const ballot: RankedBallot = { ranking };
    if (this.countCol >= 0) {
      const text = (cells[this.countCol] ?? '').trim();
      if (!/^\d+$/.test(text)) {
        throw new FormatError(`count is not a whole number: "${text}"`, line);
      }
      ballot.count = Number(text);
    }
    if (this.weightCol >= 0) {
      const text = (cells[this.weightCol] ?? '').trim();
      if (!/^\d+(\.\d+)?$/.test(text)) {
        throw new FormatError(`weight is not a positive decimal: "${text}"`, line);
      }
      ballot.weight = text;
    }
    this.ballots.push(ballot);
    this.seen.push(1);
    return this.ballots.length - 1;
  }

  private longRow(cells: string[], line: number): void {
    if (cells.length !== 3) {
      throw new FormatError(`expected 3 fields, found ${cells.length}`, line);
    }
    const [id, rankText, choice] = cells.map((c) => c.trim());
    const rank = Number(rankText);
    if (!Number.isInteger(rank) || rank < 1) {
      throw new FormatError(`rank is not a positive whole number: "${rankText}"`, line);
    }
    if (id !== this.currentId) {
      this.flushLong();
      this.currentId = id;
      this.current = [];
      this.lastRank = 0;
    }
    if (rank !== this.lastRank + 1) {
      throw new FormatError(`ranks of ballot ${id} are not in order`, line);
    }
    this.lastRank = rank;
    if (choice === UNDERVOTE) {
      this.current.push([]);
    } else if (choice === OVERVOTE) {
      this.current.push(this.single.of(OVERVOTE));
    } else {
      this.candidate(choice);
      this.current.push(this.single.of(choice));
    }
  }

  private flushLong(): void {
    if (this.currentId === null) {
      return;
    }
    const key = JSON.stringify(this.current);
    const k = this.byRanking.get(key);
    if (k !== undefined) {
      this.seen[k]++;
    } else {
      this.byRanking.set(key, this.ballots.length);
      this.ballots.push({ ranking: this.current });
      this.seen.push(1);
    }
    this.currentId = null;
  }

  private candidate(name: string): void {
    if (!this.known.has(name)) {
      this.known.add(name);
      this.candidates.push(name);
    }
  }
}

const QUOTE = 0x22;
const CR = 0x0d;
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const SPACE = 0x20;
const NOT_PLAIN = -2;

// What scanUnquotedLine found, by index.
const NEXT = 0;
const STOP = 1;
const HASH = 2;

/**
 * One pass over a line at `start` ending in "\n" before `limit`, without quotes and without a
 * CR except one before the "\n": puts in `found` the offset after the line, the end of its
 * text and the hash of that text; false for any other line.
 */
function scanUnquotedLine(
  buf: Uint8Array,
  start: number,
  limit: number,
  found: Int32Array,
): boolean {
  let h = 0x811c9dc5; // hashBytes of the text, computed while reading it
  let p = start;
  for (; p < limit; p++) {
    const b = buf[p];
    if (b === NEWLINE) {
      break;
    }
    if (b === QUOTE || (b === CR && (p + 1 === limit || buf[p + 1] !== NEWLINE))) {
      return false;
    }
    if (b !== CR) {
      h = Math.imul(h ^ b, 0x01000193);
    }
  }
  if (p === limit) {
    return false;
  }
  found[NEXT] = p + 1;
  found[STOP] = p > start && buf[p - 1] === CR ? p - 1 : p;
  found[HASH] = mixed(h);
  return true;
}

/** The final step of hashBytes. */
function mixed(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

function hasQuoteOrCr(buf: Uint8Array, start: number, end: number): boolean {
  for (let p = start; p < end; p++) {
    if (buf[p] === QUOTE || buf[p] === CR) {
      return true;
    }
  }
  return false;
}

/**
 * parseCsv's rules (RFC 4180: quoted fields, doubled quotes, CR, LF or CRLF) fed one line at a
 * time, so that a quoted field can span lines; blank rows are dropped as parseCsv drops them.
 */
class CsvRows {
  /** Line the reader is at (1-based), counted as parseCsv counts. */
  line = 1;
  private rowLine = 1;
  private row: string[] = [];
  private field = '';
  private quoted = false;
  private fieldStarted = false;

  constructor(private readonly emit: (cells: string[], line: number) => void) {}

  atRowStart(): boolean {
    return !this.quoted && !this.fieldStarted && this.row.length === 0 && this.field === '';
  }

  /** A line the caller read itself as one row (no quotes): only the count moves on. */
  nextLine(): void {
    this.line++;
    this.rowLine = this.line;
  }

  feed(body: string, terminated: boolean): void {
    const text = terminated ? `${body}\n` : body;
    let i = 0;
    while (i < text.length) {
      const ch = text[i];
      if (this.quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            this.field += '"';
            i += 2;
            continue;
          }
          this.quoted = false;
          i++;
          continue;
        }
        if (ch === '\n') {
          this.line++;
        }
        this.field += ch;
        i++;
        continue;
      }
      if (ch === '"' && !this.fieldStarted) {
        this.quoted = true;
        this.fieldStarted = true;
        i++;
      } else if (ch === ',') {
        this.row.push(this.field);
        this.field = '';
        this.fieldStarted = false;
        i++;
      } else if (ch === '\r' || ch === '\n') {
        this.row.push(this.field);
        const cells = this.row;
        const line = this.rowLine;
        this.row = [];
        this.field = '';
        this.fieldStarted = false;
        if (ch === '\r' && text[i + 1] === '\n') {
          i++;
        }
        i++;
        this.line++;
        this.rowLine = this.line;
        this.deliver(cells, line);
      } else {
        this.field += ch;
        this.fieldStarted = true;
        i++;
      }
    }
  }

  end(): void {
    if (this.quoted) {
      throw new FormatError('unterminated quoted field', this.rowLine);
    }
    if (this.field !== '' || this.row.length > 0) {
      this.row.push(this.field);
      const cells = this.row;
      this.row = [];
      this.field = '';
      this.deliver(cells, this.rowLine);
    }
  }

  private deliver(cells: string[], line: number): void {
    if (!(cells.length === 1 && cells[0].trim() === '')) {
      this.emit(cells, line);
    }
  }
}
