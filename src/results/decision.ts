import type { TieDecision } from 'src/audit/manifest';
import type { TallyResult, TieReport, TieRule } from 'src/tally';

/**
 * A result as published: the count with a tie decision applied. The tie the lot would have
 * settled is reported with rule `decision`, the decided candidates as `chosen`, and whom the lot
 * drew kept as `drawnByLot`, so every field names the decided winner and nothing is hidden.
 */
export type PublishedTie = Omit<TieReport, 'rule'> & {
  rule: TieRule | 'decision';
  drawnByLot?: string[];
  reason?: string;
};
export type PublishedResult = Omit<TallyResult, 'ties'> & { ties: PublishedTie[] };

const sorted = (ids: readonly string[]): string[] => [...ids].sort();
const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && sorted(a).every((x, i) => x === sorted(b)[i]);

/** Who won by the contest's own reading of the count: elected, selected, or the engine's winners. */
export function countedWinners(result: TallyResult, outcome: Record<string, unknown>): string[] {
  if (Array.isArray(outcome.elected)) {
    return (outcome.elected as { candidateId: string }[]).map((e) => e.candidateId);
  }
  if (Array.isArray(outcome.selected)) {
    return outcome.selected as string[];
  }
  return result.winners;
}

/** The winners once the decision replaces the lot's picks: the others first, then the chosen. */
export function decidedWinners(winners: readonly string[], decision: TieDecision | null): string[] {
  if (!decision) {
    return [...winners];
  }
  return [...winners.filter((w) => !decision.between.includes(w)), ...decision.chosen];
}

/**
 * Why a decision does not settle the tie the count left, or null when it does: the count must
 * have a tie only the lot could break, between exactly the decision's candidates and for as many
 * places, the lot's picks must be those recorded, and the chosen must be that many of the tied.
 */
export function decisionProblem(result: TallyResult, decision: TieDecision): string | null {
  const tie = result.unresolvedTie;
  if (!tie) {
    return 'the count has no tie that only the lot could settle';
  }
  if (!sameSet(tie.between, decision.between)) {
    return `the tie is between ${sorted(tie.between).join(', ')}, the decision names ${sorted(decision.between).join(', ')}`;
  }
  if (tie.seats !== decision.seats) {
    return `the tie is for ${tie.seats} place(s), the decision for ${decision.seats}`;
  }
  const drawn = result.winners.filter((w) => tie.between.includes(w));
  if (!sameSet(drawn, decision.drawnByLot)) {
    return `the lot drew ${drawn.join(', ')}, the decision says ${decision.drawnByLot.join(', ')}`;
  }
  const chosen = new Set(decision.chosen);
  if (
    chosen.size !== decision.chosen.length ||
    chosen.size !== tie.seats ||
    decision.chosen.some((c) => !tie.between.includes(c))
  ) {
    return `the decision must choose ${tie.seats} different candidate(s) among the tied, it chose ${decision.chosen.join(', ') || '(none)'}`;
  }
  return null;
}

/** The engine's result with the decision applied (unchanged without one). */
export function applyDecision(result: TallyResult, decision: TieDecision | null): PublishedResult {
  if (!decision) {
    return result;
  }
  const problem = decisionProblem(result, decision);
  if (problem) {
    throw new TypeError(`the decision does not fit the count: ${problem}`);
  }
  // The lot's report is the last one between exactly the tied candidates.
  let at = -1;
  result.ties.forEach((t, i) => {
    if (t.rule === 'lot' && sameSet(t.candidates, decision.between)) {
      at = i;
    }
  });
  const ties: PublishedTie[] = result.ties.map((t, i) =>
    i === at
      ? {
          ...t,
          rule: 'decision',
          chosen: [...decision.chosen],
          drawnByLot: t.chosen,
          reason: decision.reason,
        }
      : t,
  );
  const { unresolvedTie: _drawn, ...rest } = result;
  return { ...rest, winners: decidedWinners(result.winners, decision), ties };
}

/** The contest's outcome with the decision applied: the decided winners and the decision itself. */
export function applyDecisionToOutcome(
  outcome: Record<string, unknown>,
  decision: TieDecision | null,
  winners: readonly string[],
): Record<string, unknown> {
  if (!decision) {
    return outcome;
  }
  return {
    ...outcome,
    ...(Array.isArray(outcome.selected) ? { selected: [...winners] } : {}),
    ...('unresolvedTie' in outcome ? { unresolvedTie: null } : {}),
    decision,
  };
}
