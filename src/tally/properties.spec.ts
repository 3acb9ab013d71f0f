import { SeededRandom } from './arith/prng';
import { canonicalJson } from './digest';
import { tally } from './tally';
import type { Ballot, Method, MethodConfig, RankedBallot, TallyInput } from './types';

/**
 * Seeded property tests: random contests from SHA-256 counter-mode randomness, so any failure
 * is reproducible from the seed printed in the test name.
 */
const CANDIDATES = ['A', 'B', 'C', 'D', 'E'];

function randomRanked(
  rnd: SeededRandom,
  voters: number,
  opts: { equal?: boolean } = {},
): RankedBallot[] {
  const out: RankedBallot[] = [];
  for (let v = 0; v < voters; v++) {
    const order = rnd.shuffle([...CANDIDATES]);
    const length = 1 + rnd.int(CANDIDATES.length);
    const ranking: string[][] = [];
    for (const c of order.slice(0, length)) {
      if (opts.equal && ranking.length > 0 && rnd.int(5) === 0) {
        ranking[ranking.length - 1].push(c);
      } else {
        ranking.push([c]);
      }
    }
    const b: RankedBallot = { ranking };
    if (rnd.int(4) === 0) {
      b.count = 1 + rnd.int(3);
    }
    out.push(b);
  }
  return out;
}

function randomApproval(rnd: SeededRandom, voters: number): Ballot[] {
  return Array.from({ length: voters }, () => ({
    approve: CANDIDATES.filter(() => rnd.int(2) === 0),
  }));
}

const METHODS: { method: Method; config: MethodConfig; equal?: boolean }[] = [
  { method: 'irv', config: {} },
  { method: 'stv', config: { variant: 'scottish', seats: 2 } },
  { method: 'stv', config: { variant: 'meek', seats: 2 }, equal: true },
  { method: 'schulze', config: { seats: 2 }, equal: true },
  { method: 'borda', config: {}, equal: true },
];

function inputFor(m: (typeof METHODS)[number], seed: string): TallyInput {
  const rnd = new SeededRandom(seed);
  return {
    method: m.method,
    config: m.config,
    candidates: CANDIDATES,
    ballots: randomRanked(rnd, 20 + rnd.int(60), { equal: m.equal }),
    seed,
  };
}

/** One ballot per voter: counts expanded, in a shuffled order. */
function expanded(ballots: readonly Ballot[], seed: string): Ballot[] {
  const out: Ballot[] = [];
  for (const b of ballots) {
    const { count, ...rest } = b;
    for (let i = 0; i < (count ?? 1); i++) {
      out.push({ ...rest });
    }
  }
  return new SeededRandom(`${seed}:shuffle`).shuffle(out);
}

describe('properties of the count (seeded)', () => {
  const seeds = Array.from({ length: 12 }, (_, i) => `property-${i}`);

  for (const m of METHODS) {
    const label = `${m.method}${'variant' in m.config ? `/${String(m.config.variant)}` : ''}`;

    it(`${label}: the result does not depend on ballot order or grouping`, () => {
      for (const seed of seeds) {
        const input = inputFor(m, seed);
        const base = canonicalJson(tally(input));
        const shuffled = new SeededRandom(`${seed}:order`).shuffle([...input.ballots]);
        expect(canonicalJson(tally({ ...input, ballots: shuffled }))).toBe(base);
        const ungrouped = tally({ ...input, ballots: expanded(input.ballots, seed) });
        expect(canonicalJson(ungrouped)).toBe(base);
      }
    });
  }

  it('approval: the result does not depend on ballot order', () => {
    for (const seed of seeds) {
      const rnd = new SeededRandom(seed);
      const input: TallyInput = {
        method: 'approval',
        config: { seats: 2 },
        candidates: CANDIDATES,
        ballots: randomApproval(rnd, 40),
        seed,
      };
      const base = canonicalJson(tally(input));
      expect(canonicalJson(tally({ ...input, ballots: [...input.ballots].reverse() }))).toBe(base);
    }
  });

  it('a Condorcet winner, when there is one, wins Schulze', () => {
    let found = 0;
    for (let i = 0; i < 60; i++) {
      const seed = `condorcet-${i}`;
      const r = tally(inputFor({ method: 'schulze', config: {}, equal: true }, seed));
      const cw = r.details.condorcetWinner;
      if (typeof cw === 'string') {
        found++;
        expect(r.winners).toEqual([cw]);
      }
    }
    expect(found).toBeGreaterThan(10);
  });

  it('IRV and single-seat Scottish STV elect the same candidate when no lot is drawn', () => {
    let compared = 0;
    for (let i = 0; i < 60; i++) {
      const seed = `irv-stv-${i}`;
      const ballots = randomRanked(new SeededRandom(seed), 15 + (i % 40));
      const irv = tally({ method: 'irv', config: {}, candidates: CANDIDATES, ballots, seed });
      const stv = tally({
        method: 'stv',
        config: { variant: 'scottish', seats: 1 },
        candidates: CANDIDATES,
        ballots,
        seed,
      });
      if ([...irv.ties, ...stv.ties].some((t) => t.rule === 'lot')) {
        continue;
      }
      compared++;
      expect(stv.winners).toEqual(irv.winners);
    }
    expect(compared).toBeGreaterThan(30);
  });

  it('the lot is reproducible from the seed and changes with it', () => {
    const input: TallyInput = {
      method: 'plurality',
      config: {},
      candidates: CANDIDATES,
      ballots: CANDIDATES.map((c) => ({ choice: c })),
      seed: 'lot-a',
    };
    const winners = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const seed = `lot-${i}`;
      const a = tally({ ...input, seed });
      expect(tally({ ...input, seed }).winners).toEqual(a.winners);
      winners.add(a.winners[0]);
    }
    expect(winners.size).toBeGreaterThan(1);
  });
});
