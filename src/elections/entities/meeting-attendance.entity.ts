import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { MemberEntity } from 'src/members/entities/member.entity';
import { MeetingEntity } from './meeting.entity';

export const CHECK_IN_KINDS = ['self', 'admin'] as const;
export type CheckInKind = (typeof CHECK_IN_KINDS)[number];

/** A member registered as present at a meeting. */
@Entity('meeting_attendance')
@Check('meeting_attendance_kind_check', `"checked_in_by" IN ('self', 'admin')`)
@Index('meeting_attendance_member_idx', ['memberId'])
export class MeetingAttendanceEntity {
  @PrimaryColumn({ type: 'uuid' })
  meetingId!: string;

  @ManyToOne(() => MeetingEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'meeting_id' })
  meeting?: MeetingEntity;

  @PrimaryColumn({ type: 'uuid' })
  memberId!: string;

  @ManyToOne(() => MemberEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'member_id' })
  member?: MemberEntity;

  @Column({ type: 'text' })
  checkedInBy!: CheckInKind;

  @Column({ type: 'uuid' })
  checkedInByUserId!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  checkedInAt!: Date;
}
