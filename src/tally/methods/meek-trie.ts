import type { RankedGroups } from '../ranked';

/** A candidate's state in Meek's count, as the tree reads it. */
export const HOPEFUL = 0;
export const ELECTED = 1;
export const EXCLUDED = 2;

/** `single` of a node whose candidate was excluded: its ballots moved on, it counts for nothing. */
const EMPTIED = -3;

/**
 * The distinct ballots as Meek's count sees them in the current round: a prefix tree of rank
 * groups with excluded candidates spliced out (their ballots pass straight on, and paths that
 * become equal share a node) and nothing below a hopeful (a hopeful keeps the whole value
 * reaching it). A parent always comes before its children, so a distribution is a linear scan.
 *
 * The tree is updated when candidates change state rather than rebuilt every round: each
 * distinct ballot waits at the hopeful where its path stops, and only the ballots waiting at a
 * candidate who is elected or excluded move on. Over a whole count each ranking is read about
 * once. An equal rank never stops a ballot; when one of its candidates is excluded, the node
 * stays and its other candidates share the value (with none left it passes everything on, with
 * one it acts as that candidate's node): the same amounts as splicing, without moving ballots.
 */
export class MeekTree {
  /** Number of nodes. */
  size = 0;
  /** Candidate at the node, -1 for an equal rank (members in `multi`), -2 for a root, -3 emptied. */
  readonly single: number[] = [];
  /** Candidates not excluded of each equal-rank node. */
  readonly multi = new Map<number, number[]>();
  readonly parent: number[] = [];
  /** Ballots passing through the node. */
  readonly count: number[] = [];
  /** Ballots whose ranking ends at the node. */
  readonly end: number[] = [];
  /** One root per distinct ballot weight: root i is node i. */
  readonly roots: { weightNum: bigint; weightDen: bigint }[] = [];

  private readonly status: Uint8Array;
  /** Weight class (root) of each group. */
  private readonly rootOfGroup: Int32Array;
  /** Per candidate: the groups waiting at one of its nodes. */
  private readonly waiting: WaitingList[];
  /** Per candidate: the equal-rank nodes it shares. */
  private readonly sharedNodes: number[][];
  private readonly children: ChildTable;
  /** Equal-rank children by `parent:members` (rare, so a string key is fine). */
  private readonly equalRankChild = new Map<string, number>();
  /** Per-node value passed on, for `distributeNumber`. */
  private readonly rest: number[] = [];

  /**
   * `status` is the count's starting state (withdrawn candidates excluded). Groups must not be
   * changed while the tree is in use.
   */
  constructor(
    private readonly groups: RankedGroups,
    status: Uint8Array,
  ) {
    this.status = Uint8Array.from(status);
    this.children = new ChildTable(status.length);
    this.sharedNodes = Array.from({ length: status.length }, () => []);
    this.rootOfGroup = new Int32Array(groups.size);
    if (groups.weight) {
      const rootByWeight = new Map<string, number>();
      groups.weight.forEach((w, g) => {
        const key = w ? `${w.num}/${w.den}` : '1';
        let root = rootByWeight.get(key);
        if (root === undefined) {
          root = this.roots.length;
          rootByWeight.set(key, root);
          this.roots.push({ weightNum: w?.num ?? 1n, weightDen: w?.den ?? 1n });
        }
        this.rootOfGroup[g] = root;
      });
    } else {
      this.roots.push({ weightNum: 1n, weightDen: 1n });
    }
    this.waiting = Array.from({ length: status.length }, () => new WaitingList());
    this.roots.forEach(() => this.newNode(-1, -2));
    const { start, count } = groups;
    for (let g = 0; g < groups.size; g++) {
      const root = this.rootOfGroup[g];
      this.count[root] += count[g];
      this.walk(root, start[g], start[g + 1], count[g]);
    }
  }

  /** Brings the tree up to date with the count's states (which only ever leave HOPEFUL). */
  sync(state: Uint8Array): void {
    const changed: number[] = [];
    for (let c = 0; c < state.length; c++) {
      if (state[c] !== this.status[c]) {
        changed.push(c);
        this.status[c] = state[c];
        if (state[c] === EXCLUDED) {
          this.leaveEqualRanks(c);
        }
      }
    }
    // Every state is set before any ballot moves, so no ballot stops at a candidate who is
    // about to move on too.
    for (const c of changed) {
      const waiting = this.waiting[c];
      this.waiting[c] = new WaitingList();
      const elected = this.status[c] === ELECTED;
      for (let j = 0; j < waiting.chunks.length; j++) {
        const chunk = waiting.chunks[j];
        const used = waiting.usedIn(j);
        for (let i = 0; i < used; i += 4) {
          const node = chunk[i];
          if (elected) {
            this.walk(node, chunk[i + 1], chunk[i + 2], chunk[i + 3]);
          } else {
            // The node's ballots go on from its parent, which already counts them.
            this.single[node] = EMPTIED;
            this.count[node] = 0;
            this.walk(this.parent[node], chunk[i + 1], chunk[i + 2], chunk[i + 3]);
          }
        }
      }
    }
  }

