import { METHODS, type Ballot, type TallyInput } from '../types';
import type { ContestJson } from './contest-json';
import { ByteKeys, decodeUtf8, hashBytes, SingleRanks } from './stream';

/** The file is not a valid contest: the caller reads it whole to say why, and where. */
export class NotStreamable extends Error {
  constructor(reason: string) {
    super(`contest JSON not read as a stream: ${reason}`);
    this.name = 'NotStreamable';
  }
}

const enum S {
  Begin,
  KeyOrEnd,
  Key,
  Colon,
  Value,
  Member,
  AfterMember,
  FirstElement,
  Element,
  AfterElement,
  NextElement,
  Tail,
}

/**
 * The project's contest JSON read as a stream, with identical ballots grouped as they are
 * read. The "ballots" list is cut into its elements without being parsed as a whole; an
 * element is parsed the first time its bytes are seen (the common ranked shape by hand, any
 * other with JSON.parse) and counted after that. Every other member is small and parsed with
 * JSON.parse.
 *
 * Only a valid contest is read here. On anything else (a syntax error, a member of the wrong
 * type) it throws NotStreamable, and the caller reads the file whole with parseContestJson,
 * which names the line and the reason exactly.
 */
export class ContestJsonReader {
  private state = S.Begin;
  /** Bytes of a byte-order mark matched so far; -1 once past it. */
  private bom = 0;
  /** After a comma a key must follow. */
  private needKey = false;
  private key = '';
  private readonly members = new Map<string, unknown>();

  // The value being cut out: nesting depth, inside a string, after a backslash.
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  /** Start of the value in the current chunk, or -1 once it continues from an earlier one. */
  private valueStart = -1;
  private held = new Uint8Array(1 << 12);
  private heldLength = 0;

  // Ballots, in order of first sight, with how often each was seen.
  private keys = new ByteKeys();
  private entries: unknown[] = [];
  private seen: number[] = [];
  private streamed = false;
  private readonly names = new ByteKeys();
  private readonly nameRanks: string[][] = [];
  private readonly single = new SingleRanks();
  private readonly found = new Int32Array(2);

