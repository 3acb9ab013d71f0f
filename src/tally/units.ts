import { Rational } from './arith/rational';
import { TallyInputError } from './errors';
import type { Group } from './prepare';

/**
 * Integer vote units. Weighted ballots are scaled by the least common multiple of the weight
 * denominators, so every group's value is an exact integer and hot loops can add plain
 * numbers. Reports divide by the scale again, exactly.
 */
export interface Units {
  scale: bigint;
  /** Value of each group (count × weight × scale), an exact safe integer. */
  values: number[];
  total: number;
  toText(units: number): string;
  toRational(units: number): Rational;
}

export function toUnits(groups: readonly Group<unknown>[]): Units {
  return unitsOf(
    groups.map((g) => g.count),
    groups.map((g) => g.weight),
  );
}

export function unitsOf(
  counts: readonly number[],
  weights: readonly (Rational | null)[] | null,
): Units {
  let scale = 1n;
  for (const w of weights ?? []) {
    if (w) {
      scale = lcm(scale, w.den);
    }
  }
  const values = counts.map((count, g) => {
    const w = weights?.[g];
    if (!w && scale === 1n) {
      return count;
    }
    const v = w ? w.num * (scale / w.den) * BigInt(count) : BigInt(count) * scale;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new TallyInputError('ballot weights are too fine-grained to count exactly');
    }
    return Number(v);
  });
  let total = 0;
  for (const v of values) {
    total += v;
  }
  if (total > Number.MAX_SAFE_INTEGER) {
    throw new TallyInputError('total ballot weight is too large to count exactly');
  }
  return {
    scale,
    values,
    total,
    toText: (u) => (scale === 1n ? String(u) : Rational.of(BigInt(u), scale).toString()),
    toRational: (u) => Rational.of(BigInt(u), scale),
  };
}

function lcm(a: bigint, b: bigint): bigint {
  let x = a;
  let y = b;
  while (y !== 0n) {
    [x, y] = [y, x % y];
  }
  return (a / x) * b;
}
