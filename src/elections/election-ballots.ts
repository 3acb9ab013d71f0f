import type { Ballot } from 'src/tally';
import { canonicalJson } from 'src/common/canonical-json';

/** One distinct ballot content of an election, with how many ballots had it and their total weight. */
export interface CountedContent {
  content: Record<string, unknown>;
  ballots: number;
  weight: number;
}

/**
 * Opened ballots grouped per distinct content (never per content and weight: a weight nobody else
 * has would single its voter out), in the order of the content's canonical JSON.
 */
export function groupByContent(
  opened: Iterable<{ content: Record<string, unknown>; weight: number }>,
): CountedContent[] {
  const groups = new Map<string, CountedContent>();
  for (const b of opened) {
    const key = canonicalJson(b.content);
    const group = groups.get(key);
    if (group) {
      group.ballots += 1;
      group.weight += b.weight;
    } else {
      groups.set(key, { content: b.content, ballots: 1, weight: b.weight });
    }
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Counted contents as the engine counts them: `count` ballots, each of weight total ÷ count (a
 * fraction when it does not divide), so count × weight is the group's total weight exactly.
 */
export function engineBallots(groups: readonly CountedContent[]): Ballot[] {
  return groups.map((g) => {
    const ballot: Record<string, unknown> = { ...g.content, count: g.ballots };
    if (g.weight !== g.ballots) {
      const d = gcd(g.weight, g.ballots);
      ballot.weight = d === g.ballots ? g.weight / d : `${g.weight / d}/${g.ballots / d}`;
    }
    return ballot;
  });
}
