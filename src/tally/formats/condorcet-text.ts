import type { RankedBallot } from '../types';
import { FormatError, stripBom } from './format-error';

/**
 * The Condorcet Election Format (.cvotes): parameter lines `#/Candidates: A ; B`,
 * `#/Implicit Ranking: true`, `#/Weight Allowed: true`, `#/Number of Seats: n`, then one ranking
 * per line, `A > B = C ^7 * 3` (^ weight, * repetitions). Names not declared are ignored, as
 * the format specifies. Candidates are inferred from the votes when not declared.
 */
export interface CondorcetContest {
  candidates: string[];
  implicitRanking: boolean;
  weightAllowed: boolean;
  seats?: number;
  ballots: RankedBallot[];
}

export function parseCondorcetText(source: string): CondorcetContest {
  const lines = stripBom(source).split(/\r?\n/);
  let declared: string[] | null = null;
  let implicitRanking = true;
  let weightAllowed = false;
  let seats: number | undefined;
  const rows: { ranks: string[][]; weight?: string; count: number }[] = [];

  lines.forEach((rawLine, idx) => {
    const lineNo = idx + 1;
    const param = /^\s*#\/\s*([^:]+):(.*)$/.exec(rawLine);
    if (param) {
      const key = param[1].trim().toLowerCase();
      const value = param[2].trim();
      if (key === 'candidates') {
        declared = value
          .split(';')
          .map((s) => s.trim())
          .filter((s) => s !== '');
      } else if (key === 'implicit ranking') {
        implicitRanking = parseBool(value, lineNo);
      } else if (key === 'weight allowed') {
        weightAllowed = parseBool(value, lineNo);
      } else if (key === 'number of seats') {
        if (!/^\d+$/.test(value)) {
          throw new FormatError(`number of seats is not a whole number: "${value}"`, lineNo);
        }
        seats = Number(value);
      }
      return;
    }
    const line = rawLine.replace(/#.*$/, '').trim();
    if (line === '') {
      return;
    }
    let body = line;
    let count = 1;
    let weight: string | undefined;
    const rep = /\*\s*(\d+)\s*$/.exec(body);
    if (rep) {
      count = Number(rep[1]);
      body = body.slice(0, rep.index).trim();
    }
    const w = /\^\s*(\d+(?:\.\d+)?)\s*$/.exec(body);
    if (w) {
      weight = w[1];
      body = body.slice(0, w.index).trim();
    }
    if (/[*^]/.test(body)) {
      throw new FormatError(`cannot read the vote "${line}"`, lineNo);
    }
    const ranks = body
      .split('>')
      .map((rank) =>
        rank
          .split('=')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      )
      .filter((rank) => rank.length > 0);
    rows.push({ ranks, weight, count });
  });

  let candidates: string[];
  if (declared) {
    candidates = declared;
  } else {
    const seen: string[] = [];
    rows.forEach((r) => r.ranks.flat().forEach((n) => !seen.includes(n) && seen.push(n)));
    candidates = seen;
  }
  const known = new Set(candidates);
  const ballots: RankedBallot[] = rows.map((r) => {
    const ranking = r.ranks
      .map((rank) => rank.filter((n) => known.has(n)))
      .filter((rank) => rank.length > 0);
    const b: RankedBallot = { ranking, count: r.count };
    if (weightAllowed && r.weight !== undefined && r.weight !== '1') {
      b.weight = r.weight;
    }
    return b;
  });
  return { candidates, implicitRanking, weightAllowed, seats, ballots };
}

function parseBool(value: string, line: number): boolean {
  const v = value.toLowerCase();
  if (v === 'true') {
    return true;
  }
  if (v === 'false') {
    return false;
  }
  throw new FormatError(`expected true or false, found "${value}"`, line);
}
