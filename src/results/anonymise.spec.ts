import type { Ballot } from 'src/tally';
import { pseudonymiseJurors } from './anonymise';

const ballot = (juror: string, score: number): Ballot =>
  ({ juror, scores: { n1: { impact: score } } });

describe('pseudonymiseJurors', () => {
  it('replaces every juror id with a label and keeps the scores', () => {
    const out = pseudonymiseJurors([ballot('user-b', 7), ballot('user-a', 3)]);
    expect(JSON.stringify(out)).not.toMatch(/user-/);
    expect(out).toEqual([ballot('juror-1', 3), ballot('juror-2', 7)]);
  });

  it('gives the same labels whatever the order the ballots were read in', () => {
    const a = [ballot('x', 1), ballot('y', 2), ballot('z', 3)];
    expect(pseudonymiseJurors([...a].reverse())).toEqual(pseudonymiseJurors(a));
  });

  it('leaves ballots without a juror (rankings) unchanged', () => {
    const ranking = { ranking: [['n1'], ['n2']] } as unknown as Ballot;
    expect(pseudonymiseJurors([ranking])).toEqual([ranking]);
  });
});