  push(chunk: Uint8Array): void {
    let p = 0;
    const n = chunk.length;
    // A byte-order mark, which may itself be cut by a chunk boundary.
    while (this.bom >= 0 && p < n) {
      if (this.bom === BOM.length) {
        this.bom = -1;
      } else if (chunk[p] === BOM[this.bom]) {
        this.bom++;
        p++;
      } else if (this.bom === 0) {
        this.bom = -1;
      } else {
        throw new NotStreamable('not UTF-8 text');
      }
    }
    while (p < n) {
      switch (this.state) {
        case S.Begin:
          p = skipWs(chunk, p);
          if (p < n) {
            if (chunk[p] !== OPEN_BRACE) {
              throw new NotStreamable('not an object');
            }
            this.state = S.KeyOrEnd;
            p++;
          }
          break;
        case S.KeyOrEnd:
          p = skipWs(chunk, p);
          if (p < n) {
            if (chunk[p] === QUOTE) {
              this.startValue(chunk, p);
              this.state = S.Key;
            } else if (chunk[p] === CLOSE_BRACE && !this.needKey) {
              this.state = S.Tail;
            } else {
              throw new NotStreamable('expected a key');
            }
            p++;
          }
          break;
        case S.Key:
          p = this.scan(chunk, p);
          if (this.valueDone()) {
            const raw = this.taken(chunk, p);
            this.key = decodeKey(raw);
            this.state = S.Colon;
          }
          break;
        case S.Colon:
          p = skipWs(chunk, p);
          if (p < n) {
            if (chunk[p] !== COLON) {
              throw new NotStreamable('expected ":"');
            }
            this.state = S.Value;
            p++;
          }
          break;
        case S.Value:
          p = skipWs(chunk, p);
          if (p < n) {
            if (this.key === 'ballots') {
              this.keys = new ByteKeys();
              this.entries = [];
              this.seen = [];
              this.members.delete('ballots');
              this.streamed = chunk[p] === OPEN_BRACKET;
            }
            if (this.streamed && this.key === 'ballots') {
              this.state = S.FirstElement;
              p++;
            } else {
              this.startValue(chunk, p);
              this.state = S.Member;
              p = this.scalar ? p : p + 1;
            }
          }
          break;
        case S.Member:
          p = this.scan(chunk, p);
          if (this.valueDone()) {
            this.members.set(this.key, parse(this.taken(chunk, p)));
            this.state = S.AfterMember;
          }
          break;
        case S.AfterMember:
          p = skipWs(chunk, p);
          if (p < n) {
            if (chunk[p] === COMMA) {
              this.needKey = true;
              this.state = S.KeyOrEnd;
            } else if (chunk[p] === CLOSE_BRACE) {
              this.state = S.Tail;
            } else {
              throw new NotStreamable('expected "," or "}"');
            }
            p++;
          }
          break;
        case S.FirstElement:
        case S.NextElement:
          p = skipWs(chunk, p);
          if (p < n) {
            if (chunk[p] === CLOSE_BRACKET && this.state === S.FirstElement) {
              this.state = S.AfterMember;
              p++;
            } else if (this.objectToFirstBrace(chunk, p, n)) {
              p = this.found[0];
              this.state = S.AfterElement;
            } else if (scanCompound(chunk, p, n, this.found)) {
              // A whole object or list within the chunk: read in one pass.
              this.element(chunk, p, this.found[0], this.found[1]);
              p = this.found[0];
              this.state = S.AfterElement;
            } else {
              this.startValue(chunk, p);
              this.state = S.Element;
              p = this.scalar ? p : p + 1;
            }
          }
          break;
        case S.Element:
          p = this.scan(chunk, p);
          if (this.valueDone()) {
            if (this.valueStart >= 0) {
              this.element(chunk, this.valueStart, p, hashBytes(chunk, this.valueStart, p));
            } else {
              this.hold(chunk, p);
              this.element(this.held, 0, this.heldLength, hashBytes(this.held, 0, this.heldLength));
            }
            this.state = S.AfterElement;
          }
          break;
        case S.AfterElement:
          p = skipWs(chunk, p);
          if (p < n) {
            if (chunk[p] === COMMA) {
              this.state = S.NextElement;
            } else if (chunk[p] === CLOSE_BRACKET) {
              this.state = S.AfterMember;
            } else {
              throw new NotStreamable('expected "," or "]"');
            }
            p++;
          }
          break;
        case S.Tail:
          p = skipWs(chunk, p);
          if (p < n) {
            throw new NotStreamable('text after the contest');
          }
          break;
      }
    }
    // A value cut by the end of the chunk is kept until the rest arrives.
    if (this.state === S.Key || this.state === S.Member || this.state === S.Element) {
      this.hold(chunk, n);
    }
  }

  end(): ContestJson {
    if (this.state !== S.Tail) {
      throw new NotStreamable('unexpected end of file');
    }
    const m = this.members;
    const method = m.get('method');
    const candidates = m.get('candidates');
    const config = m.get('config');
    const seed = m.get('seed');
    if (typeof method !== 'string' || !METHODS.includes(method as TallyInput['method'])) {
      throw new NotStreamable('"method"');
    }
    if (
      candidates !== undefined &&
      !(Array.isArray(candidates) && candidates.every((c) => typeof c === 'string'))
    ) {
      throw new NotStreamable('"candidates"');
    }
    if (!this.streamed && !Array.isArray(m.get('ballots'))) {
      throw new NotStreamable('"ballots"');
    }
    if (config !== undefined && (config === null || typeof config !== 'object')) {
      throw new NotStreamable('"config"');
    }
    if (seed !== undefined && typeof seed !== 'string') {
      throw new NotStreamable('"seed"');
    }
    return {
      method: method as TallyInput['method'],
      config: config ?? {},
      candidates: candidates ?? [],
      ballots: this.streamed ? this.grouped(method) : (m.get('ballots') as Ballot[]),
      seed,
    };
  }