  /** An excluded candidate's equal-rank nodes stay; their other candidates share without it. */
  private leaveEqualRanks(c: number): void {
    for (const node of this.sharedNodes[c]) {
      const others = this.multi.get(node)!.filter((m) => m !== c);
      this.multi.set(node, others);
    }
  }

  /**
   * Takes k ballots on from `node` (which already counts them), reading the rest of their
   * ranking from pool[pos .. end), until it ends or reaches a hopeful, where they wait.
   */
  private walk(node: number, pos: number, end: number, k: number): void {
    const pool = this.groups.pool;
    while (pos < end) {
      let c = pool[pos++];
      if (pos < end && pool[pos] < 0) {
        const members = [c];
        while (pos < end && pool[pos] < 0) {
          members.push(~pool[pos++]);
        }
        const live = members.filter((m) => this.status[m] !== EXCLUDED);
        if (live.length === 0) {
          continue;
        }
        if (live.length > 1) {
          // An equal rank never stops a ballot: its hopefuls share the value with the others.
          node = this.equalRankChildOf(node, live);
          this.count[node] += k;
          continue;
        }
        c = live[0];
      } else if (this.status[c] === EXCLUDED) {
        continue;
      }
      node = this.childOf(node, c);
      this.count[node] += k;
      if (this.status[c] === HOPEFUL) {
        this.waiting[c].push(node, pos, end, k);
        return;
      }
    }
    this.end[node] += k;
  }

  private newNode(p: number, c: number): number {
    const id = this.size++;
    this.single[id] = c;
    this.parent[id] = p;
    this.count[id] = 0;
    this.end[id] = 0;
    this.rest[id] = 0;
    return id;
  }

  /** The child of p for candidate c, made if new. */
  private childOf(p: number, c: number): number {
    let id = this.children.get(p, c);
    if (id < 0) {
      id = this.newNode(p, c);
      this.children.set(p, c, id);
    }
    return id;
  }

  private equalRankChildOf(p: number, members: number[]): number {
    const key = `${p}:${members.join(',')}`;
    let id = this.equalRankChild.get(key);
    if (id === undefined) {
      id = this.newNode(p, -1);
      this.equalRankChild.set(key, id);
      this.multi.set(id, members);
      for (const m of members) {
        this.sharedNodes[m].push(id);
      }
    }
    return id;
  }

  /** One distribution in doubles (scale S ≤ 10^9, exact integer products). Returns the excess. */
  distributeNumber(
    keep: Float64Array,
    S: number,
    rootValues: readonly number[],
    votes: Float64Array,
  ): number {
    votes.fill(0);
    const { single, parent, count, end, rest } = this;
    let excess = 0;
    for (let x = 0; x < this.size; x++) {
      const p = parent[x];
      const w = p < 0 ? rootValues[x] : rest[p];
      if (w === 0) {
        rest[x] = 0;
        continue;
      }
      const c = single[x];
      let r = w;
      if (c >= 0) {
        const k = keep[c];
        const give = k === S ? w : mulDivFloor(w, k, S);
        votes[c] += give * count[x];
        r = w - give;
      } else if (c === -1) {
        const members = this.multi.get(x)!;
        const g = members.length;
        for (const m of members) {
          const k = keep[m];
          const give = Math.floor((k === S ? w : mulDivFloor(w, k, S)) / g);
          votes[m] += give * count[x];
          r -= give;
        }
      }
      rest[x] = r;
      excess += r * end[x];
    }
    return excess;
  }

  /** The same in bigint, for precisions beyond what doubles hold exactly. */
  distributeBigint(
    keep: bigint[],
    S: bigint,
    rootValues: readonly bigint[],
    votes: bigint[],
  ): bigint {
    votes.fill(0n);
    let excess = 0n;
    const rest: bigint[] = new Array<bigint>(this.size);
    for (let x = 0; x < this.size; x++) {
      const p = this.parent[x];
      const w = p < 0 ? rootValues[x] : rest[p];
      if (w === 0n) {
        rest[x] = 0n;
        continue;
      }
      const c = this.single[x];
      const members = c >= 0 ? [c] : c === -1 ? this.multi.get(x)! : [];
      const g = BigInt(members.length);
      let r = w;
      for (const m of members) {
        const k = keep[m];
        const give = (k === S ? w : (w * k) / S) / g;
        votes[m] += give * BigInt(this.count[x]);
        r -= give;
      }
      rest[x] = r;
      excess += r * BigInt(this.end[x]);
    }
    return excess;
  }
}

