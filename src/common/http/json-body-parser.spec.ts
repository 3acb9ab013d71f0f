import { MAX_JSON_DEPTH, nestsWithin } from './json-body-parser';

const depth = (n: number): Buffer => Buffer.from('['.repeat(n) + ']'.repeat(n));

describe('nestsWithin', () => {
  it('accepts nesting up to the limit and refuses one level more', () => {
    expect(nestsWithin(depth(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(true);
    expect(nestsWithin(depth(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(false);
  });

  it('counts objects and arrays alike', () => {
    const mixed = Buffer.from('{"a":[{"b":[1]}]}');
    expect(nestsWithin(mixed, 4)).toBe(true);
    expect(nestsWithin(mixed, 3)).toBe(false);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const body = Buffer.from(JSON.stringify({ note: '[[[[{{{{ "quoted \\" [[[[' }));
    expect(nestsWithin(body, 1)).toBe(true);
  });

  it('reads multi-byte characters without decoding them', () => {
    expect(nestsWithin(Buffer.from(JSON.stringify({ name: 'Ирина [😀]', x: ['Zoë'] })), 2)).toBe(
      true,
    );
  });

  it('sees wide, shallow bodies as shallow', () => {
    const wide = Buffer.from(JSON.stringify(Array.from({ length: 10_000 }, () => [1, [2]])));
    expect(nestsWithin(wide, 3)).toBe(true);
  });

  it('refuses a body that is too deep before it ends, balanced or not', () => {
    expect(
      nestsWithin(Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)), MAX_JSON_DEPTH),
    ).toBe(false);
    expect(nestsWithin(Buffer.from('{"a":'.repeat(40)), MAX_JSON_DEPTH)).toBe(false);
  });
});
