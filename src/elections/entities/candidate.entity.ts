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
import { MemberEntity } from 'src/members/entities/member.entity';
import { ElectionEntity } from './election.entity';

export const CANDIDATE_STATUSES = ['nominated', 'standing', 'declined', 'withdrawn'] as const;
export type CandidateStatus = (typeof CANDIDATE_STATUSES)[number];

/**
 * A member standing in an election. Ballots refer to candidates by this id. A member's nomination of
 * another member waits (`nominated`) until the nominee consents (`standing`) or declines; only
 * standing candidates are on the ballot.
 */
@Entity('candidate')
@Check('candidate_status_check', `"status" IN ('nominated', 'standing', 'declined', 'withdrawn')`)
@Index('candidate_election_member_uq', ['electionId', 'memberId'], { unique: true })
export class CandidateEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  electionId!: string;

  @ManyToOne(() => ElectionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'election_id' })
  election?: ElectionEntity;

  @Column({ type: 'uuid' })
  memberId!: string;

  @ManyToOne(() => MemberEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'member_id' })
  member?: MemberEntity;

  /** The name on the ballot, copied from the member when added. */
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  statement!: string | null;

  @Column({ type: 'text', default: 'standing' })
  status!: CandidateStatus;

  /** The member who nominated; null when an admin added the candidate. */
  @Column({ type: 'uuid', nullable: true })
  nominatedByMemberId!: string | null;

  @ManyToOne(() => MemberEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({
    name: 'nominated_by_member_id',
    foreignKeyConstraintName: 'candidate_nominated_by_fk',
  })
  nominatedBy?: MemberEntity;

  /** When the nominee accepted (self-nominations consent at once). */
  @Column({ type: 'timestamptz', nullable: true })
  consentedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
