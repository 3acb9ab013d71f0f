import { tally, TallyInputError, validateBallot } from 'src/tally';
import type { Ballot, MethodConfig, TallyResult, YesNoThreshold } from 'src/tally';
import type {
  CloseSnapshot,
  ElectionMethod,
  QuorumStatus,
  ThresholdRule,
} from './entities/election.entity';
import type { QuorumKind } from './entities/meeting.entity';
import { ElectionsErrorCode, ElectionsException } from './elections.exception';

/**
 * The election rules as plain functions: configuration checks, the ballot the API takes versus the
 * one the engine counts, quorum, thresholds and the protocol. No Nest, no database.
 */

export interface ElectionSettings {
  method: ElectionMethod;
  seats: number;
  methodConfig: Record<string, unknown>;
  thresholdRule: ThresholdRule;
  meetingId: string | null;
}

const ALLOWED_CONFIG: Record<ElectionMethod, string[]> = {
  yes_no: [],
  plurality: ['absoluteMajority'],
  approval: ['maxApprovals'],
  block: [],
  irv: ['batchElimination'],
  stv: ['variant', 'precision', 'guard', 'omega', 'defeatBatch'],
  schulze: ['strength'],
};
const SINGLE_SEAT: ElectionMethod[] = ['yes_no', 'irv'];
const RANKED: ElectionMethod[] = ['irv', 'stv', 'schulze'];
/** Methods where one rank may hold several candidates (an equal preference). */
const EQUAL_RANKS: ElectionMethod[] = ['schulze'];

function invalidConfig(message: string): ElectionsException {
  return new ElectionsException(ElectionsErrorCode.InvalidConfiguration, message);
}

/** "2/3" or "0.6" as a fraction in (0, 1]. */
export function parseFraction(
  text: string | null | undefined,
): { num: number; den: number } | null {
  if (!text) {
    return null;
  }
  const ratio = /^(\d{1,6})\/(\d{1,6})$/.exec(text);
  let num: number;
  let den: number;
  if (ratio) {
    num = Number(ratio[1]);
    den = Number(ratio[2]);
  } else if (/^(0?\.\d{1,6}|1(\.0{1,6})?)$/.test(text)) {
    const decimals = text.includes('.') ? text.split('.')[1].length : 0;
    den = 10 ** decimals;
    num = Math.round(Number(text) * den);
  } else {
    return null;
  }
  return den > 0 && num > 0 && num <= den ? { num, den } : null;
}

/** Refuses a configuration the engine or the rules cannot count, before anyone can vote on it. */
export function checkSettings(s: ElectionSettings): void {
  if (SINGLE_SEAT.includes(s.method) && s.seats !== 1) {
    throw invalidConfig(`${s.method} fills exactly one seat`);
  }
  const unknown = Object.keys(s.methodConfig).filter((k) => !ALLOWED_CONFIG[s.method].includes(k));
  if (unknown.length > 0) {
    throw invalidConfig(`methodConfig for ${s.method} does not take: ${unknown.join(', ')}`);
  }
  if (
    s.method === 'stv' &&
    s.methodConfig.variant !== 'scottish' &&
    s.methodConfig.variant !== 'meek'
  ) {
    throw invalidConfig('stv needs methodConfig.variant: "scottish" or "meek"');
  }
  const rule = s.thresholdRule;
  if (rule.kind !== 'none') {
    if (RANKED.includes(s.method)) {
      throw invalidConfig(
        `${s.method} elects by its own quota or majority; use thresholdRule kind "none"`,
      );
    }
    if (rule.kind === 'qualified' && !parseFraction(rule.fraction)) {
      throw invalidConfig('a qualified threshold needs a fraction such as "2/3"');
    }
    if (rule.base === 'registered' && !s.meetingId) {
      throw invalidConfig('a threshold based on registered members needs a meeting');
    }
  }
  const candidates =
    s.method === 'yes_no' ? ['c1'] : Array.from({ length: s.seats + 1 }, (_, i) => `c${i}`);
  try {
    tally({
      method: s.method,
      config: engineConfig(s, null),
      candidates,
      ballots: [],
      seed: 'check',
    });
  } catch (error) {
    if (error instanceof TallyInputError) {
      throw invalidConfig(error.message);
    }
    throw error;
  }
}