  /**
   * A distinct ballot seen n times becomes one ballot with n times its count, the engine's own
   * way of grouping. Anything the engine might refuse or read differently (not an object, a
   * count it would reject, a juror's scores, which are never grouped) is listed n times.
   */
  private grouped(method: string): Ballot[] {
    const out: Ballot[] = [];
    for (let k = 0; k < this.entries.length; k++) {
      const b = this.entries[k] as Ballot;
      const n = this.seen[k];
      if (n > 1 && method !== 'score' && b !== null && typeof b === 'object' && !Array.isArray(b)) {
        const count = b.count === undefined ? 1 : b.count;
        if (Number.isSafeInteger(count) && count >= 0 && Number.isSafeInteger(count * n)) {
          b.count = count * n;
          out.push(b);
          continue;
        }
      }
      for (let i = 0; i < n; i++) {
        out.push(b);
      }
    }
    return out;
  }

  /**
   * Counts an object element seen before, or reads a new one of the common ranked shape, from
   * its bytes up to its first "}", without reading its structure first: a table entry is a
   * whole value, and no whole object is the start of another, so bytes equal to an entry are
   * that value; and the ranked shape is a whole object that ends at its first "}". False for
   * anything else (read by scanCompound).
   */
  private objectToFirstBrace(chunk: Uint8Array, start: number, limit: number): boolean {
    if (chunk[start] !== OPEN_BRACE) {
      return false;
    }
    let h = 0x811c9dc5; // hashBytes, inlined
    let p = start;
    for (; p < limit; p++) {
      const b = chunk[p];
      h = Math.imul(h ^ b, 0x01000193);
      if (b === CLOSE_BRACE) {
        break;
      }
    }
    if (p === limit) {
      return false;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    const end = p + 1;
    const id = this.keys.find(chunk, start, end, h);
    if (id >= 0) {
      this.seen[id]++;
    } else {
      const ballot = this.rankedBallot(chunk, start, end);
      if (ballot === null) {
        return false;
      }
      this.keys.add(chunk, start, end, h);
      this.entries.push(ballot);
      this.seen.push(1);
    }
    this.found[0] = end;
    return true;
  }

  /** One element of "ballots", its bytes hashed by hashBytes. */
  private element(buf: Uint8Array, start: number, end: number, h: number): void {
    const id = this.keys.find(buf, start, end, h);
    if (id >= 0) {
      this.seen[id]++;
      return;
    }
    this.keys.add(buf, start, end, h);
    this.entries.push(this.rankedBallot(buf, start, end) ?? parse(decodeUtf8(buf, start, end)));
    this.seen.push(1);
  }

  /** `{"ranking":[["a"],["b"]]}` exactly, names without escapes; null for anything else. */
  private rankedBallot(buf: Uint8Array, start: number, end: number): Ballot | null {
    let p = start;
    if (end - start < RANKING.length + 2) {
      return null;
    }
    for (let i = 0; i < RANKING.length; i++, p++) {
      if (buf[p] !== RANKING[i]) {
        return null;
      }
    }
    const ranking: string[][] = [];
    if (buf[p] === CLOSE_BRACKET) {
      p++;
    } else {
      for (;;) {
        if (p + 2 >= end || buf[p] !== OPEN_BRACKET || buf[p + 1] !== QUOTE) {
          return null;
        }
        p += 2;
        const s = p;
        let h = 0x811c9dc5; // hashBytes of the name, inlined
        while (p < end && buf[p] !== QUOTE && buf[p] !== BACKSLASH && buf[p] >= 0x20) {
          h = Math.imul(h ^ buf[p++], 0x01000193);
        }
        if (p + 2 >= end || buf[p] !== QUOTE || buf[p + 1] !== CLOSE_BRACKET) {
          return null;
        }
        h ^= h >>> 16;
        h = Math.imul(h, 0x85ebca6b);
        ranking.push(this.nameRank(buf, s, p, h ^ (h >>> 13)));
        p += 2;
        if (buf[p] === COMMA) {
          p++;
        } else if (buf[p] === CLOSE_BRACKET) {
          p++;
          break;
        } else {
          return null;
        }
      }
    }
    return p === end - 1 && buf[p] === CLOSE_BRACE ? { ranking } : null;
  }

  /** The shared single rank of the name in these bytes, `h` their hashBytes. */
  private nameRank(buf: Uint8Array, start: number, end: number, h: number): string[] {
    let id = this.names.find(buf, start, end, h);
    if (id < 0) {
      id = this.names.add(buf, start, end, h);
      this.nameRanks.push(this.single.of(decodeUtf8(buf, start, end)));
    }
    return this.nameRanks[id];
  }

  private startValue(chunk: Uint8Array, p: number): void {
    const b = chunk[p];
    this.valueStart = p;
    this.heldLength = 0;
    this.escaped = false;
    this.scalar = false;
    if (b === QUOTE) {
      this.inString = true;
      this.depth = 0;
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      this.inString = false;
      this.depth = 1;
    } else {
      this.inString = false;
      this.depth = 0;
      this.scalar = true;
    }
  }

  /** Moves through the value from p; returns where it ended, or the end of the chunk. */
  private scan(chunk: Uint8Array, p: number): number {
    const n = chunk.length;
    if (this.scalar) {
      while (p < n && !isDelimiter(chunk[p])) {
        p++;
      }
      if (p < n) {
        this.scalar = false;
      }
      return p;
    }
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    while (p < n) {
      const b = chunk[p++];
      if (inString) {
        if (escaped) {
          escaped = false;
        } else if (b === BACKSLASH) {
          escaped = true;
        } else if (b === QUOTE) {
          inString = false;
          if (depth === 0) {
            break;
          }
        }
      } else if (b === QUOTE) {
        inString = true;
      } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        depth++;
      } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        if (--depth === 0) {
          break;
        }
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return p;
  }

  private valueDone(): boolean {
    return !this.scalar && !this.inString && this.depth === 0;
  }

  /** Keeps the part of the value that is in this chunk, up to `end`. */
  private hold(chunk: Uint8Array, end: number): void {
    const start = this.valueStart >= 0 ? this.valueStart : 0;
    const need = this.heldLength + end - start;
    if (need > this.held.length) {
      const next = new Uint8Array(Math.max(need, this.held.length * 2));
      next.set(this.held.subarray(0, this.heldLength));
      this.held = next;
    }
    this.held.set(chunk.subarray(start, end), this.heldLength);
    this.heldLength = need;
    this.valueStart = -1;
  }

  /** The whole value just read, as text. */
  private taken(chunk: Uint8Array, end: number): string {
    if (this.valueStart >= 0) {
      return decodeUtf8(chunk, this.valueStart, end);
    }
    this.hold(chunk, end);
    return decodeUtf8(this.held, 0, this.heldLength);
  }
}

/**
 * An object or list starting at `start` and ending before `limit`: puts in `found` the offset
 * after it and the hashBytes of its bytes, in one pass; false if it runs past `limit`.
 */
function scanCompound(buf: Uint8Array, start: number, limit: number, found: Int32Array): boolean {
  const first = buf[start];
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    return false;
  }
  // hashBytes of the value, computed while reading it.
  let h = Math.imul(0x811c9dc5 ^ first, 0x01000193);
  let depth = 1;
  let inString = false;
  let p = start + 1;
  while (p < limit) {
    const b = buf[p++];
    h = Math.imul(h ^ b, 0x01000193);
    if (inString) {
      if (b === BACKSLASH) {
        if (p === limit) {
          return false;
        }
        h = Math.imul(h ^ buf[p++], 0x01000193);
      } else if (b === QUOTE) {
        inString = false;
      }
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      depth++;
    } else if ((b === CLOSE_BRACE || b === CLOSE_BRACKET) && --depth === 0) {
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      found[0] = p;
      found[1] = h ^ (h >>> 13);
      return true;
    }
  }
  return false;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new NotStreamable('invalid JSON');
  }
}

function decodeKey(raw: string): string {
  return raw.includes('\\') ? (parse(raw) as string) : raw.slice(1, -1);
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const BOM = [0xef, 0xbb, 0xbf];
const RANKING = [...'{"ranking":['].map((c) => c.charCodeAt(0));

function isWs(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function isDelimiter(b: number): boolean {
  return isWs(b) || b === COMMA || b === CLOSE_BRACE || b === CLOSE_BRACKET;
}

function skipWs(chunk: Uint8Array, p: number): number {
  while (p < chunk.length && isWs(chunk[p])) {
    p++;
  }
  return p;
}
