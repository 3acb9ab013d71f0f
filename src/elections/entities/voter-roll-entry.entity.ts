import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { MemberEntity } from 'src/members/entities/member.entity';
import { ElectionEntity } from './election.entity';

/**
 * One line of the voter roll, frozen when the election opens. `voterUserId` is the login that may
 * cast for the member (the member's own, or a corporate member's delegate) as of the freeze.
 */
@Entity('voter_roll_entry')
@Index('voter_roll_entry_voter_idx', ['electionId', 'voterUserId'])
export class VoterRollEntryEntity {
  @PrimaryColumn({ type: 'uuid' })
  electionId!: string;

  @ManyToOne(() => ElectionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'election_id' })
  election?: ElectionEntity;

  @PrimaryColumn({ type: 'uuid' })
  memberId!: string;

  @ManyToOne(() => MemberEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'member_id' })
  member?: MemberEntity;

  @Column({ type: 'uuid', nullable: true })
  voterUserId!: string | null;

  @Column({ type: 'integer', default: 1 })
  weight!: number;

  /** `rule`: frozen from the eligibility rules at open; `admin`: added later with a reason. */
  @Column({ type: 'text', default: 'rule' })
  source!: 'rule' | 'admin';

  @Column({ type: 'timestamptz', nullable: true })
  removedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  removedReason!: string | null;
}
