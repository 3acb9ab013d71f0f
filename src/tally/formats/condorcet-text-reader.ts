import type { RankedBallot } from '../types';
import {
  type CondorcetContest,
  type CondorcetParameters,
  type CondorcetVote,
  readCondorcetParameter,
  readCondorcetVote,
} from './condorcet-text';
import { afterBom, ByteKeys, decodeUtf8, hashBytes, IntList, LineSplitter } from './stream';

/**
 * The Condorcet Election Format read as a stream (see parseCondorcetText), with identical vote
 * lines grouped as they are read: each distinct line is decoded and read once, then counted.
 * Parameter lines are read every time, in order, as they change what follows.
 */
export class CondorcetTextReader {
  private readonly lines = new LineSplitter((buf, s, e) => this.onLine(buf, s, e));
  private line = 0;
  private readonly keys = new ByteKeys();
  /** Vote of each distinct line; -1 for a line without a vote, -2 for a parameter line. */
  private readonly voteOf = new IntList();
  private readonly votes: CondorcetVote[] = [];
  private readonly seen: number[] = [];
  private readonly params: CondorcetParameters = {
    declared: null,
    implicitRanking: true,
    weightAllowed: false,
    seats: undefined,
  };

  push(chunk: Uint8Array): void {
    this.lines.push(chunk);
  }

  end(): CondorcetContest {
    this.lines.end();
    const { declared, implicitRanking, weightAllowed, seats } = this.params;
    let candidates: string[];
    if (declared) {
      candidates = declared;
    } else {
      const seen = new Set<string>();
      candidates = [];
      for (const v of this.votes) {
        for (const name of v.ranks.flat()) {
          if (!seen.has(name)) {
            seen.add(name);
            candidates.push(name);
          }
        }
      }
    }
    const known = new Set(candidates);
    const ballots: RankedBallot[] = this.votes.map((v, k) => {
      const ranking = v.ranks
        .map((rank) => rank.filter((n) => known.has(n)))
        .filter((rank) => rank.length > 0);
      const b: RankedBallot = { ranking, count: v.count * this.seen[k] };
      if (weightAllowed && v.weight !== undefined && v.weight !== '1') {
        b.weight = v.weight;
      }
      return b;
    });
    return { candidates, implicitRanking, weightAllowed, seats, ballots };
  }

  private onLine(buf: Uint8Array, start: number, end: number): void {
    this.line++;
    if (this.line === 1) {
      start = afterBom(buf, start, end);
    }
    const stop = end > start && buf[end - 1] === CR ? end - 1 : end;
    const h = hashBytes(buf, start, stop);
    const id = this.keys.find(buf, start, stop, h);
    if (id >= 0 && this.voteOf.data[id] !== PARAMETER) {
      const k = this.voteOf.data[id];
      if (k >= 0) {
        this.seen[k]++;
      }
      return;
    }
    const text = decodeUtf8(buf, start, stop);
    if (readCondorcetParameter(text, this.params, this.line)) {
      if (id < 0) {
        this.keys.add(buf, start, stop, h);
        this.voteOf.push(PARAMETER);
      }
      return;
    }
    const vote = readCondorcetVote(text, this.line);
    this.keys.add(buf, start, stop, h);
    if (vote === null) {
      this.voteOf.push(-1);
      return;
    }
    this.voteOf.push(this.votes.length);
    this.votes.push(vote);
    this.seen.push(1);
  }
}

const CR = 0x0d;
const PARAMETER = -2;
