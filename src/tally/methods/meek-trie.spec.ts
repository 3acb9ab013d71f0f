import { SeededRandom } from '../arith/prng';
import { CandidateIndex } from '../prepare';
import { groupRanks, prepareRanked, type RankedGroups } from '../ranked';
import { ranked } from '../spec-helpers';
import type { RankedBallot } from '../types';
import { ELECTED, EXCLUDED, HOPEFUL, MeekTree, mulDivFloor } from './meek-trie';

const S = 1_000_000_000;
const IDS = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];

/** Meek's distribution taken one distinct ballot at a time, straight from the definition. */
function byBallot(groups: RankedGroups, state: Uint8Array, keep: Float64Array) {
  const votes = new Float64Array(state.length);
  let excess = 0;
  for (let g = 0; g < groups.size; g++) {
    const w = groups.weight?.[g];
    let value = w ? Number((w.num * BigInt(S)) / w.den) : S;
    for (const rank of groupRanks(groups, g)) {
      const live = rank.filter((m) => state[m] !== EXCLUDED);
      const arriving = value;
      for (const m of live) {
        const kept = keep[m] === S ? arriving : mulDivFloor(arriving, keep[m], S);
        const give = Math.floor(kept / live.length);
        votes[m] += give * groups.count[g];
        value -= give;
      }
    }
    excess += value * groups.count[g];
  }
  return { votes: Array.from(votes), excess };
}

function randomBallots(rnd: SeededRandom): RankedBallot[] {
  return Array.from({ length: 40 + rnd.int(200) }, () => {
    const order = rnd.shuffle([...IDS]).slice(0, 1 + rnd.int(IDS.length));
    // Some equal ranks, and a few weighted ballots (one tree root per weight).
    const text = order.map((id, i) => (i === 0 ? id : `${rnd.int(5) === 0 ? '=' : '>'}${id}`));
    const weight = rnd.int(8) === 0 ? ['0.5', '2'][rnd.int(2)] : undefined;
    return ranked(text.join(''), 1 + rnd.int(3), weight);
  });
}

describe('Meek ballot tree', () => {
  for (let seed = 0; seed < 25; seed++) {
    it(`distributes as ballot-by-ballot counting after every change of state (seed ${seed})`, () => {
      const rnd = new SeededRandom(`meek-tree-${seed}`);
      const c = new CandidateIndex(IDS, 'stv');
      const groups = prepareRanked(randomBallots(rnd), c, { equalRanks: true });
      const state = new Uint8Array(IDS.length);
      const keep = new Float64Array(IDS.length).fill(S);
      const tree = new MeekTree(groups, state);
      const rootValues = tree.roots.map((r) => Number((r.weightNum * BigInt(S)) / r.weightDen));
      for (;;) {
        tree.sync(state);
        const votes = new Float64Array(IDS.length);
        const excess = tree.distributeNumber(keep, S, rootValues, votes);
        expect({ votes: Array.from(votes), excess }).toEqual(byBallot(groups, state, keep));

        const hopefuls = IDS.map((_, i) => i).filter((i) => state[i] === HOPEFUL);
        if (hopefuls.length === 0) {
          break;
        }
        // One or two candidates change state at a time, as in a count.
        for (const i of rnd.shuffle(hopefuls).slice(0, 1 + rnd.int(2))) {
          if (rnd.int(2) === 0) {
            state[i] = ELECTED;
            keep[i] = 1 + rnd.int(S - 1);
          } else {
            state[i] = EXCLUDED;
            keep[i] = 0;
          }
        }
      }
    });
  }
});
