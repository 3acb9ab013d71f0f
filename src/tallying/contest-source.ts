import type { Ballot, Method, MethodConfig, TallyResult } from 'src/tally';
import type { TallyRunEntity } from './entities/tally-run.entity';

/** A closed contest as the tally reads it: nothing here may change after the close. */
export interface FrozenContest {
  method: Method;
  config: MethodConfig;
  candidates: string[];
  ballots: Ballot[];
  /**
   * What the close froze, recomputed from what is stored now (an election's sealed ballots); when
   * absent, the ballots themselves were frozen and their input digest stands for it.
   */
  frozenDigest?: string;
  seed: string;
  merkleRoot: string | null;
  /** Who took part; must equal the number of ballots. */
  participations: number;
}

/**
 * What a kind of contest (election, award round) provides to the shared tallying. Each module
 * registers its source at start-up, so tallying depends on no contest module.
 */
export interface ContestSource {
  readonly kind: string;
  /** Loads the frozen contest; throws a domain error when it is not closed. */
  load(contestId: string): Promise<FrozenContest>;
  /** The contest's own reading of the engine result (quorum, thresholds, elected). */
  adjudicate(
    contestId: string,
    contest: FrozenContest,
    result: TallyResult,
  ): Promise<Record<string, unknown>>;
  /** Moves the contest on once its run is stored; must be idempotent. */
  onTallied(contestId: string, run: TallyRunEntity): Promise<void>;
  /**
   * Called in the certification's transaction, once the result is final: a contest that holds
   * secrets it no longer needs (an election's custodial key) destroys them here.
   */
  onCertified?(contestId: string): Promise<void>;
}
