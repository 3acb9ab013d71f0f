import { drawLots, lotKey, SeededRandom } from './prng';
import { Rational } from './rational';
import { sha256Hex } from './sha256';

describe('Rational', () => {
  it('parses decimals and fractions exactly and prints terminating decimals as decimals', () => {
    expect(Rational.parse('1772.00000').toString()).toBe('1772');
    expect(Rational.parse('61/3').toString()).toBe('61/3');
    expect(Rational.parse('0.1').add(Rational.parse('0.2')).toString()).toBe('0.3');
    expect(Rational.from(0.1).eq(Rational.parse('0.1'))).toBe(true);
    expect(Rational.parse('-7/2').floor()).toBe(-4n);
    expect(Rational.parse('2/3').toFixed(5)).toBe('0.66666');
  });

  it('refuses what is not a number', () => {
    expect(() => Rational.parse('1.2.3')).toThrow('not a number');
    expect(() => Rational.of(1, 0)).toThrow('zero denominator');
  });
});

describe('seeded randomness', () => {
  it('implements SHA-256', () => {
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('draws lots from SHA-256(seed ‖ decision ‖ candidate), whatever order they are given in', () => {
    expect(lotKey('s', 'round 1', 'A')).toBe(sha256Hex('s\u0000round 1\u0000A'));
    expect(drawLots('s', 'd', ['A', 'B', 'C'])).toEqual(drawLots('s', 'd', ['C', 'A', 'B']));
  });

  it('repeats a counter-mode stream for the same seed', () => {
    const a = new SeededRandom('x');
    const b = new SeededRandom('x');
    const xs = Array.from({ length: 20 }, () => a.int(1000));
    expect(Array.from({ length: 20 }, () => b.int(1000))).toEqual(xs);
    expect(new SeededRandom('y').int(1000000)).not.toBe(new SeededRandom('x').int(1000000));
  });
});
