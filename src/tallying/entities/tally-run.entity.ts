import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One computation of a contest's result. Keyed by contest and input digest, so a job that runs twice
 * over the same frozen ballots stores one run.
 */
@Entity('tally_run')
@Index('tally_run_contest_input_uq', ['contestKind', 'contestId', 'inputDigest'], { unique: true })
@Index('tally_run_contest_frozen_uq', ['contestKind', 'contestId', 'frozenDigest'], {
  unique: true,
})
export class TallyRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** e.g. `election`; awards add their own kind. */
  @Column({ type: 'text' })
  contestKind!: string;

  @Column({ type: 'uuid' })
  contestId!: string;

  @Column({ type: 'text' })
  method!: string;

  @Column({ type: 'jsonb' })
  config!: Record<string, unknown>;

  @Column({ type: 'text' })
  engineVersion!: string;

  /** SHA-256 of the canonical, sorted ballot list. */
  @Column({ type: 'char', length: 64 })
  inputDigest!: string;

  /**
   * What the close froze and the job named: the sealed ballots of an election, the ballots
   * themselves where they are not sealed (then equal to `inputDigest`).
   */
  @Column({ type: 'char', length: 64 })
  frozenDigest!: string;

  @Column({ type: 'text' })
  seed!: string;

  @Column({ type: 'char', length: 64, nullable: true })
  merkleRoot!: string | null;

  @Column({ type: 'integer' })
  ballotCount!: number;

  /** The engine's full result. */
  @Column({ type: 'jsonb' })
  result!: Record<string, unknown>;

  /** What the contest made of it: turnout, quorum, threshold, elected. */
  @Column({ type: 'jsonb' })
  outcome!: Record<string, unknown>;

  /** SHA-256 of the canonical { result, outcome }. */
  @Column({ type: 'char', length: 64 })
  outputDigest!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
