import { parseBlt } from './blt';
import { parseCondorcetText } from './condorcet-text';
import { locateJsonError, parseContestJson } from './contest-json';
import { parseCsv } from './csv';
import { parseDebianTally } from './debian-tally';
import { FormatError } from './format-error';
import { parsePyrankvoteCsv } from './pyrankvote-csv';
import { parseRankedCsv } from './ranked-csv';
import { parseRctabCsv } from './rctab-csv';

const lineOf = (f: () => unknown): number => {
  try {
    f();
  } catch (e) {
    if (e instanceof FormatError) {
      return e.line;
    }
    throw e;
  }
  throw new Error('no error');
};

describe('BLT', () => {
  const blt = [
    '\ufeff4 2 # four candidates, two seats',
    '-4',
    '[tie 2 1 3]',
    '[nick a b c d]',
    '3 a b=c 0',
    '/* a comment */ 2 3 1 0',
    '(ballot-7) 2 0',
    '1 0',
    '0',
    '"Ann" "Bob" "Cy ""the"" Dee"',
    '"Dot"',
    '"Title"',
  ].join('\n');

  it('reads weights, equal ranks, nicknames, withdrawals, tie order and quoted names', () => {
    const c = parseBlt(blt);
    expect(c.seats).toBe(2);
    expect(c.candidates).toEqual(['Ann', 'Bob', 'Cy "the" Dee', 'Dot']);
    expect(c.withdrawn).toEqual(['Dot']);
    expect(c.tieOrder).toEqual(['Bob', 'Ann', 'Cy "the" Dee']);
    expect(c.title).toBe('Title');
    expect(c.ballots).toEqual([
      { ranking: [['Ann'], ['Bob', 'Cy "the" Dee']], count: 3 },
      { ranking: [['Cy "the" Dee'], ['Ann']], count: 2 },
      { ranking: [['Bob']], count: 1 },
      { ranking: [] },
    ]);
  });

  it('names the line of a bad ballot', () => {
    expect(lineOf(() => parseBlt('2 1\n1 1 0\n1 1 9 0\n0\n"A" "B"\n"t"'))).toBe(3);
    expect(lineOf(() => parseBlt('2 1\n1 1 0\n0\n"A"'))).toBe(4);
  });
});

describe('Condorcet text', () => {
  it('reads parameters, equal ranks, weights and repetitions, ignoring unknown names', () => {
    const c = parseCondorcetText(
      [
        '#/Candidates: A ; B ; C',
        '#/Weight Allowed: true',
        '#/Number of Seats: 2',
        'A > B = C ^2 * 3',
        'C > X > A # comment',
      ].join('\n'),
    );
    expect(c.candidates).toEqual(['A', 'B', 'C']);
    expect(c.seats).toBe(2);
    expect(c.ballots).toEqual([
      { ranking: [['A'], ['B', 'C']], count: 3, weight: '2' },
      { ranking: [['C'], ['A']], count: 1 },
    ]);
  });
});

describe('CSV ballots', () => {
  it('parses RFC 4180 quoting', () => {
    expect(parseCsv('a,"b ""x"", c"\r\n1,2\n').map((r) => r.cells)).toEqual([
      ['a', 'b "x", c'],
      ['1', '2'],
    ]);
  });

  it('reads wide ranked CSV with counts and equal ranks', () => {
    const c = parseRankedCsv('rank 1,rank 2,count\nA,B=C,3\nC,,1\n');
    expect(c.candidates).toEqual(['A', 'B', 'C']);
    expect(c.ballots).toEqual([
      { ranking: [['A'], ['B', 'C']], count: 3 },
      { ranking: [['C']], count: 1 },
    ]);
    expect(lineOf(() => parseRankedCsv('1,2,count\nA,B,x\n'))).toBe(2);
  });

  it('reads long ballot_id,rank,choice CSV with overvote and undervote markers', () => {
    const c = parsePyrankvoteCsv(
      'ballot_id,rank,choice\n1,1,A\n1,2,$UNDERVOTE\n1,3,B\n2,1,$OVERVOTE\n',
    );
    expect(c.candidates).toEqual(['A', 'B']);
    expect(c.ballots).toEqual([{ ranking: [['A'], [], ['B']] }, { ranking: [['$OVERVOTE']] }]);
  });

  it('reads RCTab cast-vote records in both layouts', () => {
    const rank = parseRctabCsv('id,r1,r2\n1,A,overvote\n2,undervote,B\n', {
      layout: 'rank-columns',
      firstVoteColumn: 2,
      firstVoteRow: 2,
      rankColumns: 2,
      overvoteLabel: 'overvote',
      skippedRankLabel: 'undervote',
    });
    expect(rank).toEqual([{ ranking: [['A'], ['$OVERVOTE']] }, { ranking: [[], ['B']] }]);
    const cand = parseRctabCsv('id,A,B,C\n1,1,2,\n2,1,1,2\n', {
      layout: 'candidate-columns',
      firstVoteColumn: 2,
      firstVoteRow: 2,
    });
    expect(cand).toEqual([{ ranking: [['A'], ['B']] }, { ranking: [['A', 'B'], ['C']] }]);
  });
});

describe('Debian tally sheet', () => {
  it('reads option names and rank digits', () => {
    const c = parseDebianTally(
      [
        '     Option 1--->: Alpha',
        '   /  Option 2-->: Beta',
        '   |/  Option 3->: None',
        'V: 2-1 abc',
        'V: 11- def',
      ].join('\n'),
    );
    expect(c.candidates).toEqual(['Alpha', 'Beta', 'None']);
    expect(c.ballots).toEqual([
      { ranking: [['None'], ['Alpha']] },
      { ranking: [['Alpha', 'Beta']] },
    ]);
  });
});

describe('project contest JSON', () => {
  it('reads a contest and names the line of a syntax error', () => {
    const c = parseContestJson(
      '{"method":"irv","candidates":["A"],"ballots":[{"ranking":[["A"]]}],"seed":"x"}',
    );
    expect(c).toMatchObject({ method: 'irv', config: {}, seed: 'x' });
    expect(lineOf(() => parseContestJson('{\n"method": "irv",\n"ballots": [1,,2]\n}'))).toBe(3);
    expect(lineOf(() => parseContestJson('{\n"method": "nope",\n"ballots": []\n}'))).toBe(2);
    expect(locateJsonError('[1, 2')).toMatchObject({ offset: 5 });
  });
});
