import type { RankedBallot } from '../types';
import { FormatError, stripBom } from './format-error';

/**
 * Debian's tally sheet: `Option n--->: Name` lines, then `V: <ranks> <hash>` where character n is
 * the rank given to option n (1 best, `-` unranked, equal digits = equal rank).
 */
export function parseDebianTally(source: string): {
  candidates: string[];
  ballots: RankedBallot[];
} {
  const options: string[] = [];
  const ballots: RankedBallot[] = [];
  stripBom(source)
    .split(/\r?\n/)
    .forEach((line, idx) => {
      const opt = /Option\s+(\d+)-*>:\s*(.*?)\s*$/.exec(line);
      if (opt) {
        options[Number(opt[1]) - 1] = opt[2];
        return;
      }
      const vote = /^\s*V:\s*(\S+)/.exec(line);
      if (!vote) {
        return;
      }
      const marks = vote[1];
      if (marks.length !== options.length) {
        throw new FormatError(
          `vote has ${marks.length} marks for ${options.length} options`,
          idx + 1,
        );
      }
      const byRank = new Map<number, string[]>();
      for (let k = 0; k < marks.length; k++) {
        const ch = marks[k];
        if (ch === '-') {
          continue;
        }
        const r = parseInt(ch, 36);
        if (Number.isNaN(r)) {
          throw new FormatError(`unexpected mark "${ch}"`, idx + 1);
        }
        byRank.set(r, [...(byRank.get(r) ?? []), options[k]]);
      }
      const ranking = [...byRank.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
      ballots.push({ ranking });
    });
  if (options.length === 0 || options.some((o) => o === undefined)) {
    throw new FormatError('no complete list of "Option n--->: Name" lines', 1);
  }
  return { candidates: options, ballots };
}