/**
 * Child lookup (parent node, candidate) → child node: an open-addressing table at most half
 * full, keyed by parent · (candidates + 1) + candidate + 1 (0: empty slot). Plain arrays rather
 * than typed arrays, deliberately: a large typed array is external memory, and once a count
 * has allocated 64 MiB of it V8 runs a full mark-compact of the whole heap, which with a
 * million ballot objects live costs more than the count itself.
 */
class ChildTable {
  private slotKey: number[] = [];
  private slotChild: number[] = [];
  private mask = 0;
  private used = 0;
  private readonly stride: number;

  constructor(candidates: number) {
    this.stride = candidates + 1;
    this.resize(1 << 12);
  }

  /** The child of p for c, or -1. */
  get(p: number, c: number): number {
    const key = p * this.stride + c + 1;
    const slot = this.slotFor(key);
    return this.slotKey[slot] === key ? this.slotChild[slot] : -1;
  }

  set(p: number, c: number, child: number): void {
    const key = p * this.stride + c + 1;
    const slot = this.slotFor(key);
    if (this.slotKey[slot] !== key) {
      this.slotKey[slot] = key;
      this.used++;
    }
    this.slotChild[slot] = child;
    if (2 * this.used > this.mask) {
      this.resize(4 * (this.mask + 1));
    }
  }

  private slotFor(key: number): number {
    // Fibonacci hashing of the key's low and high words.
    let slot =
      (Math.imul(key | 0, 0x9e3779b1) ^ Math.imul((key / 4294967296) | 0, 0x85ebca77)) & this.mask;
    while (this.slotKey[slot] !== 0 && this.slotKey[slot] !== key) {
      slot = (slot + 1) & this.mask;
    }
    return slot;
  }

  private resize(slots: number): void {
    const oldKey = this.slotKey;
    const oldChild = this.slotChild;
    this.slotKey = new Array<number>(slots).fill(0);
    this.slotChild = new Array<number>(slots).fill(0);
    this.mask = slots - 1;
    for (let i = 0; i < oldKey.length; i++) {
      if (oldKey[i] !== 0) {
        const slot = this.slotFor(oldKey[i]);
        this.slotKey[slot] = oldKey[i];
        this.slotChild[slot] = oldChild[i];
      }
    }
  }
}

/**
 * The groups waiting at one candidate's nodes, four numbers each: the node, the pool positions
 * where the rest of the ranking starts and ends, and the number of ballots. Kept together so
 * that moving a group on reads one place rather than four arrays indexed by group. In chunks
 * that never move: one array would be copied each time it grew, and these lists take about a
 * million entries over a count. Plain arrays, not typed arrays: see `ChildTable`.
 */
class WaitingList {
  readonly chunks: number[][] = [];
  /** Numbers in use in the last chunk (the others are full). */
  private lastUsed = 0;

  usedIn(j: number): number {
    return j === this.chunks.length - 1 ? this.lastUsed : this.chunks[j].length;
  }

  push(node: number, pos: number, end: number, k: number): void {
    let chunk = this.chunks[this.chunks.length - 1];
    if (chunk === undefined || this.lastUsed === chunk.length) {
      // Small at first, since most counts are small; 4096 numbers at most.
      chunk = new Array<number>(Math.min(2 * (chunk?.length ?? 32), 4096)).fill(0);
      this.chunks.push(chunk);
      this.lastUsed = 0;
    }
    chunk[this.lastUsed] = node;
    chunk[this.lastUsed + 1] = pos;
    chunk[this.lastUsed + 2] = end;
    chunk[this.lastUsed + 3] = k;
    this.lastUsed += 4;
  }
}

/** floor(w·k/S) exactly for integers 0 ≤ k ≤ S ≤ 10^9 and w < 2^38, using only doubles. */
export function mulDivFloor(w: number, k: number, S: number): number {
  const kh = Math.floor(k / 32768);
  const kl = k - kh * 32768;
  const a = w * kh;
  let qa = Math.floor(a / S);
  let ra = a - qa * S;
  if (ra < 0) {
    qa--;
    ra += S;
  } else if (ra >= S) {
    qa++;
    ra -= S;
  }
  const t = ra * 32768 + w * kl;
  let qt = Math.floor(t / S);
  const rt = t - qt * S;
  if (rt < 0) {
    qt--;
  } else if (rt >= S) {
    qt++;
  }
  return qa * 32768 + qt;
}
