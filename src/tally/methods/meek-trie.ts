import type { RankedGroups } from '../ranked';

/**
 * Distinct ballots as a prefix tree of rank groups, for Meek's method, which recomputes every
 * ballot's flow many times. A node stands for every ballot sharing that prefix. Nodes are
 * numbered in preorder, so a subtree is a contiguous range and a walk is a linear scan.
 */
export interface MeekTrie {
  size: number;
  /** Candidate at the node, -1 for an equal rank (see `multi`), -2 for a root. */
  single: number[];
  /** Members of an equal-rank node. */
  multi: Map<number, number[]>;
  /** Ballots passing through the node. */
  count: number[];
  /** Ballots whose ranking ends at the node. */
  end: number[];
  /** Parent node (-1 for roots); parents come before their children. */
  parent: number[];
  /** The subtree of node x is the contiguous range [x, subtreeEnd[x]). */
  subtreeEnd: number[];
  /** One root per distinct ballot weight, with that weight. */
  roots: { node: number; weightNum: bigint; weightDen: bigint }[];
}

export function buildTrie(groups: RankedGroups): MeekTrie {
  // Rankings become sequences of integer tokens (a candidate, or an equal rank numbered after
  // the candidates), are put in order by an MSD radix sort (weight class first), and the tree
  // is built by walking them in that order: nodes come out in preorder, with no lookup table
  // and no object per node.
  const { pool, start } = groups;
  const size0 = groups.size;
  let maxCand = 0;
  for (let p = 0; p < start[size0]; p++) {
    maxCand = Math.max(maxCand, pool[p] >= 0 ? pool[p] : ~pool[p]);
  }
  const equalRankIds = new Map<string, number>();
  const equalRanks: number[][] = [];
  const tok = new Int32Array(start[size0]);
  const tokStart = new Int32Array(size0 + 1);
  let t = 0;
  for (let g = 0; g < size0; g++) {
    tokStart[g] = t;
    const e = start[g + 1];
    for (let p = start[g]; p < e;) {
      let q = p + 1;
      while (q < e && pool[q] < 0) {
        q++;
      }
      if (q - p === 1) {
        tok[t++] = pool[p];
      } else {
        const members = [pool[p]];
        for (let i = p + 1; i < q; i++) {
          members.push(~pool[i]);
        }
        const key = members.join(',');
        let id = equalRankIds.get(key);
        if (id === undefined) {
          id = equalRanks.length;
          equalRankIds.set(key, id);
          equalRanks.push(members);
        }
        tok[t++] = -1 - id; // renumbered below, once all equal ranks are known
      }
      p = q;
    }
  }
  tokStart[size0] = t;
  // Equal ranks sort after single candidates, among themselves by their member lists.
  const eqOrder = equalRanks
    .map((_, i) => i)
    .sort((x, y) => compareLists(equalRanks[x], equalRanks[y]));
  const eqToken = new Int32Array(equalRanks.length);
  eqOrder.forEach((id, rank) => (eqToken[id] = maxCand + 1 + rank));
  for (let i = 0; i < t; i++) {
    if (tok[i] < 0) {
      tok[i] = eqToken[-1 - tok[i]];
    }
  }
  const alphabet = maxCand + 2 + equalRanks.length;

  const weightKeys = new Map<string, number>();
  const weightOf = new Int32Array(size0);
  if (groups.weight) {
    const keys = [...new Set(groups.weight.map((w) => (w ? `${w.num}/${w.den}` : '1')))].sort();
    keys.forEach((k, i) => weightKeys.set(k, i));
    groups.weight.forEach((w, g) => (weightOf[g] = weightKeys.get(w ? `${w.num}/${w.den}` : '1')!));
  }
  const order = msdSort(
    size0,
    tok,
    tokStart,
    weightOf,
    Math.max(alphabet, weightKeys.size) + 1,
    weightKeys.size > 1,
  );

  // At most one node per token plus one root per weight: allocate once. Plain arrays, not
  // typed arrays, so as not to trigger a full collection of the ballot heap (see FoldScratch).
  const capacity = t + 1 + Math.max(1, weightKeys.size);
  const single = new Array<number>(capacity).fill(0);
  const parent = new Array<number>(capacity).fill(0);
  const count = new Array<number>(capacity).fill(0);
  const end = new Array<number>(capacity).fill(0);
  const multi = new Map<number, number[]>();
  const roots: MeekTrie['roots'] = [];
  let size = 0;
  const newNode = (p: number, c: number): number => {
    single[size] = c;
    parent[size] = p;
    return size++;
  };
  // The path from the root to the current node; a fixed buffer, since resizing a plain array
  // at every group churns its backing store.
  let longest = 0;
  for (let g = 0; g < size0; g++) {
    longest = Math.max(longest, tokStart[g + 1] - tokStart[g]);
  }
  const path = new Int32Array(longest + 1);
  let top: number; // entries in use
  let prev = -1;
  for (const g of order) {
    if (prev < 0 || weightOf[g] !== weightOf[prev]) {
      const w = groups.weight?.[g] ?? null;
      const root = newNode(-1, -2);
      roots.push({ node: root, weightNum: w?.num ?? 1n, weightDen: w?.den ?? 1n });
      path[0] = root;
      prev = -1;
    }
    const k = groups.count[g];
    const s = tokStart[g];
    const e = tokStart[g + 1];
    let depth = 0;
    if (prev >= 0) {
      const ps = tokStart[prev];
      const pe = tokStart[prev + 1];
      while (s + depth < e && ps + depth < pe && tok[s + depth] === tok[ps + depth]) {
        depth++;
      }
    }
    // Keep the shared prefix (and the root).
    top = depth + 1;
    for (let d = 0; d <= depth; d++) {
      count[path[d]] += k;
    }
    for (let i = s + depth; i < e; i++) {
      const token = tok[i];
      const node = newNode(path[top - 1], token <= maxCand ? token : -1);
      if (token > maxCand) {
        multi.set(node, equalRanks[eqOrder[token - maxCand - 1]]);
      }
      count[node] += k;
      path[top++] = node;
    }
    end[path[top - 1]] += k;
    prev = g;
  }

  const subtreeEnd = new Array<number>(size);
  for (let id = 0; id < size; id++) {
    subtreeEnd[id] = id + 1;
  }
  for (let id = size - 1; id >= 0; id--) {
    const p = parent[id];
    if (p >= 0 && subtreeEnd[id] > subtreeEnd[p]) {
      subtreeEnd[p] = subtreeEnd[id];
    }
  }
  return {
    size,
    single: trim(single, size),
    multi,
    count: trim(count, size),
    end: trim(end, size),
    parent: trim(parent, size),
    subtreeEnd,
    roots,
  };
}

