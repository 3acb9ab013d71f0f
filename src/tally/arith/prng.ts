import { sha256 } from './sha256';

/**
 * Seeded randomness. Two generators, both fully determined by a seed string:
 *
 * - `lotKey` / `drawLots`: the lot used to break ties in a count. Each tied candidate gets the
 *   key SHA-256(seed ‖ 0x00 ‖ decision ‖ 0x00 ‖ candidate id) in hex; the lowest key wins the
 *   draw. Anyone can replay a draw with `sha256sum`, and a draw does not depend on how many
 *   draws came before it or on the order the candidates were listed.
 * - `SeededRandom`: SHA-256 in counter mode (block i = SHA-256(seed ‖ ":" ‖ i)), read as
 *   32-bit words. Used by property tests and benchmarks to build synthetic ballots.
 */
export function lotKey(seed: string, decision: string, candidate: string): string {
  const bytes = new TextEncoder().encode(`${seed}\u0000${decision}\u0000${candidate}`);
  return Array.from(sha256(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Candidates in the order the lot ranks them (first = picked first). */
export function drawLots(seed: string, decision: string, candidates: readonly string[]): string[] {
  const keyed = candidates.map((c) => ({ c, k: lotKey(seed, decision, c) }));
  keyed.sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : x.c < y.c ? -1 : x.c > y.c ? 1 : 0));
  return keyed.map((x) => x.c);
}

export class SeededRandom {
  private block = new Uint32Array(0);
  private index = 0;
  private counter = 0;
  private readonly encoder = new TextEncoder();

  constructor(private readonly seed: string) {}

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    if (this.index >= this.block.length) {
      const digest = sha256(this.encoder.encode(`${this.seed}:${this.counter++}`));
      const view = new DataView(digest.buffer);
      this.block = new Uint32Array(8);
      for (let i = 0; i < 8; i++) {
        this.block[i] = view.getUint32(i * 4);
      }
      this.index = 0;
    }
    return this.block[this.index++];
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (n <= 0 || n > 0x100000000) {
      throw new RangeError(`int(${n}) out of range`);
    }
    const limit = Math.floor(0x100000000 / n) * n;
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) {
        return x % n;
      }
    }
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

/**
 * A fast generator (sfc32) seeded from SHA-256 of the seed, for generating millions of
 * synthetic ballots in the benchmark where counter-mode SHA-256 would dominate the run time.
 */
export class FastRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    const h = sha256(new TextEncoder().encode(seed));
    const v = new DataView(h.buffer);
    this.a = v.getUint32(0);
    this.b = v.getUint32(4);
    this.c = v.getUint32(8);
    this.d = v.getUint32(12);
    for (let i = 0; i < 12; i++) {
      this.nextUint32();
    }
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
