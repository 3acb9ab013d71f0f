import { Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { MemberEntity } from 'src/members/entities/member.entity';
import { ElectionEntity } from './election.entity';

/**
 * That a member has voted in an election (who, never how). The primary key makes a second vote
 * impossible, whatever the application does; the table is append-only. It keeps no time: the
 * order of votes would help pair participations with ballots, and nothing needs it (the close's
 * share lock, not a timestamp, decides which votes are in).
 */
@Entity('participation')
export class ParticipationEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'participation_election_member_pk' })
  electionId!: string;

  @ManyToOne(() => ElectionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'election_id' })
  election?: ElectionEntity;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'participation_election_member_pk' })
  memberId!: string;

  @ManyToOne(() => MemberEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'member_id' })
  member?: MemberEntity;
}
