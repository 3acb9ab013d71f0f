import { Rational } from '../arith/rational';
import { TallyInputError } from '../errors';
import { normaliseYesNo, prepare, yesNoKey } from '../prepare';
import { baseStats, emptyResult } from '../result';
import { toUnits } from '../units';
import type { TallyInput, TallyResult, YesNoChoice, YesNoConfig } from '../types';

/**
 * One motion or one candidate: for / against / abstain. The threshold is a rule of the
 * meeting, so the base it is measured against is explicit in the configuration.
 */
export function tallyYesNo(input: TallyInput): TallyResult {
  const config = input.config as YesNoConfig;
  const rule = config.threshold;
  if (!rule || (rule.kind !== 'more_than_half' && rule.kind !== 'qualified')) {
    throw new TallyInputError('yes_no needs a threshold rule (more_than_half or qualified)');
  }
  const prepared = prepare(input.ballots, yesNoKey, normaliseYesNo);
  const units = toUnits(prepared.groups);
  const sums: Record<YesNoChoice, number> = { yes: 0, no: 0, abstain: 0, blank: 0, invalid: 0 };
  const ballots: Record<YesNoChoice, number> = { yes: 0, no: 0, abstain: 0, blank: 0, invalid: 0 };
  prepared.groups.forEach((g, i) => {
    sums[g.ballot] += units.values[i];
    ballots[g.ballot] += g.count;
  });
  const r = (choice: YesNoChoice): Rational => units.toRational(sums[choice]);

  let base: Rational;
  switch (rule.base) {
    case 'valid':
      base = r('yes').add(r('no'));
      break;
    case 'cast':
      base = r('yes').add(r('no')).add(r('invalid'));
      break;
    case 'valid_including_abstain':
      base = r('yes').add(r('no')).add(r('abstain'));
      break;
    case 'given':
      if (typeof rule.baseCount !== 'number' || rule.baseCount < 0) {
        throw new TallyInputError('threshold base "given" needs a baseCount');
      }
      base = Rational.from(rule.baseCount);
      break;
    default:
      throw new TallyInputError(`unknown threshold base "${String(rule.base)}"`);
  }

  const yes = r('yes');
  let needed: Rational;
  let passed: boolean;
  if (rule.kind === 'more_than_half') {
    const half = base.div(Rational.of(2));
    // The smallest whole vote count above half; with weights the bound itself is reported.
    needed = base.den === 1n ? Rational.of(half.floor() + 1n) : half;
    passed = yes.cmp(half) > 0;
  } else {
    const fraction = Rational.parse(rule.fraction ?? '2/3');
    if (fraction.sign() <= 0 || fraction.cmp(Rational.ONE) > 0) {
      throw new TallyInputError('qualified majority fraction must be in (0, 1]');
    }
    const bound = base.mul(fraction);
    needed = base.den === 1n ? Rational.of(ceil(bound)) : bound;
    if (needed.cmp(Rational.ONE) < 0 && base.den === 1n) {
      needed = Rational.ONE;
    }
    // Nothing is carried when nobody voted for it.
    passed = yes.sign() > 0 && yes.cmp(bound) >= 0;
  }

  const stats = baseStats(prepared);
  stats.valid = ballots.yes + ballots.no + ballots.abstain;
  stats.invalid += ballots.invalid;
  stats.blank += ballots.blank;
  if (ballots.invalid > 0) {
    stats.invalidReasons = { ...stats.invalidReasons, 'marked invalid': ballots.invalid };
  }
  const result = emptyResult('yes_no', stats);
  const counts: Record<string, string> = {};
  for (const k of Object.keys(sums) as YesNoChoice[]) {
    counts[k] = units.toText(sums[k]);
  }
  result.winners = passed && input.candidates.length === 1 ? [input.candidates[0]] : [];
  result.rounds = [
    {
      round: 1,
      votes: { yes: counts.yes, no: counts.no, abstain: counts.abstain },
      elected: result.winners,
      excluded: [],
      threshold: needed.toString(),
    },
  ];
  result.details = {
    counts,
    base: base.toString(),
    baseRule: rule.base,
    rule:
      rule.kind === 'qualified'
        ? `at least ${rule.fraction ?? '2/3'} of the base`
        : 'more than half of the base',
    votesNeeded: needed.toString(),
    thresholdMet: passed,
    outcome: passed ? 'passed' : 'failed',
  };
  return result;
}

function ceil(r: Rational): bigint {
  const f = r.floor();
  return Rational.of(f).eq(r) ? f : f + 1n;
}
