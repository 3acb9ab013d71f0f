import { Injectable } from '@nestjs/common';
import { Database } from 'src/database/database';
import { MeetingAttendanceEntity } from './entities/meeting-attendance.entity';
import { MeetingEntity } from './entities/meeting.entity';

export type MeetingFields = Pick<
  MeetingEntity,
  | 'title'
  | 'startsAt'
  | 'place'
  | 'online'
  | 'quorumKind'
  | 'quorumFraction'
  | 'quorumCount'
  | 'registrationOpen'
>;

export interface AttendanceRow {
  memberId: string;
  memberNumber: string;
  name: string;
  checkedInBy: string;
  checkedInAt: Date;
}

@Injectable()
export class MeetingsRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(MeetingEntity);
  }

  findById(id: string): Promise<MeetingEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findAll(): Promise<MeetingEntity[]> {
    return this.repo.find({ order: { startsAt: 'DESC' } });
  }

  async insert(fields: MeetingFields): Promise<MeetingEntity> {
    const result = await this.repo.insert(fields);
    return (await this.findById((result.identifiers[0] as { id: string }).id))!;
  }

  async update(id: string, fields: Partial<MeetingFields>): Promise<void> {
    await this.repo.update({ id }, fields);
  }

  /** Adds attendances; members already checked in are left as they were. Returns the new ones. */
  async insertAttendances(rows: Omit<MeetingAttendanceEntity, 'checkedInAt'>[]): Promise<string[]> {
    if (rows.length === 0) {
      return [];
    }
    const result = await this.db.manager
      .createQueryBuilder()
      .insert()
      .into(MeetingAttendanceEntity)
      .values(rows)
      .orIgnore()
      .returning(['memberId'])
      .execute();
    return (result.raw as { member_id: string }[]).map((r) => r.member_id);
  }

  /** Members who may vote at a meeting held on `onDate`: active, dues paid up to that day. */
  async countVotingMembers(onDate: string): Promise<number> {
    const [row] = await this.db.manager.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM member WHERE status = 'active' AND dues_paid_until >= $1`,
      [onDate],
    );
    return row.n;
  }

  /** Voting members checked in at the meeting. */
  async countRegisteredVoters(meetingId: string, onDate: string): Promise<number> {
    const [row] = await this.db.manager.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM meeting_attendance a JOIN member m ON m.id = a.member_id
       WHERE a.meeting_id = $1 AND m.status = 'active' AND m.dues_paid_until >= $2`,
      [meetingId, onDate],
    );
    return row.n;
  }

  async findAttendance(meetingId: string): Promise<AttendanceRow[]> {
    const rows = await this.db.manager.query<
      {
        member_id: string;
        member_number: string;
        name: string;
        checked_in_by: string;
        checked_in_at: Date;
      }[]
    >(
      `SELECT a.member_id, m.member_number, m.name, a.checked_in_by, a.checked_in_at
       FROM meeting_attendance a JOIN member m ON m.id = a.member_id
       WHERE a.meeting_id = $1 ORDER BY m.member_number`,
      [meetingId],
    );
    return rows.map((r) => ({
      memberId: r.member_id,
      memberNumber: r.member_number,
      name: r.name,
      checkedInBy: r.checked_in_by,
      checkedInAt: r.checked_in_at,
    }));
  }
}
