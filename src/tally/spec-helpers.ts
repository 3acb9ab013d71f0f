/**
 * Factories for the engine's specs: compact ballots written the way people write them.
 * `ranked('A>B=C>D', 3)` is three ballots ranking A first, B and C equal second, D last.
 */
import type { RankedBallot, TallyInput } from './types';

export function ranked(text: string, count?: number, weight?: string): RankedBallot {
  const ranking =
    text === '' ? [] : text.split('>').map((rank) => rank.split('=').map((s) => s.trim()));
  const b: RankedBallot = { ranking };
  if (count !== undefined) {
    b.count = count;
  }
  if (weight !== undefined) {
    b.weight = weight;
  }
  return b;
}

/** Many ranked ballots from `[text, count]` pairs. */
export function rankedSet(...entries: [string, number][]): RankedBallot[] {
  return entries.map(([text, count]) => ranked(text, count));
}

export function contest(overrides: Partial<TallyInput> & Pick<TallyInput, 'method'>): TallyInput {
  return { config: {}, candidates: [], ballots: [], seed: 'spec-seed', ...overrides };
}

/** Deterministic shuffle for order-independence checks (not a lot: a fixed permutation). */
export function reversed<T>(items: readonly T[]): T[] {
  return [...items].reverse();
}
