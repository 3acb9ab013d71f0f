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
import { UserEntity } from 'src/auth/entities/user.entity';
import { AwardCategoryEntity } from './award-category.entity';
import { AwardNomineeEntity } from './award-nominee.entity';

export const CONFLICT_TYPES = ['affiliation', 'personal', 'financial', 'other'] as const;
export type ConflictType = (typeof CONFLICT_TYPES)[number];
export const CONFLICT_SOURCES = ['declared', 'detected'] as const;
export type ConflictSource = (typeof CONFLICT_SOURCES)[number];
export const CONFLICT_STATUSES = ['active', 'dismissed'] as const;
export type ConflictStatus = (typeof CONFLICT_STATUSES)[number];

/** A juror × nominee conflict of interest; while active the juror neither sees nor scores the nominee. */
@Entity('award_jury_conflict')
@Check(
  'award_jury_conflict_type_check',
  `"type" IN ('affiliation', 'personal', 'financial', 'other')`,
)
@Check('award_jury_conflict_source_check', `"source" IN ('declared', 'detected')`)
@Check('award_jury_conflict_status_check', `"status" IN ('active', 'dismissed')`)
@Check(
  'award_jury_conflict_dismissal_check',
  `"status" <> 'dismissed' OR ("source" = 'detected' AND "dismissed_reason" IS NOT NULL)`,
)
@Index('award_jury_conflict_uq', ['userId', 'nomineeId'], { unique: true })
@Index('award_jury_conflict_category_idx', ['categoryId'])
export class JuryConflictEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  categoryId!: string;

  @ManyToOne(() => AwardCategoryEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'category_id' })
  category?: AwardCategoryEntity;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ type: 'uuid' })
  nomineeId!: string;

  @ManyToOne(() => AwardNomineeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'nominee_id' })
  nominee?: AwardNomineeEntity;

  @Column({ type: 'text' })
  type!: ConflictType;

  @Column({ type: 'text' })
  source!: ConflictSource;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ type: 'text', default: 'active' })
  status!: ConflictStatus;

  @Column({ type: 'text', nullable: true })
  dismissedReason!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
