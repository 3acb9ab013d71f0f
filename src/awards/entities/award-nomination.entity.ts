import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { UserEntity } from 'src/auth/entities/user.entity';
import { MemberEntity } from 'src/members/entities/member.entity';
import { AwardCategoryEntity } from './award-category.entity';
import { AwardNomineeEntity } from './award-nominee.entity';

export const NOMINATION_STATUSES = ['active', 'withdrawn'] as const;
export type NominationStatus = (typeof NOMINATION_STATUSES)[number];

/** A member's proposal, as submitted; a merge re-points it at the surviving nominee. */
@Entity('award_nomination')
@Check('award_nomination_status_check', `"status" IN ('active', 'withdrawn')`)
@Index('award_nomination_member_idx', ['categoryId', 'memberId'])
@Index('award_nomination_nominee_idx', ['nomineeId'])
export class AwardNominationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  categoryId!: string;

  @ManyToOne(() => AwardCategoryEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'category_id' })
  category?: AwardCategoryEntity;

  @Column({ type: 'uuid' })
  nomineeId!: string;

  @ManyToOne(() => AwardNomineeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'nominee_id' })
  nominee?: AwardNomineeEntity;

  @Column({ type: 'uuid' })
  memberId!: string;

  @ManyToOne(() => MemberEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'member_id' })
  member?: MemberEntity;

  @Column({ type: 'uuid' })
  submittedBy!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'submitted_by' })
  submitter?: UserEntity;

  /** The nominee as this member described it. */
  @Column({ type: 'text' })
  nomineeName!: string;

  @Column({ type: 'text', nullable: true })
  organisation!: string | null;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  links!: string[];

  @Column({ type: 'boolean', default: false })
  selfNomination!: boolean;

  @Column({ type: 'text', default: 'active' })
  status!: NominationStatus;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