function trim(a: number[], size: number): number[] {
  a.length = size;
  return a;
}

/**
 * Orders groups by weight class (when there are several), then token by token, an ended
 * ranking first: an MSD radix sort with insertion sort for small ranges.
 */
function msdSort(
  size: number,
  tok: Int32Array,
  tokStart: Int32Array,
  weightOf: Int32Array,
  buckets: number,
  byWeight: boolean,
): Int32Array {
  const order = new Int32Array(size);
  for (let g = 0; g < size; g++) {
    order[g] = g;
  }
  const scratch = new Int32Array(size);
  // Key of group g at depth d: depth -1 is the weight class; then token + 1, or 0 once ended.
  const keyAt = (g: number, d: number): number =>
    d < 0 ? weightOf[g] : tokStart[g] + d < tokStart[g + 1] ? tok[tokStart[g] + d] + 1 : 0;
  const less = (x: number, y: number, d: number): boolean => {
    for (let k = d; ; k++) {
      const a = keyAt(x, k);
      const b = keyAt(y, k);
      if (a !== b) {
        return a < b;
      }
      if (a === 0 && k >= 0) {
        return false;
      }
    }
  };
  const stack: number[] = [0, size, byWeight ? -1 : 0];
  const counts = new Int32Array(buckets + 1);
  while (stack.length > 0) {
    const d = stack.pop()!;
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (hi - lo < 24) {
      for (let i = lo + 1; i < hi; i++) {
        const x = order[i];
        let j = i - 1;
        while (j >= lo && less(x, order[j], d)) {
          order[j + 1] = order[j];
          j--;
        }
        order[j + 1] = x;
      }
      continue;
    }
    counts.fill(0);
    for (let i = lo; i < hi; i++) {
      counts[keyAt(order[i], d) + 1]++;
    }
    for (let b = 0; b < buckets; b++) {
      counts[b + 1] += counts[b];
    }
    for (let i = lo; i < hi; i++) {
      const g = order[i];
      scratch[lo + counts[keyAt(g, d)]++] = g;
    }
    order.set(scratch.subarray(lo, hi), lo);
    // counts[b] is now the end of bucket b; bucket 0 (ended) needs no further sorting,
    // except at the weight level, where it is a weight class like any other.
    let from = lo + counts[0];
    if (d < 0 && counts[0] > 1) {
      stack.push(lo, lo + counts[0], 0);
    }
    for (let b = 1; b < buckets; b++) {
      const to = lo + counts[b];
      if (to - from > 1) {
        stack.push(from, to, d < 0 ? 0 : d + 1);
      }
      from = to;
    }
  }
  return order;
}

