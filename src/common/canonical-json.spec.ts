import { canonicalJson, sha256Hex } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts object keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives equal bytes for equal values built in a different order', () => {
    const one: Record<string, unknown> = {};
    one.x = 1;
    one.y = [1, 2];
    const two: Record<string, unknown> = {};
    two.y = [1, 2];
    two.x = 1;
    expect(canonicalJson(one)).toBe(canonicalJson(two));
  });

  it('keeps array order', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
  });

  it('leaves out undefined members and writes undefined array items as null, like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });

  it('writes dates as ISO strings', () => {
    expect(canonicalJson({ at: new Date('2024-02-29T12:00:00.000Z') })).toBe(
      '{"at":"2024-02-29T12:00:00.000Z"}',
    );
  });

  it('sorts keys by code unit, not by locale, and escapes like JSON', () => {
    expect(canonicalJson({ b: 1, B: 2, ä: 3, a: 4 })).toBe('{"B":2,"a":4,"b":1,"ä":3}');
    expect(canonicalJson({ 'quote"': 'line\nbreak', имя: 'Анна' })).toBe(
      '{"quote\\"":"line\\nbreak","имя":"Анна"}',
    );
  });

  it('writes scalars as JSON does', () => {
    expect(canonicalJson('x')).toBe('"x"');
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(null)).toBe('null');
  });

  it('refuses values that have no JSON form', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson({ n: Number.POSITIVE_INFINITY })).toThrow(/non-finite/);
    expect(() => canonicalJson({ n: 10n })).toThrow(/bigint/);
  });

  it('round-trips through JSON.parse to the same value', () => {
    const value = { z: [1, { b: 'two', a: null }], a: 'Ёж' };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });
});

describe('sha256Hex', () => {
  it('hashes to the known SHA-256 digest', () => {
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256Hex(Buffer.from(''))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});
