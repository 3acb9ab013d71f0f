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
import { AwardCategoryEntity } from './award-category.entity';

export const NOMINEE_STATUSES = [
  'submitted',
  'accepted',
  'rejected',
  'longlisted',
  'shortlisted',
  'winner',
  'not_selected',
  'withdrawn',
  'merged',
] as const;
export type NomineeStatus = (typeof NOMINEE_STATUSES)[number];
export const CONSENT_STATUSES = ['not_requested', 'requested', 'given', 'declined'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** Who or what is nominated in a category; one or more nominations point at it. */
@Entity('award_nominee')
@Check(
  'award_nominee_status_check',
  `"status" IN ('submitted', 'accepted', 'rejected', 'longlisted', 'shortlisted', 'winner', 'not_selected', 'withdrawn', 'merged')`,
)
@Check(
  'award_nominee_consent_check',
  `"consent_status" IN ('not_requested', 'requested', 'given', 'declined')`,
)
@Check('award_nominee_merged_check', `("status" = 'merged') = ("merged_into_id" IS NOT NULL)`)
@Index('award_nominee_category_idx', ['categoryId'])
@Index('award_nominee_consent_token_uq', ['consentTokenHash'], {
  unique: true,
  where: '"consent_token_hash" IS NOT NULL',
})
export class AwardNomineeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  categoryId!: string;

  @ManyToOne(() => AwardCategoryEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'category_id' })
  category?: AwardCategoryEntity;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  organisation!: string | null;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  links!: string[];

  @Column({ type: 'text', default: 'submitted' })
  status!: NomineeStatus;

  /** Why it was rejected or withdrawn. */
  @Column({ type: 'text', nullable: true })
  statusReason!: string | null;

  @Column({ type: 'uuid', nullable: true })
  mergedIntoId!: string | null;

  @ManyToOne(() => AwardNomineeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'merged_into_id' })
  mergedInto?: AwardNomineeEntity;

  @Column({ type: 'text', default: 'not_requested' })
  consentStatus!: ConsentStatus;

  /** SHA-256 of the consent link's token; the token itself is only in the link. */
  @Column({ type: 'char', length: 64, nullable: true })
  consentTokenHash!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
