import { type Ballot, type Method, type MethodConfig, tally } from 'src/tally';
import { canonicalJson } from 'src/tally/digest';
import { aggregateBallots, repeatedContents } from './aggregate';

/** A seeded generator of weighted ballots of every shape. */
function ballots(kind: 'yes_no' | 'plurality' | 'approval' | 'ranked', n = 300): Ballot[] {
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const weights = [1, 1, 1, 2, 5, 37, '1.5'];
  return Array.from({ length: n }, () => {
    const weight = weights[Math.floor(rnd() * weights.length)];
    const content =
      kind === 'yes_no'
        ? { choice: ['yes', 'no', 'abstain'][Math.floor(rnd() * 3)] }
        : kind === 'plurality'
          ? { choice: ids[Math.floor(rnd() * 3)] }
          : kind === 'approval'
            ? { approve: ids.filter(() => rnd() < 0.4) }
            : {
                ranking: [...ids]
                  .sort(() => rnd() - 0.5)
                  .slice(0, 1 + Math.floor(rnd() * 4))
                  .map((id) => [id]),
              };
    return weight === 1 ? content : { ...content, weight };
  });
}

const CASES: [Method, MethodConfig, Parameters<typeof ballots>[0]][] = [
  ['yes_no', { threshold: { kind: 'more_than_half', base: 'valid' } }, 'yes_no'],
  ['plurality', {}, 'plurality'],
  ['approval', { seats: 2 }, 'approval'],
  ['irv', {}, 'ranked'],
  ['schulze', { seats: 1 }, 'ranked'],
  ['borda', { seats: 2 }, 'ranked'],
  ['stv', { seats: 2, variant: 'scottish' }, 'ranked'],
  ['stv', { seats: 2, variant: 'meek' }, 'ranked'],
];

const count = (method: Method, config: MethodConfig, b: Ballot[]) =>
  tally({
    method,
    config,
    candidates: method === 'yes_no' ? [] : ['a', 'b', 'c', 'd', 'e'],
    ballots: b,
    seed: 'seed',
  });

describe('aggregateBallots', () => {
  it('publishes one entry per content with its count and the total weight, never one ballot’s weight', () => {
    const out = aggregateBallots([
      { choice: 'X', weight: 2 },
      { choice: 'X', weight: 5 },
      { choice: 'Y', weight: 37 },
      { choice: 'Z' },
      { choice: 'Z' },
      { choice: 'Z', count: 2 },
      { choice: 'W', weight: '1.5' },
      { choice: 'W', weight: '0.5' },
    ] as Ballot[]);
    expect(out).toEqual([
      { choice: 'W', count: 2 },
      { choice: 'X', count: 2, weight: '7/2' },
      // A content chosen by one voter alone shows that voter's weight: nothing can hide it.
      { choice: 'Y', count: 1, weight: 37 },
      { choice: 'Z', count: 4 },
    ]);
    expect(repeatedContents(out)).toEqual([]);
  });

  it('passes ballots already aggregated at the source unchanged', () => {
    const source = [
      { choice: 'X', count: 2, weight: '4/2' },
      { choice: 'Y', count: 3 },
      { approve: ['a', 'b'], count: 1, weight: '37/1' },
    ] as Ballot[];
    const out = aggregateBallots(source);
    expect(out).toHaveLength(3);
    expect(out).toEqual(expect.arrayContaining(source));
    expect(aggregateBallots(out)).toEqual(out);
  });

  it('does not depend on the order of the ballots and sorts by canonical JSON', () => {
    const input = ballots('ranked', 80);
    const out = aggregateBallots(input);
    expect(aggregateBallots([...input].reverse())).toEqual(out);
    const keys = out.map((b) => canonicalJson(b));
    expect(keys).toEqual([...keys].sort());
    expect(out.reduce((n, b) => n + (b.count ?? 1), 0)).toBe(80);
  });

  it('keeps jurors apart: a juror’s ballot is its own content', () => {
    const scores = { n1: { q: 7 } };
    const out = aggregateBallots([
      { juror: 'juror-2', scores },
      { juror: 'juror-1', scores },
    ] as Ballot[]);
    expect(out).toEqual([
      { juror: 'juror-1', scores, count: 1 },
      { juror: 'juror-2', scores, count: 1 },
    ]);
  });

  it.each(CASES)(
    '%s %j: the replay from the published form gives the count of the source’s aggregated form',
    (method, config, kind) => {
      const source = aggregateBallots(ballots(kind));
      // The published form of already-aggregated ballots is the same list, so every figure of
      // the stored count comes back, byte for byte.
      expect(canonicalJson(count(method, config, aggregateBallots(source)))).toBe(
        canonicalJson(count(method, config, source)),
      );
    },
  );

  it.each(CASES.filter(([m]) => m !== 'stv'))(
    '%s %j: aggregating changes no figure of the count but the number of distinct ballots',
    (method, config, kind) => {
      const raw = ballots(kind);
      const strip = (b: Ballot[]) => {
        const r = JSON.parse(canonicalJson(count(method, config, b))) as {
          stats: { distinct?: number };
        };
        delete r.stats.distinct;
        return r;
      };
      expect(strip(aggregateBallots(raw))).toEqual(strip(raw));
    },
  );
});
