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
  const params: CondorcetParameters = {
    declared: null,
    implicitRanking: true,
    weightAllowed: false,
    seats: undefined,
  };
  const rows: CondorcetVote[] = [];

  lines.forEach((rawLine, idx) => {
    const lineNo = idx + 1;
    if (readCondorcetParameter(rawLine, params, lineNo)) {
      return;
    }
    const vote = readCondorcetVote(rawLine, lineNo);
    if (vote) {
      rows.push(vote);
    }
  });

  const { declared, implicitRanking, weightAllowed, seats } = params;
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

export interface CondorcetParameters {
  declared: string[] | null;
  implicitRanking: boolean;
  weightAllowed: boolean;
  seats: number | undefined;
}

/** Applies a `#/Name: value` line to `params`; false if the line is not a parameter. */
export function readCondorcetParameter(
  rawLine: string,
  params: CondorcetParameters,
  lineNo: number,
): boolean {
  const param = /^\s*#\/\s*([^:]+):(.*)$/.exec(rawLine);
  if (!param) {
    return false;
  }
  const key = param[1].trim().toLowerCase();
  const value = param[2].trim();
  if (key === 'candidates') {
    params.declared = value
      .split(';')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  } else if (key === 'implicit ranking') {
    params.implicitRanking = parseBool(value, lineNo);
  } else if (key === 'weight allowed') {
    params.weightAllowed = parseBool(value, lineNo);
  } else if (key === 'number of seats') {
    if (!/^\d+$/.test(value)) {
      throw new FormatError(`number of seats is not a whole number: "${value}"`, lineNo);
    }
    params.seats = Number(value);
  }
  return true;
}

/** One vote line as written (names not yet checked against the candidates); null if blank. */
export interface CondorcetVote {
  ranks: string[][];
  weight?: string;
  count: number;
}

export function readCondorcetVote(rawLine: string, lineNo: number): CondorcetVote | null {
  const line = rawLine.replace(/#.*$/, '').trim();
  if (line === '') {
    return null;
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
  return { ranks, weight, count };
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
