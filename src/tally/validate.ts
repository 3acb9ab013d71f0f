import { validateScoreBallot } from './methods/score';
import {
  CandidateIndex,
  normaliseApproval,
  normalisePlurality,
  normaliseRanked,
  normaliseYesNo,
  parseCount,
  parseWeight,
  type Normalised,
} from './prepare';
import type {
  ApprovalConfig,
  Ballot,
  IrvConfig,
  Method,
  MethodConfig,
  PluralityConfig,
  ScoreConfig,
  StvConfig,
} from './types';

/**
 * The engine's own ballot rules, for the HTTP layer: returns why a ballot would be counted as
 * invalid, or null when it is valid (a blank ballot is valid to cast). Same code as the count.
 */
export function validateBallot(
  method: Method,
  config: MethodConfig,
  candidates: readonly string[],
  ballot: Ballot,
): string | null {
  if (ballot === null || typeof ballot !== 'object') {
    return 'ballot is not an object';
  }
  try {
    parseCount(ballot.count);
  } catch (e) {
    return (e as Error).message;
  }
  if (method !== 'score') {
    const w = parseWeight(ballot.weight);
    if (typeof w === 'string') {
      return w;
    }
  }
  let n: Normalised<unknown>;
  try {
    n = normaliseFor(method, config, new CandidateIndex(candidates, method), ballot);
  } catch (e) {
    return (e as Error).message;
  }
  return n.kind === 'invalid' ? n.reason : null;
}

function normaliseFor(
  method: Method,
  config: MethodConfig,
  c: CandidateIndex,
  ballot: Ballot,
): Normalised<unknown> {
  switch (method) {
    case 'yes_no': {
      const n = normaliseYesNo(ballot);
      return n.kind === 'valid' && n.value === 'invalid'
        ? { kind: 'invalid', reason: 'marked invalid' }
        : n;
    }
    case 'plurality':
      return normalisePlurality(c, (config as PluralityConfig).multipleMarks === 'split')(ballot);
    case 'approval':
    case 'block': {
      const a = config as ApprovalConfig;
      return normaliseApproval(
        c,
        a.maxApprovals ?? (method === 'block' ? (a.seats ?? 1) : undefined),
      )(ballot);
    }
    case 'irv':
      return normaliseRanked(c, { ...(config as IrvConfig), equalRanks: false })(ballot);
    case 'stv': {
      const s = config as StvConfig;
      return normaliseRanked(c, { ...s, equalRanks: s.variant === 'meek' })(ballot);
    }
    case 'schulze':
    case 'borda':
      return normaliseRanked(c, { equalRanks: true, duplicate: 'invalid' })(ballot);
    case 'score':
      return validateScoreBallot(ballot, c, config as ScoreConfig);
  }
}
