import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const QUORUM_KINDS = ['none', 'more_than_half', 'fraction', 'count'] as const;
export type QuorumKind = (typeof QUORUM_KINDS)[number];

/**
 * A general meeting. The quorum is measured as members registered (checked in) against the voting
 * members: active members whose dues are paid by the meeting date.
 */
@Entity('meeting')
@Check(
  'meeting_quorum_kind_check',
  `"quorum_kind" IN ('none', 'more_than_half', 'fraction', 'count')`,
)
@Check(
  'meeting_quorum_fraction_check',
  `"quorum_kind" <> 'fraction' OR "quorum_fraction" IS NOT NULL`,
)
@Check('meeting_quorum_count_check', `"quorum_kind" <> 'count' OR "quorum_count" >= 1`)
export class MeetingEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'timestamptz' })
  startsAt!: Date;

  @Column({ type: 'text', nullable: true })
  place!: string | null;

  @Column({ type: 'boolean', default: false })
  online!: boolean;

  @Column({ type: 'text', default: 'more_than_half' })
  quorumKind!: QuorumKind;

  /** For `fraction`: at least this share of the voting members, e.g. "2/3". */
  @Column({ type: 'text', nullable: true })
  quorumFraction!: string | null;

  /** For `count`: at least this many members registered. */
  @Column({ type: 'integer', nullable: true })
  quorumCount!: number | null;

  @Column({ type: 'boolean', default: false })
  registrationOpen!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