function yesNoThreshold(rule: ThresholdRule, snapshot: CloseSnapshot | null): YesNoThreshold {
  const kind = rule.kind === 'qualified' ? 'qualified' : 'more_than_half';
  const fraction = kind === 'qualified' ? rule.fraction : undefined;
  switch (rule.base ?? 'valid') {
    case 'valid':
      return { kind, fraction, base: 'valid' };
    case 'cast':
      return { kind, fraction, base: 'cast' };
    case 'registered':
      return { kind, fraction, base: 'given', baseCount: snapshot?.registered ?? 0 };
    case 'roll':
      return { kind, fraction, base: 'given', baseCount: snapshot?.rollWeight ?? 0 };
  }
}

/** The engine's configuration; yes/no thresholds measured against members use the figures frozen at close. */
export function engineConfig(s: ElectionSettings, snapshot: CloseSnapshot | null): MethodConfig {
  const extra = s.methodConfig;
  switch (s.method) {
    case 'yes_no':
      return { threshold: yesNoThreshold(s.thresholdRule, snapshot) };
    case 'irv':
      return { ...extra };
    case 'stv':
      return { ...extra, seats: s.seats };
    case 'plurality':
    case 'approval':
    case 'block':
    case 'schulze':
      return { ...extra, seats: s.seats };
  }
}

export interface BallotInput {
  choice?: string;
  approve?: string[];
  preferences?: { candidateId: string; rank: number }[];
  blank?: boolean;
}

function invalidBallot(reason: string): ElectionsException {
  return new ElectionsException(ElectionsErrorCode.InvalidBallot, `Invalid ballot: ${reason}`, {
    reason,
  });
}

/**
 * Turns the ballot a voter sends into the canonical engine ballot, then checks it with the engine's
 * own rules (the same code that will count it). Throws with the reason; nothing is stored.
 */
export function toEngineBallot(
  s: ElectionSettings,
  candidates: readonly string[],
  input: BallotInput,
  blankAllowed: boolean,
): Ballot {
  const given = (['choice', 'approve', 'preferences', 'blank'] as const).filter(
    (k) => input[k] !== undefined,
  );
  if (given.length !== 1) {
    throw invalidBallot('give exactly one of choice, approve, preferences or blank');
  }
  const expected =
    s.method === 'yes_no' || s.method === 'plurality'
      ? 'choice'
      : RANKED.includes(s.method)
        ? 'preferences'
        : 'approve';
  const field = given[0];
  if (field !== 'blank' && field !== expected) {
    throw invalidBallot(`a ${s.method} ballot takes "${expected}", not "${field}"`);
  }
  if (field === 'blank' && input.blank !== true) {
    throw invalidBallot('blank must be true when given');
  }
  let ballot: Ballot;
  let blank = field === 'blank';
  switch (s.method) {
    case 'yes_no':
      if (!blank && !['yes', 'no', 'abstain'].includes(input.choice!)) {
        throw invalidBallot('choice must be yes, no or abstain');
      }
      ballot = { choice: blank ? 'blank' : input.choice };
      break;
    case 'plurality':
      if (!blank && typeof input.choice !== 'string') {
        throw invalidBallot('choice must be a candidate id');
      }
      ballot = { choice: blank ? null : input.choice! };
      break;
    case 'approval':
    case 'block': {
      const approve = [...(input.approve ?? [])].sort();
      blank = approve.length === 0;
      ballot = { approve };
      break;
    }
    case 'irv':
    case 'stv':
    case 'schulze': {
      const ranking = rankingOf(s.method, input.preferences ?? []);
      blank = ranking.length === 0;
      ballot = { ranking };
      break;
    }
  }
  if (blank) {
    if (!blankAllowed) {
      throw invalidBallot('blank ballots are not allowed in this election');
    }
    return ballot;
  }
  const reason = validateBallot(s.method, engineConfig(s, null), candidates, ballot);
  if (reason !== null) {
    throw invalidBallot(reason);
  }
  return ballot;
}

function rankingOf(
  method: ElectionMethod,
  preferences: { candidateId: string; rank: number }[],
): string[][] {
  const byRank = new Map<number, string[]>();
  for (const p of preferences) {
    if (!Number.isInteger(p.rank) || p.rank < 1) {
      throw invalidBallot('ranks are whole numbers from 1');
    }
    byRank.set(p.rank, [...(byRank.get(p.rank) ?? []), p.candidateId]);
  }
  const ranks = [...byRank.keys()].sort((a, b) => a - b);
  ranks.forEach((rank, i) => {
    if (rank !== i + 1) {
      throw invalidBallot(`ranks must run 1, 2, 3, … without gaps (rank ${i + 1} is missing)`);
    }
    if (byRank.get(rank)!.length > 1 && !EQUAL_RANKS.includes(method)) {
      throw invalidBallot(`rank ${rank} is given to more than one candidate`);
    }
  });
  return ranks.map((r) => [...byRank.get(r)!].sort());
}

