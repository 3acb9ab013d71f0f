import { type Ballot, Rational } from 'src/tally';
import { canonicalJson } from 'src/tally/digest';

/** A ballot's content: everything but how many ballots it stands for and their weight. */
export function ballotContent(ballot: Ballot): Record<string, unknown> {
  const { count: _count, weight: _weight, ...content } = ballot as Ballot & Record<string, unknown>;
  return content;
}

/**
 * Ballots as published: one entry per distinct content, with its count and, when any weight in
 * the group is not 1, the weight that makes count × weight the group's total weight exactly
 * (a rational string, e.g. "7/2" for two ballots weighing 2 and 5). So no entry shows the weight
 * of one ballot unless a content was chosen by one voter alone. An entry that already stands
 * for its whole group keeps its form, so ballots aggregated at the source pass unchanged.
 * Sorted by canonical JSON.
 */
export function aggregateBallots(ballots: readonly Ballot[]): Ballot[] {
  const groups = new Map<string, { content: Record<string, unknown>; entries: Ballot[] }>();
  for (const ballot of ballots) {
    const content = ballotContent(ballot);
    const key = canonicalJson(content);
    const group = groups.get(key);
    if (group) {
      group.entries.push(ballot);
    } else {
      groups.set(key, { content, entries: [ballot] });
    }
  }
  const out: { key: string; ballot: Ballot }[] = [];
  for (const { content, entries } of groups.values()) {
    const ballot = entries.length === 1 ? single(content, entries[0]) : merged(content, entries);
    out.push({ key: canonicalJson(ballot), ballot });
  }
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out.map((o) => o.ballot);
}

function weightOf(ballot: Ballot): Rational {
  return ballot.weight === undefined ? Rational.ONE : Rational.from(ballot.weight);
}

function single(content: Record<string, unknown>, ballot: Ballot): Ballot {
  const count = ballot.count ?? 1;
  const weighted = ballot.weight !== undefined && !weightOf(ballot).eq(Rational.ONE);
  return { ...content, count, ...(weighted ? { weight: ballot.weight } : {}) };
}

function merged(content: Record<string, unknown>, entries: readonly Ballot[]): Ballot {
  let count = 0;
  let total = Rational.ZERO;
  for (const entry of entries) {
    const c = entry.count ?? 1;
    count += c;
    total = total.add(weightOf(entry).mulInt(c));
  }
  if (count === 0) {
    return { ...content, count };
  }
  const weight = total.div(Rational.of(count));
  return {
    ...content,
    count,
    ...(weight.eq(Rational.ONE) ? {} : { weight: fraction(weight) }),
  };
}

/** 3 for a whole number, else "7/2": exact, as the election source writes weights. */
function fraction(r: Rational): number | string {
  return r.den === 1n ? Number(r.num) : `${r.num}/${r.den}`;
}

/**
 * Contents that appear more than once: a bundle whose ballots are not aggregated would show
 * each ballot's weight. Returns the canonical JSON of each repeated content.
 */
export function repeatedContents(ballots: readonly Ballot[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const ballot of ballots) {
    const key = canonicalJson(ballotContent(ballot));
    if (seen.has(key)) {
      repeated.add(key);
    }
    seen.add(key);
  }
  return [...repeated];
}
