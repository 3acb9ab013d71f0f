import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { MeetingEntity } from './meeting.entity';

export const ELECTION_METHODS = [
  'yes_no',
  'plurality',
  'approval',
  'block',
  'irv',
  'stv',
  'schulze',
] as const;
export type ElectionMethod = (typeof ELECTION_METHODS)[number];
export const ELECTION_STATUSES = ['draft', 'open', 'closed', 'tallied'] as const;
export type ElectionStatus = (typeof ELECTION_STATUSES)[number];

/**
 * Who can open the sealed ballots. `custodial`: the election key is kept wrapped under the server
 * key (BALLOT_KEY) and destroyed at certification. `commission`: the key is split k-of-n among the
 * counting commission and the server keeps none of it.
 */
export const CUSTODY_MODES = ['custodial', 'commission'] as const;
export type CustodyMode = (typeof CUSTODY_MODES)[number];

export const THRESHOLD_KINDS = ['none', 'more_than_half', 'qualified'] as const;
export const THRESHOLD_BASES = ['valid', 'cast', 'registered', 'roll'] as const;
export type ThresholdBase = (typeof THRESHOLD_BASES)[number];

/**
 * What a candidate needs besides winning the count. `base`: valid ballots, ballots cast (valid +
 * invalid), members registered at the meeting, or the voter roll.
 */
export interface ThresholdRule {
  kind: (typeof THRESHOLD_KINDS)[number];
  fraction?: string;
  base?: ThresholdBase;
}

/** Figures fixed at close, so the tally reads the state of the election as it was closed. */
export interface CloseSnapshot {
  rollSize: number;
  rollWeight: number;
  participations: number;
  ballots: number;
  registered: number | null;
  quorum: QuorumStatus | null;
  /** Which sealed ballots the tally opens (`sealedDigest`); absent for elections closed before sealing. */
  sealedDigest?: string;
  /** Elections closed before sealing: the digest of their plain ballots. */
  inputDigest?: string;
}

export interface QuorumStatus {
  rule: string;
  votingMembers: number;
  registered: number;
  required: number;
  met: boolean;
}

/** An office to fill by a vote, inside a meeting or standalone (postal/online). */
@Entity('election')
@Check(
  'election_method_check',
  `"method" IN ('yes_no', 'plurality', 'approval', 'block', 'irv', 'stv', 'schulze')`,
)
@Check('election_status_check', `"status" IN ('draft', 'open', 'closed', 'tallied')`)
@Check('election_seats_check', `"seats" >= 1 AND "seats" <= 100`)
@Check(
  'election_schedule_check',
  `"opens_at" IS NULL OR "closes_at" IS NULL OR "opens_at" < "closes_at"`,
)
@Check('election_registration_check', `NOT "registered_only" OR "meeting_id" IS NOT NULL`)
@Check('election_custody_check', `"custody" IN ('custodial', 'commission')`)
@Check(
  'election_commission_check',
  `"custody" <> 'commission' OR ("commission_threshold" >= 2 AND "wrapped_ballot_key" IS NULL)`,
)
@Index('election_meeting_idx', ['meetingId'])
@Index('election_due_idx', ['status', 'opensAt', 'closesAt'])
export class ElectionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid', nullable: true })
  meetingId!: string | null;

  @ManyToOne(() => MeetingEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'meeting_id' })
  meeting?: MeetingEntity;

  @Column({ type: 'text' })
  office!: string;

  @Column({ type: 'integer', default: 1 })
  seats!: number;

  @Column({ type: 'text' })
  method!: ElectionMethod;

  /** The engine configuration besides seats and thresholds (e.g. the STV variant). */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  methodConfig!: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  thresholdRule!: ThresholdRule;

  @Column({ type: 'boolean', default: true })
  blankAllowed!: boolean;

  /** Only members registered at the meeting when the election opens are on the roll. */
  @Column({ type: 'boolean', default: false })
  registeredOnly!: boolean;

  /** Dues must be paid up to this date; unset: the day the election opens. */
  @Column({ type: 'date', nullable: true })
  rollDate!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  opensAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closesAt!: Date | null;

  /** Fixed at creation and shown before opening: the only source of any lot. */
  @Column({ type: 'text' })
  tieBreakSeed!: string;

  @Column({ type: 'text', default: 'draft' })
  status!: ElectionStatus;

  @Column({ type: 'timestamptz', nullable: true })
  openedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  /** Merkle root over the sorted receipts, fixed at close. */
  @Column({ type: 'char', length: 64, nullable: true })
  merkleRoot!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  closeSnapshot!: CloseSnapshot | null;

  @Column({ type: 'text', default: 'custodial' })
  custody!: CustodyMode;

  /** X25519 public key the ballots are sealed to; null only for elections created before sealing. */
  @Column({ type: 'bytea', nullable: true })
  ballotPublicKey!: Buffer | null;

  /** Custodial: the election's secret key wrapped under the server key, until certification. */
  @Column({ type: 'bytea', nullable: true })
  wrappedBallotKey!: Buffer | null;

  /** Commission: how many shares open the ballots. */
  @Column({ type: 'integer', nullable: true })
  commissionThreshold!: number | null;

  /** When the key was destroyed (custodial, at certification). */
  @Column({ type: 'timestamptz', nullable: true })
  keyDestroyedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