// ---------------------------------------------------------------- quorum

export interface QuorumRule {
  quorumKind: QuorumKind;
  quorumFraction: string | null;
  quorumCount: number | null;
}

export function quorumStatus(
  rule: QuorumRule,
  votingMembers: number,
  registered: number,
): QuorumStatus {
  let required: number;
  let text: string;
  switch (rule.quorumKind) {
    case 'none':
      required = 0;
      text = 'no quorum required';
      break;
    case 'more_than_half':
      required = Math.floor(votingMembers / 2) + 1;
      text = `more than half of the ${votingMembers} voting members`;
      break;
    case 'fraction': {
      const f = parseFraction(rule.quorumFraction) ?? { num: 1, den: 1 };
      required = Math.ceil((votingMembers * f.num) / f.den);
      text = `at least ${rule.quorumFraction} of the ${votingMembers} voting members`;
      break;
    }
    case 'count':
      required = rule.quorumCount ?? 0;
      text = `at least ${required} members`;
      break;
  }
  return { rule: text, votingMembers, registered, required, met: registered >= required };
}

// ---------------------------------------------------------------- outcome

export interface CandidateVotes {
  candidateId: string;
  name: string;
  votes: string;
}

export interface ElectionOutcome {
  [key: string]: unknown;
  office: string;
  seats: number;
  method: ElectionMethod;
  turnout: {
    rollSize: number;
    rollWeight: number;
    registered: number | null;
    participations: number;
    ballots: number;
  };
  ballots: { cast: number; valid: number; blank: number; invalid: number };
  yesNo: {
    candidateId: string;
    name: string;
    for: string;
    against: string;
    abstain: string;
  } | null;
  votes: CandidateVotes[];
  quorum: QuorumStatus | null;
  threshold: { rule: string; required: string | null; met: boolean } | null;
  elected: { candidateId: string; name: string }[];
  vacantSeats: number;
  notes: string[];
}

function thresholdText(rule: ThresholdRule): string {
  const base = {
    valid: 'the valid votes',
    cast: 'the ballots cast',
    registered: 'the members registered',
    roll: 'the voter roll',
  }[rule.base ?? 'valid'];
  return rule.kind === 'qualified'
    ? `at least ${rule.fraction} of ${base}`
    : `more than half of ${base}`;
}

function asNumber(text: string | undefined): number {
  return text === undefined ? 0 : Number(text);
}

/** What the count means for the election: quorum first, then the threshold, then the seats. */
export function electionOutcome(args: {
  office: string;
  settings: ElectionSettings;
  names: Map<string, string>;
  snapshot: CloseSnapshot;
  result: TallyResult;
}): ElectionOutcome {
  const { settings, names, snapshot, result } = args;
  const stats = result.stats;
  const notes: string[] = [];
  const firstRound = result.rounds[0]?.votes ?? {};
  const votes: CandidateVotes[] =
    settings.method === 'yes_no'
      ? []
      : [...names.entries()].map(([id, name]) => ({
          candidateId: id,
          name,
          votes: firstRound[id] ?? '0',
        }));
  let yesNo: ElectionOutcome['yesNo'] = null;
  let threshold: ElectionOutcome['threshold'] = null;
  let winners = [...result.winners];

  if (settings.method === 'yes_no') {
    const counts = (result.details.counts ?? {}) as Record<string, string>;
    const [id] = [...names.keys()];
    yesNo = {
      candidateId: id,
      name: names.get(id) ?? id,
      for: counts.yes ?? '0',
      against: counts.no ?? '0',
      abstain: counts.abstain ?? '0',
    };
    const rule: ThresholdRule =
      settings.thresholdRule.kind === 'none'
        ? { kind: 'more_than_half', base: 'valid' }
        : settings.thresholdRule;
    threshold = {
      rule: thresholdText(rule),
      required: typeof result.details.votesNeeded === 'string' ? result.details.votesNeeded : null,
      met: result.details.thresholdMet === true,
    };
  } else if (settings.thresholdRule.kind !== 'none') {
    const rule = settings.thresholdRule;
    const valid = stats.validWeight !== undefined ? Number(stats.validWeight) : stats.valid;
    const base = {
      valid,
      cast: valid + stats.invalid,
      registered: snapshot.registered ?? 0,
      roll: snapshot.rollWeight,
    }[rule.base ?? 'valid'];
    const f = rule.kind === 'qualified' ? parseFraction(rule.fraction)! : null;
    const passes = (v: number): boolean => (f ? v > 0 && v * f.den >= base * f.num : v * 2 > base);
    const failing = winners.filter((w) => !passes(asNumber(firstRound[w])));
    winners = winners.filter((w) => passes(asNumber(firstRound[w])));
    const required = f
      ? String(Math.ceil((base * f.num) / f.den))
      : String(Math.floor(base / 2) + 1);
    threshold = {
      rule: thresholdText(rule),
      required,
      met: failing.length === 0 && winners.length > 0,
    };
    for (const w of failing) {
      notes.push(
        `${names.get(w) ?? w} won a seat in the count but did not reach the threshold (${thresholdText(rule)}).`,
      );
    }
  }
  if (snapshot.quorum && !snapshot.quorum.met) {
    winners = [];
    notes.push(
      `The meeting did not reach its quorum (${snapshot.quorum.rule}: ${snapshot.quorum.required} needed, ${snapshot.quorum.registered} registered), so no one is elected.`,
    );
  }
  if (result.unresolvedTie && winners.length > 0) {
    notes.push(
      `A tie for the last seat(s) between ${result.unresolvedTie.between.map((c) => names.get(c) ?? c).join(', ')} was drawn by lot from the published seed.`,
    );
  }
  return {
    office: args.office,
    seats: settings.seats,
    method: settings.method,
    turnout: {
      rollSize: snapshot.rollSize,
      rollWeight: snapshot.rollWeight,
      registered: snapshot.registered,
      participations: snapshot.participations,
      ballots: snapshot.ballots,
    },
    ballots: {
      cast: stats.ballots,
      valid: stats.valid,
      blank: stats.blank,
      invalid: stats.invalid,
    },
    yesNo,
    votes,
    quorum: snapshot.quorum,
    threshold,
    elected: winners.map((w) => ({ candidateId: w, name: names.get(w) ?? w })),
    vacantSeats: settings.seats - winners.length,
    notes,
  };
}

