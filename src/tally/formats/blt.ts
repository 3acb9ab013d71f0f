import type { RankedBallot } from '../types';
import { FormatError, stripBom } from './format-error';

/**
 * The BLT format used by STV software (OpenSTV, Droop, the Scottish returns):
 *   <candidates> <seats>
 *   [-n …] [withdrawn n …] [tie n …] [nick a b …] [droop …]   (options, before the ballots)
 *   <weight> <c1> <c2=c3> … 0        (one ballot; "(id)" may replace the weight)
 *   0
 *   "Name 1" "Name 2" …  "Title"  ["source"] ["comment"]
 * Comments: /* … *\/ and # to end of line, outside quotes.
 */
export interface BltContest {
  title: string;
  seats: number;
  candidates: string[];
  withdrawn: string[];
  /** From a [tie …] line: the lot fixed in advance (first listed is picked). */
  tieOrder?: string[];
  ballots: RankedBallot[];
}

interface Token {
  text: string;
  quoted: boolean;
  line: number;
}

function tokenize(source: string): Token[] {
  const text = stripBom(source);
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\n') {
      line++;
      i++;
    } else if (/\s/.test(ch)) {
      i++;
    } else if (ch === '#') {
      while (i < text.length && text[i] !== '\n') {
        i++;
      }
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) {
        throw new FormatError('unterminated /* comment', line);
      }
      for (let k = i; k < end; k++) {
        if (text[k] === '\n') {
          line++;
        }
      }
      i = end + 2;
    } else if (ch === '"') {
      const start = line;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) {
          throw new FormatError('unterminated quoted name', start);
        }
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (text[i] === '\n') {
          line++;
        }
        value += text[i++];
      }
      out.push({ text: value, quoted: true, line: start });
    } else if (ch === '[' || ch === ']') {
      out.push({ text: ch, quoted: false, line });
      i++;
    } else {
      let j = i;
      while (
        j < text.length &&
        !/\s/.test(text[j]) &&
        text[j] !== '"' &&
        text[j] !== '[' &&
        text[j] !== ']' &&
        text[j] !== '#'
      ) {
        j++;
      }
      out.push({ text: text.slice(i, j), quoted: false, line });
      i = j;
    }
  }
  return out;
}

export function parseBlt(source: string): BltContest {
  const tokens = tokenize(source);
  let p = 0;
  const lastLine = tokens.length > 0 ? tokens[tokens.length - 1].line : 1;
  const next = (what: string): Token => {
    if (p >= tokens.length) {
      throw new FormatError(`unexpected end of file, expected ${what}`, lastLine);
    }
    return tokens[p++];
  };
  const int = (t: Token, what: string): number => {
    if (t.quoted || !/^\d+$/.test(t.text)) {
      throw new FormatError(`expected ${what}, found "${t.text}"`, t.line);
    }
    return Number(t.text);
  };

  const nCand = int(next('the number of candidates'), 'the number of candidates');
  const seats = int(next('the number of seats'), 'the number of seats');
  if (nCand < 1) {
    throw new FormatError('no candidates', tokens[0].line);
  }
  const withdrawnNums = new Set<number>();
  let tieNums: number[] | undefined;
  let nicks: string[] = [];

  const candidateRef = (text: string, line: number): number => {
    const byNick = nicks.indexOf(text);
    if (byNick >= 0) {
      return byNick + 1;
    }
    if (!/^\d+$/.test(text)) {
      throw new FormatError(`unknown candidate "${text}"`, line);
    }
    const k = Number(text);
    if (k < 1 || k > nCand) {
      throw new FormatError(`candidate number ${k} is out of range 1..${nCand}`, line);
    }
    return k;
  };

  // Options before the first ballot.
  for (;;) {
    const t = tokens[p];
    if (!t) {
      break;
    }
    if (!t.quoted && /^-\d+$/.test(t.text)) {
      withdrawnNums.add(candidateRef(t.text.slice(1), t.line));
      p++;
    } else if (!t.quoted && t.text === '[') {
      p++;
      const name = next('an option name');
      const args: Token[] = [];
      for (let a = next('"]"'); a.text !== ']' || a.quoted; a = next('"]"')) {
        args.push(a);
      }
      switch (name.text) {
        case 'nick':
          nicks = args.map((a) => a.text);
          break;
        case 'withdrawn':
          args.forEach((a) => withdrawnNums.add(candidateRef(a.text, a.line)));
          break;
        case 'tie':
          tieNums = args.map((a) => candidateRef(a.text, a.line));
          break;
        default:
          break; // [droop …] and other program options do not change the ballots
      }
    } else {
      break;
    }
  }

  const raw: { weight: string; ranks: number[][]; line: number }[] = [];
  for (;;) {
    const t = next('a ballot or the closing 0');
    let weight: string;
    if (!t.quoted && t.text === '0') {
      break;
    }
    if (!t.quoted && /^\(.*\)$/.test(t.text)) {
      weight = '1';
    } else if (!t.quoted && /^\d+(\.\d+)?$/.test(t.text)) {
      weight = t.text;
    } else {
      throw new FormatError(`expected a ballot weight, found "${t.text}"`, t.line);
    }
    const ranks: number[][] = [];
    for (;;) {
      const c = next('a candidate or the 0 ending the ballot');
      if (c.quoted) {
        throw new FormatError(`ballot not ended by 0 before "${c.text}"`, c.line);
      }
      if (c.text === '0') {
        break;
      }
      if (c.text === '-') {
        ranks.push([]); // a skipped preference
        continue;
      }
      ranks.push(c.text.split('=').map((x) => candidateRef(x, c.line)));
    }
    raw.push({ weight, ranks, line: t.line });
  }

  const names: string[] = [];
  while (names.length < nCand) {
    const t = next(`the name of candidate ${names.length + 1}`);
    if (!t.quoted) {
      throw new FormatError(`expected a quoted candidate name, found "${t.text}"`, t.line);
    }
    names.push(t.text);
  }
  const titleToken = tokens[p];
  const title = titleToken ? titleToken.text : '';

  const unique = new Set(names);
  if (unique.size !== names.length) {
    throw new FormatError('two candidates have the same name', titleToken?.line ?? lastLine);
  }
  const ballots: RankedBallot[] = [];
  for (const r of raw) {
    const ranking = r.ranks.map((rank) => rank.map((k) => names[k - 1]));
    if (ranking.length === 0) {
      // "1 0": an empty ballot, kept so it is reported as blank.
      ballots.push(
        r.weight === '1' ? { ranking: [] } : { ranking: [], count: 1, weight: r.weight },
      );
      continue;
    }
    ballots.push(bltBallot(ranking, r.weight));
  }
  return {
    title,
    seats,
    candidates: names,
    withdrawn: [...withdrawnNums].sort((a, b) => a - b).map((k) => names[k - 1]),
    tieOrder: tieNums?.map((k) => names[k - 1]),
    ballots,
  };
}

/** A BLT weight is usually a count of identical ballots; a fraction is a real weight. */
function bltBallot(ranking: string[][], weight: string): RankedBallot {
  if (/^\d+$/.test(weight)) {
    return { ranking, count: Number(weight) };
  }
  return { ranking, weight };
}