function compareLists(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return a[i] - b[i];
    }
  }
  return a.length - b.length;
}

/**
 * The trie as seen in one round: excluded candidates spliced out (their ballots pass straight
 * on, and paths that become equal merge), and everything below a hopeful cut off (a hopeful
 * keeps the whole value reaching it). Nodes stay in preorder with parents first. The arrays are
 * the count's `FoldScratch` buffers (possibly longer than `size`), so a tree is valid only until
 * the next fold.
 */
export class ReducedTree {
  size = 0;
  /** Candidate, -1 for an equal rank (members in `multi`), -2 for a root. */
  single: number[];
  multi = new Map<number, number[]>();
  parent: number[];
  count: number[];
  end: number[];
  /** For roots: index into the trie's roots (the ballot weight). */
  rootOf: number[];
  /** Per-node value passed on, for `distributeNumber`. */
  private readonly rest: number[];

  /** The arrays are the scratch's and may be longer than `size`. */
  private constructor(s: FoldScratch, size: number, multi: Map<number, number[]>) {
    this.size = size;
    this.single = s.single;
    this.parent = s.parent;
    this.count = s.count;
    this.end = s.end;
    this.rootOf = s.rootOf;
    this.rest = s.rest;
    this.multi = multi;
  }

  static fold(
    trie: MeekTrie,
    excluded: Uint8Array,
    elected: Uint8Array,
    scratch: FoldScratch = new FoldScratch(trie.size, excluded.length),
  ): ReducedTree {
    // Every buffer is the scratch's, kept for the whole count: a million-ballot count folds
    // dozens of times, and fresh multi-megabyte arrays each time would make the collector
    // re-mark the whole ballot heap.
    const map = scratch.map;
    const s = scratch;
    s.startFold();
    const multi = new Map<number, number[]>();
    // Equal-rank children are looked up by string key (rare); single candidates by hash.
    const byString = new Map<string, number>();
    trie.roots.forEach((root, i) => {
      map[root.node] = s.newNode(-1, -2, i);
    });
    for (let node = 0; node < trie.size; node++) {
      if (trie.parent[node] < 0) {
        const id = map[node];
        s.count[id] += trie.count[node];
        s.end[id] += trie.end[node];
        continue;
      }
      const p = map[trie.parent[node]];
      const c = trie.single[node];
      let id: number;
      if (c >= 0) {
        if (excluded[c] === 1) {
          map[node] = p;
          s.end[p] += trie.end[node];
          continue;
        }
        id = s.childOf(p, c);
      } else {
        const live = trie.multi.get(node)!.filter((m) => excluded[m] === 0);
        if (live.length === 0) {
          map[node] = p;
          s.end[p] += trie.end[node];
          continue;
        }
        if (live.length === 1) {
          id = s.childOf(p, live[0]);
        } else {
          const key = `${p}:${live.join(',')}`;
          id = byString.get(key) ?? -1;
          if (id < 0) {
            id = s.newNode(p, -1, -1);
            byString.set(key, id);
            multi.set(id, live);
          }
        }
      }
      map[node] = id;
      s.count[id] += trie.count[node];
      s.end[id] += trie.end[node];
      if (c >= 0 && elected[c] === 0) {
        // A hopeful keeps everything: nothing below it is reached this round.
        node = trie.subtreeEnd[node] - 1;
      }
    }
    return new ReducedTree(s, s.size, multi);
  }

