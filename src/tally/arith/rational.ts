/**
 * Exact rationals over bigint. Used wherever a rule needs exact values (quotas,
 * Borda and Dowdall points, Schulze ratios, score means); hot loops use scaled integers instead.
 */
export class Rational {
  readonly num: bigint;
  readonly den: bigint;

  private constructor(num: bigint, den: bigint) {
    this.num = num;
    this.den = den;
  }

  static readonly ZERO = new Rational(0n, 1n);
  static readonly ONE = new Rational(1n, 1n);

  static of(num: bigint | number, den: bigint | number = 1n): Rational {
    let n = BigInt(num);
    let d = BigInt(den);
    if (d === 0n) {
      throw new RangeError('Rational with a zero denominator');
    }
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n < 0n ? -n : n, d);
    return g === 1n ? new Rational(n, d) : new Rational(n / g, d / g);
  }

  /** Parses "12", "-1.50", "61/3". Throws on anything else. */
  static parse(text: string): Rational {
    const s = text.trim();
    const frac = /^(-?\d+)\s*\/\s*(\d+)$/.exec(s);
    if (frac) {
      return Rational.of(BigInt(frac[1]), BigInt(frac[2]));
    }
    const dec = /^(-?)(\d*)(?:\.(\d*))?$/.exec(s);
    if (!dec || (dec[2] === '' && (dec[3] ?? '') === '')) {
      throw new RangeError(`not a number: "${text}"`);
    }
    const digits = (dec[2] || '0') + (dec[3] ?? '');
    const scale = 10n ** BigInt((dec[3] ?? '').length);
    const n = BigInt(digits);
    return Rational.of(dec[1] === '-' ? -n : n, scale);
  }

  static from(value: string | number | bigint | Rational): Rational {
    if (value instanceof Rational) {
      return value;
    }
    if (typeof value === 'bigint') {
      return Rational.of(value);
    }
    if (typeof value === 'number') {
      if (Number.isInteger(value)) {
        return Rational.of(BigInt(value));
      }
      // Shortest round-trip decimal, so 0.1 means one tenth rather than its binary neighbour.
      return Rational.parse(numberToPlainString(value));
    }
    return Rational.parse(value);
  }

  add(o: Rational): Rational {
    if (this.den === o.den) {
      return Rational.of(this.num + o.num, this.den);
    }
    return Rational.of(this.num * o.den + o.num * this.den, this.den * o.den);
  }
  sub(o: Rational): Rational {
    return Rational.of(this.num * o.den - o.num * this.den, this.den * o.den);
  }
  mul(o: Rational): Rational {
    return Rational.of(this.num * o.num, this.den * o.den);
  }
  div(o: Rational): Rational {
    return Rational.of(this.num * o.den, this.den * o.num);
  }
  mulInt(k: bigint | number): Rational {
    return Rational.of(this.num * BigInt(k), this.den);
  }
  neg(): Rational {
    return new Rational(-this.num, this.den);
  }
  cmp(o: Rational): number {
    const l = this.num * o.den;
    const r = o.num * this.den;
    return l < r ? -1 : l > r ? 1 : 0;
  }
  eq(o: Rational): boolean {
    return this.num === o.num && this.den === o.den;
  }
  isZero(): boolean {
    return this.num === 0n;
  }
  sign(): number {
    return this.num < 0n ? -1 : this.num > 0n ? 1 : 0;
  }
  floor(): bigint {
    const q = this.num / this.den;
    return this.num < 0n && q * this.den !== this.num ? q - 1n : q;
  }
  /** Truncates toward zero at `places` decimals, returned as a scaled integer. */
  toScaled(places: number): bigint {
    return (this.num * 10n ** BigInt(places)) / this.den;
  }
  toNumber(): number {
    return Number(this.num) / Number(this.den);
  }

  /**
   * Exact text: an integer or terminating decimal when the denominator allows one,
   * otherwise "p/q". Never rounds, so a report can be replayed and compared exactly.
   */
  toString(): string {
    if (this.den === 1n) {
      return this.num.toString();
    }
    let d = this.den;
    let twos = 0;
    let fives = 0;
    while (d % 2n === 0n) {
      d /= 2n;
      twos++;
    }
    while (d % 5n === 0n) {
      d /= 5n;
      fives++;
    }
    if (d !== 1n) {
      return `${this.num}/${this.den}`;
    }
    return formatScaled(this.toScaled(Math.max(twos, fives)), Math.max(twos, fives));
  }

  /** Decimal text truncated toward zero at `places` (for human reports only). */
  toFixed(places: number): string {
    return formatScaled(this.toScaled(places), places);
  }
}

export function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) {
    [a, b] = [b, a % b];
  }
  return a === 0n ? 1n : a;
}

/** Formats a scaled integer (value × 10^places) as a plain decimal. */
export function formatScaled(scaled: bigint | number, places: number): string {
  const v = BigInt(scaled);
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(places + 1, '0');
  const text =
    places === 0 ? digits : `${digits.slice(0, digits.length - places)}.${digits.slice(-places)}`;
  return neg ? `-${text}` : text;
}

function numberToPlainString(value: number): string {
  const s = String(value);
  if (!/e/i.test(s)) {
    return s;
  }
  const [mant, expText] = s.toLowerCase().split('e');
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const [intPart, fracPart = ''] = (neg ? mant.slice(1) : mant).split('.');
  const digits = intPart + fracPart;
  const point = intPart.length + exp;
  let out: string;
  if (point <= 0) {
    out = `0.${'0'.repeat(-point)}${digits}`;
  } else if (point >= digits.length) {
    out = digits + '0'.repeat(point - digits.length);
  } else {
    out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  return neg ? `-${out}` : out;
}
