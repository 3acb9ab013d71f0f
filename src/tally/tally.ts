import { TallyInputError } from './errors';
import { tallyApproval } from './methods/approval';
import { tallyBorda } from './methods/borda';
import { tallyIrv } from './methods/irv';
import { tallyPlurality } from './methods/plurality';
import { tallySchulze } from './methods/schulze';
import { tallyScore } from './methods/score';
import { tallyMeek } from './methods/stv-meek';
import { tallyScottish } from './methods/stv-scottish';
import { tallyYesNo } from './methods/yes-no';
import { METHODS, type StvConfig, type TallyInput, type TallyResult } from './types';

/**
 * Counts a contest. Pure and deterministic: the same input (in any ballot order) gives the
 * same result, byte for byte once serialised with `canonicalJson`.
 */
export function tally(input: TallyInput): TallyResult {
  if (input === null || typeof input !== 'object') {
    throw new TallyInputError('tally input must be an object');
  }
  if (!METHODS.includes(input.method)) {
    throw new TallyInputError(`unknown method "${String(input.method)}"`);
  }
  if (typeof input.seed !== 'string') {
    throw new TallyInputError('a tie-break seed (string) is required');
  }
  if (!Array.isArray(input.ballots)) {
    throw new TallyInputError('ballots must be a list');
  }
  const config = input.config ?? {};
  const normalised: TallyInput = { ...input, config, candidates: input.candidates ?? [] };
  switch (input.method) {
    case 'yes_no':
      return tallyYesNo(normalised);
    case 'plurality':
      return tallyPlurality(normalised);
    case 'approval':
    case 'block':
      return tallyApproval(normalised);
    case 'irv':
      return tallyIrv(normalised);
    case 'stv': {
      const variant = (config as StvConfig).variant;
      if (variant === 'scottish') {
        return tallyScottish(normalised);
      }
      if (variant === 'meek') {
        return tallyMeek(normalised);
      }
      throw new TallyInputError(`unknown STV variant "${String(variant)}" (scottish or meek)`);
    }
    case 'schulze':
      return tallySchulze(normalised);
    case 'borda':
      return tallyBorda(normalised);
    case 'score':
      return tallyScore(normalised);
  }
}
