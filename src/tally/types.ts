/** Public types of the tally engine. Everything in a TallyResult is JSON: strings and numbers. */

export type Method =
  'yes_no' | 'plurality' | 'approval' | 'block' | 'irv' | 'stv' | 'schulze' | 'borda' | 'score';

export const METHODS: readonly Method[] = [
  'yes_no',
  'plurality',
  'approval',
  'block',
  'irv',
  'stv',
  'schulze',
  'borda',
  'score',
];

/** A ballot weight: a positive number or decimal string ("1.5"). */
export type Weight = string | number;

interface BallotBase {
  /** Number of identical ballots this entry stands for (default 1). */
  count?: number;
  /** Weight of each of those ballots (default 1). */
  weight?: Weight;
}

export type YesNoChoice = 'yes' | 'no' | 'abstain' | 'blank' | 'invalid';
export interface YesNoBallot extends BallotBase {
  choice: YesNoChoice;
}
/** `choice: null` is blank; `marks` lets an overvote be recorded (and counted invalid). */
export interface PluralityBallot extends BallotBase {
  choice?: string | null;
  marks?: string[];
}
export interface ApprovalBallot extends BallotBase {
  approve: string[];
}
/** Ranks best first; each rank lists one candidate, or several for an equal rank. */
export interface RankedBallot extends BallotBase {
  ranking: string[][];
}
/** One juror's scores: nominee → criterion → score. A nominee left out is a recusal. */
export interface ScoreBallot extends BallotBase {
  juror: string;
  scores: Record<string, Record<string, number>>;
}
export type Ballot = YesNoBallot | PluralityBallot | ApprovalBallot | RankedBallot | ScoreBallot;

interface CommonConfig {
  /**
   * A lot drawn in advance (e.g. a BLT `[tie]` line or a published draw): when a tie must be
   * settled by lot, the first listed of the tied candidates is picked. Without it the lot comes
   * from the seed.
   */
  lotOrder?: string[];
}

export interface YesNoThreshold {
  /** more_than_half: yes > base/2. qualified: yes ≥ fraction × base (and yes > 0). */
  kind: 'more_than_half' | 'qualified';
  /** For `qualified`: "2/3", "3/4", "0.6". */
  fraction?: string;
  /**
   * valid: yes + no. cast: yes + no + invalid (Robert's Rules: illegal votes count in the base).
   * valid_including_abstain: yes + no + abstain. given: `baseCount` (e.g. members present).
   */
  base: 'valid' | 'cast' | 'valid_including_abstain' | 'given';
  baseCount?: number;
}
export interface YesNoConfig extends CommonConfig {
  threshold: YesNoThreshold;
}

export interface PluralityConfig extends CommonConfig {
  seats?: number;
  /** Single seat: a winner needs more than half of the valid votes, else a runoff is reported. */
  absoluteMajority?: boolean;
  /** Several marks on one ballot: `invalid` (default) or `split` the vote equally. */
  multipleMarks?: 'invalid' | 'split';
}

export interface ApprovalConfig extends CommonConfig {
  seats?: number;
  /** Most approvals allowed per ballot (block voting: the seat count, which is the default for `block`). */
  maxApprovals?: number;
}

/** How a ranked ballot that is not a clean strict order is read (IRV and STV). */
export interface RankedBallotRules {
  /**
   * Several candidates at one rank: `exhaust` the ballot there (default) or `skip` the rank.
   * At the first rank STV rejects the ballot as invalid; IRV counts it as exhausted.
   */
  overvote?: 'exhaust' | 'skip';
  /** An empty rank ends the ballot after this many in a row (default: unlimited, ranks close up). */
  maxSkippedRanks?: number;
  /** A candidate ranked twice: `invalid` (default), `skip` the repeat, or `exhaust` there. */
  duplicate?: 'invalid' | 'skip' | 'exhaust';
  /** Candidates who withdrew: removed from every ballot, seats unchanged. */
  withdrawn?: string[];
}

export interface IrvConfig extends CommonConfig, RankedBallotRules {
  /** Exclude at once every candidate who together cannot overtake the next one. */
  batchElimination?: boolean;
  /** Candidates tied for last: `break` the tie (default) or exclude them `all` together. */
  tiedLowest?: 'break' | 'all';
  /** Keep excluding after a majority until two candidates remain (for the report). */
  continueUntilTwo?: boolean;
  /**
   * Pseudo-candidates such as "undeclared write-ins": counted in round 1 and, if they have any
   * votes, excluded then before anyone else (they cannot win).
   */
  excludeFirst?: string[];
}