/** Text the secretary can paste into the minutes. */
export function protocolText(
  o: ElectionOutcome,
  meeting: { title: string; startsAt: Date } | null,
): string {
  const lines: string[] = [];
  lines.push(
    `Election: ${o.office} (${o.seats} seat${o.seats === 1 ? '' : 's'}), method ${o.method}.`,
  );
  if (meeting) {
    lines.push(`Meeting: ${meeting.title}, ${meeting.startsAt.toISOString().slice(0, 10)}.`);
  }
  lines.push(
    `Voter roll: ${o.turnout.rollSize} members${o.turnout.rollWeight !== o.turnout.rollSize ? ` (${o.turnout.rollWeight} votes)` : ''}.` +
      (o.turnout.registered !== null ? ` Registered at the meeting: ${o.turnout.registered}.` : ''),
  );
  if (o.quorum) {
    lines.push(
      `Quorum: ${o.quorum.rule}, ${o.quorum.required} required, ${o.quorum.registered} registered: ${o.quorum.met ? 'met' : 'NOT met'}.`,
    );
  }
  lines.push(
    `Ballots cast: ${o.ballots.cast}; valid ${o.ballots.valid}, blank ${o.ballots.blank}, invalid ${o.ballots.invalid}.`,
  );
  const tally = o.yesNo
    ? `${o.yesNo.for} for, ${o.yesNo.against} against, ${o.yesNo.abstain} abstained`
    : '';
  if (o.yesNo) {
    lines.push(`Votes on ${o.yesNo.name}: ${tally}.`);
  } else {
    lines.push(`Votes: ${o.votes.map((v) => `${v.name} ${v.votes}`).join('; ')}.`);
  }
  if (o.threshold) {
    lines.push(
      `Threshold: ${o.threshold.rule}${o.threshold.required ? ` (${o.threshold.required})` : ''}: ${o.threshold.met ? 'met' : 'not met'}.`,
    );
  }
  lines.push(...o.notes);
  if (o.elected.length === 0) {
    lines.push(`No one is elected ${o.office}.`);
  } else if (o.yesNo) {
    const unanimous = asNumber(o.yesNo.against) === 0 && asNumber(o.yesNo.abstain) === 0;
    lines.push(
      `${unanimous ? 'Elected unanimously' : 'Elected'}: ${tally}. ${o.yesNo.name} is elected ${o.office}.`,
    );
  } else {
    lines.push(`Elected ${o.office}: ${o.elected.map((e) => e.name).join(', ')}.`);
  }
  if (o.vacantSeats > 0 && o.elected.length > 0) {
    lines.push(`${o.vacantSeats} seat${o.vacantSeats === 1 ? '' : 's'} remain vacant.`);
  }
  return lines.join('\n');
}
