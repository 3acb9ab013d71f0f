import type { RankedBallot } from '../types';
import { parseCsv } from './csv';
import { FormatError } from './format-error';
import { parsePyrankvoteCsv } from './pyrankvote-csv';

/**
 * Ranked ballots as CSV. Two layouts are recognised from the header:
 * - long: `ballot_id,rank,choice` (one row per marked rank);
 * - wide: one row per ballot, rank columns headed `1`, `2`, … (or `rank 1`, `choice 1`, `pref 1`),
 *   optional `count` and `weight` columns; a cell may hold `A=B` for an equal rank; an empty
 *   cell is a skipped rank.
 * Candidates are listed in order of first appearance.
 */
export function parseRankedCsv(source: string): { candidates: string[]; ballots: RankedBallot[] } {
  const rows = parseCsv(source);
  if (rows.length === 0) {
    throw new FormatError('empty file', 1);
  }
  const header = rows[0].cells.map((c) => c.trim().toLowerCase());
  if (header.join(',') === 'ballot_id,rank,choice') {
    return parsePyrankvoteCsv(source);
  }
  const rankCols: { col: number; rank: number }[] = [];
  let countCol = -1;
  let weightCol = -1;
  header.forEach((h, col) => {
    const m = /^(?:rank|choice|pref(?:erence)?)?\s*#?\s*(\d+)$/.exec(h);
    if (m) {
      rankCols.push({ col, rank: Number(m[1]) });
    } else if (h === 'count') {
      countCol = col;
    } else if (h === 'weight') {
      weightCol = col;
    }
  });
  if (rankCols.length === 0) {
    throw new FormatError(
      'no rank columns: expected a header like "1,2,3" or "ballot_id,rank,choice"',
      rows[0].line,
    );
  }
  rankCols.sort((a, b) => a.rank - b.rank);
  const candidates: string[] = [];
  const known = new Set<string>();
  const ballots: RankedBallot[] = [];
  for (const row of rows.slice(1)) {
    const ranking = rankCols.map(({ col }) => {
      const cell = (row.cells[col] ?? '').trim();
      if (cell === '') {
        return [];
      }
      const names = cell.split('=').map((s) => s.trim());
      for (const name of names) {
        if (name === '') {
          throw new FormatError(`empty name in "${cell}"`, row.line);
        }
        if (!known.has(name)) {
          known.add(name);
          candidates.push(name);
        }
      }
      return names;
    });
    while (ranking.length > 0 && ranking[ranking.length - 1].length === 0) {
      ranking.pop();
    }
    const ballot: RankedBallot = { ranking };
    if (countCol >= 0) {
      const text = (row.cells[countCol] ?? '').trim();
      if (!/^\d+$/.test(text)) {
        throw new FormatError(`count is not a whole number: "${text}"`, row.line);
      }
      ballot.count = Number(text);
    }
    if (weightCol >= 0) {
      const text = (row.cells[weightCol] ?? '').trim();
      if (!/^\d+(\.\d+)?$/.test(text)) {
        throw new FormatError(`weight is not a positive decimal: "${text}"`, row.line);
      }
      ballot.weight = text;
    }
    ballots.push(ballot);
  }
  return { candidates, ballots };
}
