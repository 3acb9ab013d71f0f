import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { digest } from 'src/tally/digest';
import { parseBlt } from 'src/tally/formats/blt';
import { tally, type TallyInput } from 'src/tally';
import { main } from './tally';

/** Runs the command line in this process, capturing what it writes. */
function run(...argv: string[]): { status: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  try {
    return { status: main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('npm run tally', () => {
  let dir: string;
  const file = (name: string, text: string): string => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tally-cli-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts a BLT file read as a stream exactly as the engine counts the whole text', () => {
    const lines = ['4 2'];
    for (let i = 0; i < 2000; i++) {
      lines.push(
        `1 ${1 + (i % 4)} ${1 + ((i * 7) % 4)} ${i % 3 === 0 ? '' : `${1 + ((i * 5) % 4)} `}0`,
      );
    }
    lines.push('0', '"A" "B" "C" "D"', '"t"');
    const text = lines.join('\n');
    const r = run(file('big.blt', text), '--json');
    expect(r.status).toBe(0);
    const blt = parseBlt(text);
    const expected = tally({
      method: 'stv',
      config: { variant: 'scottish', seats: blt.seats, withdrawn: blt.withdrawn },
      candidates: blt.candidates,
      ballots: blt.ballots,
      seed: 'cli:big.blt',
    });
    expect(digest(JSON.parse(r.stdout))).toBe(digest(expected));
  });

  it.each([
    [
      'b.blt',
      '2 1\n1 1 0\n1 1 9 0\n0\n"A" "B"\n',
      'b.blt:3: candidate number 9 is out of range 1..2',
    ],
    ['c.csv', '1,2\nA,B\nA,B\n"A\n', 'c.csv:4: unterminated quoted field'],
    ['w.csv', '1,2,count\nA,B,1\nB,A,x\n', 'w.csv:3: count is not a whole number: "x"'],
    ['v.cvotes', 'A > B\nA ^ > B\n', 'v.cvotes:2: cannot read the vote "A ^ > B"'],
    [
      'j.json',
      '{\n"method": "irv",\n"ballots": [{"ranking":[["A"]]},,]\n}',
      'j.json:3: invalid JSON: expected a value',
    ],
    ['m.json', '{"ballots": [],\n"method": "nope"}', 'm.json:2: "method" must be one of'],
  ])('names the file and line of a bad %s', (name, text, message) => {
    const r = run(file(name, text));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`tally: ${path.join(dir, message)}`);
    expect(r.stdout).toBe('');
  });

  it('reads a contest JSON file as the engine input it holds', () => {
    const contest: TallyInput = {
      method: 'irv',
      config: {},
      candidates: ['A', 'B'],
      ballots: [{ ranking: [['A']] }, { ranking: [['B']] }, { ranking: [['A']] }],
      seed: 's',
    };
    const r = run(file('ok.json', JSON.stringify(contest)), '--json');
    expect(r.status).toBe(0);
    expect(digest(JSON.parse(r.stdout))).toBe(digest(tally(contest)));
  });
});