export interface StvConfig extends CommonConfig, RankedBallotRules {
  seats: number;
  variant: 'scottish' | 'meek';
  /** Meek: fixed-point decimals (default 9). */
  precision?: number;
  /** Meek: extra decimals carried but ignored when comparing candidates (default 0). */
  guard?: number;
  /** Meek: convergence when total surplus < 10^-omega (default 6). */
  omega?: number;
  /**
   * Meek: `safe` (default) excludes together every candidate who could not overtake the next
   * one even with all surpluses (they would go one by one anyway); `none` excludes one per round.
   */
  defeatBatch?: 'none' | 'safe';
}

export interface SchulzeConfig extends CommonConfig {
  seats?: number;
  /** Link strength: winning votes (default), margins or ratio. */
  strength?: 'winning' | 'margin' | 'ratio';
  /** Unranked candidates rank equal below every ranked one (default true); false: not compared. */
  implicitRanking?: boolean;
  withdrawn?: string[];
}

export interface BordaConfig extends CommonConfig {
  seats?: number;
  /** borda: n−1+start for first down to start for last; dowdall: 1/k for rank k. */
  points?: 'borda' | 'dowdall';
  start?: number;
  /**
   * Truncated ballots. true (default): unranked candidates share the remaining places equally.
   * false: unranked candidates get `unrankedPoints` (default 0).
   */
  implicitRanking?: boolean;
  unrankedPoints?: number;
  withdrawn?: string[];
}

export interface ScoreCriterion {
  id: string;
  weight: number | string;
  min: number;
  max: number;
}
export interface ScoreConfig extends CommonConfig {
  seats?: number;
  criteria: ScoreCriterion[];
  aggregate: 'mean' | 'trimmed_mean';
  /** trimmed_mean: scores dropped at each end (default 1). */
  trim?: number;
  /** zscore: each juror's weighted totals are standardised (after recusals) before averaging. */
  normalise?: 'zscore';
  /** A nominee with fewer scores is flagged and left out of the ranking. */
  minScores: number;
}

export interface ConfigByMethod {
  yes_no: YesNoConfig;
  plurality: PluralityConfig;
  approval: ApprovalConfig;
  block: ApprovalConfig;
  irv: IrvConfig;
  stv: StvConfig;
  schulze: SchulzeConfig;
  borda: BordaConfig;
  score: ScoreConfig;
}
export type MethodConfig = ConfigByMethod[Method];

export interface TallyInput {
  method: Method;
  config: MethodConfig;
  /** Candidate (or nominee) ids; empty for yes_no. */
  candidates: string[];
  ballots: Ballot[];
  /** Fixed and recorded before voting opens; the only source of the lot. */
  seed: string;
}

export interface Transfer {
  kind: 'surplus' | 'exclusion';
  from: string[];
  /** Surplus transferred (STV). */
  amount?: string;
  /** Transfer value(s) applied (Scottish STV). */
  values?: string[];
}

export interface Round {
  round: number;
  /** Each counted candidate's total after this round's transfer. */
  votes: Record<string, string>;
  elected: string[];
  excluded: string[];
  transfer?: Transfer;
  /** Cumulative value lost to exhausted ballots. */
  nonTransferable?: string;
  /** Cumulative value lost to truncation (Scottish STV). */
  residual?: string;
  /** Cumulative number (or value) of exhausted ballots (IRV). */
  exhausted?: string;
  quota?: string;
  threshold?: string;
  /** Meek: keep factors of elected candidates. */
  keepFactors?: Record<string, string>;
  iterations?: number;
}

export type TieRule = 'earlier_round' | 'countback' | 'first_preferences' | 'lot' | 'lot_order';

export interface TieReport {
  /** Where the decision was taken, e.g. "round 3: exclusion". */
  at: string;
  candidates: string[];
  rule: TieRule;
  chosen: string[];
}

export interface TallyStats {
  /** Ballots received (sum of counts). */
  ballots: number;
  valid: number;
  invalid: number;
  blank: number;
  /** Ballots with no continuing preference at the end (IRV/STV). */
  exhausted?: number;
  /** Distinct ballots after grouping. */
  distinct: number;
  /** Invalid ballots by reason. */
  invalidReasons: Record<string, number>;
  /** Sum of weights of valid ballots, when weights were used. */
  validWeight?: string;
}

export interface TallyResult {
  engineVersion: string;
  method: Method;
  winners: string[];
  ranking?: string[][];
  rounds: Round[];
  ties: TieReport[];
  stats: TallyStats;
  details: Record<string, unknown>;
  /** Seats whose holders were drawn by lot between candidates the rules could not separate. */
  unresolvedTie?: { seats: number; between: string[] };
}
