import type { RankedBallot } from '../types';
import { parseCsv } from './csv';
import { FormatError } from './format-error';
import { OVERVOTE } from './pyrankvote-csv';

export const UNDECLARED_WRITE_INS = 'Undeclared Write-ins';

export interface RctabCsvOptions {
  layout: 'rank-columns' | 'candidate-columns';
  /** 1-based. */
  firstVoteColumn: number;
  /** 1-based; rows above are headers. */
  firstVoteRow: number;
  /** rank-columns: number of rank columns, or every remaining column. */
  rankColumns?: number | 'all remaining';
  overvoteLabel?: string | null;
  skippedRankLabel?: string | null;
  undeclaredWriteInLabel?: string | null;
}

/**
 * Cast-vote records as RCTab reads them from CSV. Overvoted ranks hold the OVERVOTE marker and
 * skipped ranks are empty, so the counting rules decide what they do.
 */
export function parseRctabCsv(source: string, o: RctabCsvOptions): RankedBallot[] {
  const rows = parseCsv(source);
  const first = o.firstVoteColumn - 1;
  const ballots: RankedBallot[] = [];
  const cellToName = (cell: string): string | null => {
    if (cell === '' || (o.skippedRankLabel && cell === o.skippedRankLabel)) {
      return null;
    }
    if (o.overvoteLabel && cell === o.overvoteLabel) {
      return OVERVOTE;
    }
    if (o.undeclaredWriteInLabel && cell === o.undeclaredWriteInLabel) {
      return UNDECLARED_WRITE_INS;
    }
    return cell;
  };
  if (o.layout === 'rank-columns') {
    for (const row of rows.slice(o.firstVoteRow - 1)) {
      const cells = row.cells.map((c) => c.trim());
      const last =
        o.rankColumns === 'all remaining' || o.rankColumns === undefined
          ? cells.length
          : first + o.rankColumns;
      const ranking: string[][] = [];
      for (let k = first; k < last; k++) {
        const name = cellToName(cells[k] ?? '');
        ranking.push(name === null ? [] : [name]);
      }
      while (ranking.length > 0 && ranking[ranking.length - 1].length === 0) {
        ranking.pop();
      }
      ballots.push({ ranking });
    }
    return ballots;
  }
  const headerRow = rows[o.firstVoteRow - 2];
  if (!headerRow) {
    throw new FormatError('no header row naming the candidates', 1);
  }
  const names = headerRow.cells.slice(first).map((c) => c.trim());
  for (const row of rows.slice(o.firstVoteRow - 1)) {
    const byRank = new Map<number, string[]>();
    names.forEach((name, k) => {
      const cell = (row.cells[first + k] ?? '').trim();
      if (cell === '') {
        return;
      }
      const r = Number(cell);
      if (!Number.isInteger(r) || r < 1) {
        throw new FormatError(`rank is not a positive whole number: "${cell}"`, row.line);
      }
      const mapped = cellToName(name) ?? name;
      byRank.set(r, [...(byRank.get(r) ?? []), mapped]);
    });
    const maxRank = Math.max(0, ...byRank.keys());
    const ranking: string[][] = [];
    for (let r = 1; r <= maxRank; r++) {
      ranking.push(byRank.get(r) ?? []);
    }
    ballots.push({ ranking });
  }
  return ballots;
}
