/**
 * Building blocks of the streaming readers: files arrive as byte chunks of any size, lines are
 * handed on as byte ranges (no string per line), and identical ballot lines are found by their
 * bytes in a hash table, so a million-line file costs one parse per distinct ballot.
 */

/** Receives one line without its "\n"; `terminated` is false for a last line without one. */
export type LineHandler = (
  buf: Uint8Array,
  start: number,
  end: number,
  terminated: boolean,
) => void;

/**
 * Tries to read the line at `start` (its "\n" lies before `limit`, or the chunk ends first) in
 * one pass; returns the offset after the line's "\n", or -1 to leave the line to the
 * LineHandler, which also happens when the chunk ends first.
 */
export type FastLine = (buf: Uint8Array, start: number, limit: number) => number;

const NEWLINE = 0x0a;

/**
 * Splits chunks into lines, carrying a line cut by a chunk boundary over to the next chunk.
 * A reader may take common lines in one pass (`fast`) and leave the others to `onLine`.
 */
export class LineSplitter {
  private carry = new Uint8Array(256);
  private carryLength = 0;

  constructor(
    private readonly onLine: LineHandler,
    private readonly fast: FastLine = () => -1,
  ) {}

  push(chunk: Uint8Array): void {
    let pos = 0;
    const n = chunk.length;
    if (this.carryLength > 0) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) {
        this.keep(chunk, 0, n);
        return;
      }
      // The carried line is completed with its "\n", so that `fast` sees the whole line.
      this.keep(chunk, 0, nl + 1);
      const length = this.carryLength;
      this.carryLength = 0;
      if (this.fast(this.carry, 0, length) < 0) {
        this.onLine(this.carry, 0, length - 1, true);
      }
      pos = nl + 1;
    }
    while (pos < n) {
      const next = this.fast(chunk, pos, n);
      if (next >= 0) {
        pos = next;
        continue;
      }
      const nl = chunk.indexOf(NEWLINE, pos);
      if (nl < 0) {
        break;
      }
      this.onLine(chunk, pos, nl, true);
      pos = nl + 1;
    }
    if (pos < n) {
      this.keep(chunk, pos, n);
    }
  }

  end(): void {
    if (this.carryLength > 0) {
      const n = this.carryLength;
      this.carryLength = 0;
      this.onLine(this.carry, 0, n, false);
    }
  }

  private keep(chunk: Uint8Array, start: number, end: number): void {
    const need = this.carryLength + end - start;
    if (need > this.carry.length) {
      const next = new Uint8Array(Math.max(need, this.carry.length * 2));
      next.set(this.carry.subarray(0, this.carryLength));
      this.carry = next;
    }
    this.carry.set(chunk.subarray(start, end), this.carryLength);
    this.carryLength = need;
  }
}

// Invalid sequences become U+FFFD exactly as when the whole file is read as UTF-8; a BOM inside
// the text is kept (the readers drop the one at the start of a file themselves).
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  return utf8.decode(buf.subarray(start, end));
}

/** Offset after a UTF-8 byte-order mark at `start` on the first line of a file. */
export function afterBom(buf: Uint8Array, start: number, end: number): number {
  return end - start >= 3 &&
    buf[start] === 0xef &&
    buf[start + 1] === 0xbb &&
    buf[start + 2] === 0xbf
    ? start + 3
    : start;
}

/**
 * FNV-1a over the bytes, then a final mix so that the low bits used by the table are spread.
 * The readers' one-pass scanners compute the same steps inline (a call across modules is not
 * inlined there, and costs a tenth of a line's time).
 */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let p = start; p < end; p++) {
    h = Math.imul(h ^ buf[p], 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

/**
 * A set of byte strings, each given a dense id in order of first sight. Keys are copied into
 * one growing buffer and found by open addressing; a slot holds the hash, id, offset and length
 * of its key, so a lookup reads one slot and the key's bytes, and allocates nothing.
 */
export class ByteKeys {
  size = 0;
  private bytes = new Uint8Array(1 << 16);
  private used = 0;
  /** Four ints per slot: hash, id + 1 (0 when empty), offset, length. */
  private slots = new Int32Array(4 << 11);
  private mask = (1 << 11) - 1;

  /** Id of the key, or -1; `hash` is hashBytes of the same range. */
  find(buf: Uint8Array, start: number, end: number, hash: number): number {
    const len = end - start;
    const slots = this.slots;
    const bytes = this.bytes;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = slot << 2;
      const id = slots[at + 1];
      if (id === 0) {
        return -1;
      }
      if (slots[at] !== hash || slots[at + 3] !== len) {
        continue;
      }
      const s = slots[at + 2];
      let p = 0;
      while (p < len && bytes[s + p] === buf[start + p]) {
        p++;
      }
      if (p === len) {
        return id - 1;
      }
    }
  }

  /** Adds a key known to be absent and returns its id. */
  add(buf: Uint8Array, start: number, end: number, hash: number): number {
    const len = end - start;
    if (this.used + len > this.bytes.length) {
      const next = new Uint8Array(Math.max(this.used + len, this.bytes.length * 2));
      next.set(this.bytes.subarray(0, this.used));
      this.bytes = next;
    }
    const bytes = this.bytes;
    const at = this.used;
    for (let p = 0; p < len; p++) {
      bytes[at + p] = buf[start + p];
    }
    this.used += len;
    const id = this.size++;
    if (this.size * 2 > this.mask + 1) {
      this.rehash();
    }
    this.place(this.slots, this.mask, hash, id + 1, at, len);
    return id;
  }

  private place(
    slots: Int32Array,
    mask: number,
    hash: number,
    id: number,
    at: number,
    len: number,
  ): void {
    let slot = hash & mask;
    while (slots[(slot << 2) + 1] !== 0) {
      slot = (slot + 1) & mask;
    }
    const i = slot << 2;
    slots[i] = hash;
    slots[i + 1] = id;
    slots[i + 2] = at;
    slots[i + 3] = len;
  }

  private rehash(): void {
    const old = this.slots;
    const mask = this.mask * 2 + 1;
    const slots = new Int32Array((mask + 1) << 2);
    for (let i = 0; i < old.length; i += 4) {
      if (old[i + 1] !== 0) {
        this.place(slots, mask, old[i], old[i + 1], old[i + 2], old[i + 3]);
      }
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** A copy of the list with twice the room. */
export function grownInts(a: Int32Array): Int32Array<ArrayBuffer> {
  const next = new Int32Array(a.length * 2);
  next.set(a);
  return next;
}

/** A growable list of 32-bit integers. */
export class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      this.data = grownInts(this.data);
    }
    this.data[this.length++] = v;
  }
}

/**
 * One frozen single-candidate rank per name, shared by every ballot that ranks the candidate
 * alone: a grouped million-ballot file then holds one small array per distinct ballot, not one
 * per preference. The engine only reads rankings; freezing makes sure of it.
 */
export class SingleRanks {
  private readonly byName = new Map<string, string[]>();
  of(name: string): string[] {
    let rank = this.byName.get(name);
    if (rank === undefined) {
      rank = Object.freeze([name]) as string[];
      this.byName.set(name, rank);
    }
    return rank;
  }
}
