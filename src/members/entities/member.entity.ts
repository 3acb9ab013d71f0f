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

export const MEMBER_KINDS = ['individual', 'corporate'] as const;
export type MemberKind = (typeof MEMBER_KINDS)[number];
export const MEMBER_STATUSES = ['active', 'suspended', 'lapsed'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/**
 * A member of the association. An individual member acts through their own user account; a
 * corporate member acts through one named delegate user.
 */
@Entity('member')
@Check('member_kind_check', `"kind" IN ('individual', 'corporate')`)
@Check('member_status_check', `"status" IN ('active', 'suspended', 'lapsed')`)
@Check('member_vote_weight_check', `"vote_weight" >= 1 AND "vote_weight" <= 1000`)
@Check('member_corporate_org_check', `"kind" <> 'corporate' OR "organisation" IS NOT NULL`)
@Check('member_individual_no_delegate_check', `"kind" <> 'individual' OR "delegate_user_id" IS NULL`)
@Check('member_corporate_no_user_check', `"kind" <> 'corporate' OR "user_id" IS NULL`)
@Index('member_user_uq', ['userId'], { unique: true, where: '"user_id" IS NOT NULL' })
@Index('member_delegate_idx', ['delegateUserId'])
export class MemberEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  memberNumber!: string;

  @Column({ type: 'text' })
  kind!: MemberKind;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  organisation!: string | null;

  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ type: 'text', default: 'active' })
  status!: MemberStatus;

  @Column({ type: 'date', nullable: true })
  duesPaidUntil!: string | null;

  @Column({ type: 'integer', default: 1 })
  voteWeight!: number;

  @Column({ type: 'uuid', nullable: true })
  userId!: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ type: 'uuid', nullable: true })
  delegateUserId!: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'delegate_user_id' })
  delegateUser?: UserEntity;

  @Column({ type: 'date', nullable: true })
  joinedOn!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