  /** One distribution in doubles (scale S ≤ 10^9, exact integer products). Returns the excess. */
  distributeNumber(
    keep: Float64Array,
    S: number,
    rootValues: readonly number[],
    votes: Float64Array,
  ): number {
    votes.fill(0);
    const { single, parent, count, end, rootOf, rest } = this;
    let excess = 0;
    for (let x = 0; x < this.size; x++) {
      const p = parent[x];
      const w = p < 0 ? rootValues[rootOf[x]] : rest[p];
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
      const w = p < 0 ? rootValues[this.rootOf[x]] : rest[p];
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
 * Buffers shared by successive folds of one count. A fold makes at most one node per trie
 * node, but usually far fewer, so the buffers start small and grow as needed.
 *
 * Plain arrays rather than typed arrays, deliberately (here and in the trie): a large typed
 * array is external memory, and once a count has allocated 64 MiB of it V8 runs a full
 * mark-compact of the whole heap, which with a million ballot objects live costs more than the
 * count itself. Large plain arrays of small integers live in the V8 heap, where the old
 * generation has ample room.
 */
export class FoldScratch {
  readonly map: Int32Array;
  readonly single: number[] = [];
  readonly parent: number[] = [];
  readonly count: number[] = [];
  readonly end: number[] = [];
  readonly rootOf: number[] = [];
  readonly rest: number[] = [];
  /** Nodes made by the current fold. */
  size = 0;
  /**
   * Child lookup (reduced parent, candidate) → reduced child: an open-addressing table at most
   * half full, keyed by parent · (candidates + 1) + candidate + 1 (0: empty slot).
   */
  private slotKey: number[] = [];
  private slotChild: number[] = [];
  private mask = 0;
  private readonly stride: number;

  constructor(trieSize: number, candidates: number) {
    this.map = new Int32Array(trieSize);
    this.stride = candidates + 1;
    this.resizeTable(1 << 12);
  }

  startFold(): void {
    this.slotKey.fill(0);
    this.size = 0;
  }

  newNode(p: number, c: number, root: number): number {
    const id = this.size++;
    this.single[id] = c;
    this.parent[id] = p;
    this.count[id] = 0;
    this.end[id] = 0;
    this.rootOf[id] = root;
    this.rest[id] = 0;
    return id;
  }

  /** The reduced child of p for candidate c, made if new. */
  childOf(p: number, c: number): number {
    const key = p * this.stride + c + 1;
    const slot = this.slotFor(key);
    if (this.slotKey[slot] === key) {
      return this.slotChild[slot];
    }
    const id = this.newNode(p, c, -1);
    this.slotKey[slot] = key;
    this.slotChild[slot] = id;
    if (2 * this.size > this.mask) {
      this.resizeTable(4 * (this.mask + 1));
    }
    return id;
  }

  private slotFor(key: number): number {
    // Fibonacci hashing of the key's low and high words.
    let slot =
      (Math.imul(key | 0, 0x9e3779b1) ^ Math.imul((key / 4294967296) | 0, 0x85ebca77)) &
      this.mask;
    while (this.slotKey[slot] !== 0 && this.slotKey[slot] !== key) {
      slot = (slot + 1) & this.mask;
    }
    return slot;
  }

  private resizeTable(slots: number): void {
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
