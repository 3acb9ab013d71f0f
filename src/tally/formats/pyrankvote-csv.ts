import type { RankedBallot } from '../types';
import { parseCsv } from './csv';
import { FormatError } from './format-error';

/** Marks a rank where the voter marked several candidates (an overvote) in ballot files. */
export const OVERVOTE = '$OVERVOTE';
export const UNDERVOTE = '$UNDERVOTE';

/**
 * Long-format ranked ballots: header `ballot_id,rank,choice`, one row per marked rank, the rows
 * of a ballot together in rank order. `$UNDERVOTE` (nothing marked) becomes an empty rank and
 * `$OVERVOTE` a rank holding the OVERVOTE marker, so each method's own rule can decide.
 */
export function parsePyrankvoteCsv(source: string): {
  candidates: string[];
  ballots: RankedBallot[];
} {
  const rows = parseCsv(source);
  if (rows.length === 0) {
    throw new FormatError('empty file', 1);
  }
  const header = rows[0].cells.map((c) => c.trim().toLowerCase());
  if (header.join(',') !== 'ballot_id,rank,choice') {
    throw new FormatError('expected the header ballot_id,rank,choice', rows[0].line);
  }
  const candidates: string[] = [];
  const seen = new Set<string>();
  const ballots: RankedBallot[] = [];
  let currentId: string | null = null;
  let current: string[][] = [];
  let lastRank = 0;
  const flush = (): void => {
    if (currentId !== null) {
      ballots.push({ ranking: current });
    }
  };
  for (const row of rows.slice(1)) {
    if (row.cells.length !== 3) {
      throw new FormatError(`expected 3 fields, found ${row.cells.length}`, row.line);
    }
    const [id, rankText, choiceRaw] = row.cells.map((c) => c.trim());
    const rank = Number(rankText);
    if (!Number.isInteger(rank) || rank < 1) {
      throw new FormatError(`rank is not a positive whole number: "${rankText}"`, row.line);
    }
    if (id !== currentId) {
      flush();
      currentId = id;
      current = [];
      lastRank = 0;
    }
    if (rank !== lastRank + 1) {
      throw new FormatError(`ranks of ballot ${id} are not in order`, row.line);
    }
    lastRank = rank;
    if (choiceRaw === UNDERVOTE) {
      current.push([]);
    } else if (choiceRaw === OVERVOTE) {
      current.push([OVERVOTE]);
    } else {
      if (!seen.has(choiceRaw)) {
        seen.add(choiceRaw);
        candidates.push(choiceRaw);
      }
      current.push([choiceRaw]);
    }
  }
  flush();
  return { candidates, ballots };
}
