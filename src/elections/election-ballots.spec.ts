import { tally } from 'src/tally';
import { engineBallots, groupByContent } from './election-ballots';

describe('counted ballots', () => {
  it('groups opened ballots per distinct content, whatever their weights, in content order', () => {
    const groups = groupByContent([
      { content: { choice: 'y' }, weight: 37 },
      { content: { choice: 'x' }, weight: 1 },
      { content: { choice: 'y' }, weight: 1 },
      { content: { choice: 'x' }, weight: 1 },
    ]);
    expect(groups).toEqual([
      { content: { choice: 'x' }, ballots: 2, weight: 2 },
      { content: { choice: 'y' }, ballots: 2, weight: 38 },
    ]);
  });

  it('gives the engine each group as its count of ballots of equal weight, exact when it does not divide', () => {
    expect(
      engineBallots([
        { content: { choice: 'x' }, ballots: 2, weight: 2 },
        { content: { choice: 'y' }, ballots: 2, weight: 38 },
        { content: { choice: 'z' }, ballots: 3, weight: 5 },
      ]),
    ).toEqual([
      { choice: 'x', count: 2 },
      { choice: 'y', count: 2, weight: 19 },
      { choice: 'z', count: 3, weight: '5/3' },
    ]);
  });

  it('counts the grouped form exactly as the ballots one by one', () => {
    const opened = [
      { content: { choice: 'a' }, weight: 3 },
      { content: { choice: 'b' }, weight: 1 },
      { content: { choice: 'a' }, weight: 1 },
      { content: { choice: 'b' }, weight: 2 },
      { content: { choice: 'a' }, weight: 1 },
    ];
    const config = { method: 'plurality' as const, config: {}, candidates: ['a', 'b'], seed: 's' };
    const grouped = tally({ ...config, ballots: engineBallots(groupByContent(opened)) });
    const single = tally({
      ...config,
      ballots: opened.map((b) => ({ ...b.content, weight: b.weight })),
    });
    expect(grouped.rounds).toEqual(single.rounds);
    expect(grouped.winners).toEqual(single.winners);
    // Only the number of distinct entries differs: content alone, not content and weight.
    expect({ ...grouped.stats, distinct: 2 }).toEqual({ ...single.stats, distinct: 2 });
    expect(grouped.stats.distinct).toBe(2);
  });

  it('keeps Scottish STV exact for a group whose weights share no 5-decimal per-ballot weight', () => {
    // Three ballots weighing 1, 1 and 2 with the same ranking: 4/3 each, 4 in all.
    const opened = [
      { content: { ranking: [['a'], ['b']] }, weight: 1 },
      { content: { ranking: [['a'], ['b']] }, weight: 1 },
      { content: { ranking: [['a'], ['b']] }, weight: 2 },
      { content: { ranking: [['b']] }, weight: 1 },
      { content: { ranking: [['c']] }, weight: 1 },
    ];
    const result = tally({
      method: 'stv',
      config: { seats: 1, variant: 'scottish' },
      candidates: ['a', 'b', 'c'],
      seed: 's',
      ballots: engineBallots(groupByContent(opened)),
    });
    expect(engineBallots(groupByContent(opened))[0]).toMatchObject({ count: 3, weight: '4/3' });
    expect(result.rounds[0].votes).toEqual({ a: '4.00000', b: '1.00000', c: '1.00000' });
    expect(result.winners).toEqual(['a']);
  });
});
