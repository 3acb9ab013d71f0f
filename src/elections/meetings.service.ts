import { Injectable } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import type { AuthUser } from 'src/common/auth/auth-user';
import { Database } from 'src/database/database';
import { MembersRepository } from 'src/members/members.repository';
import type { AdminCheckInDto, CreateMeetingDto, UpdateMeetingDto } from './dto/meeting.dto';
import type { QuorumStatus } from './entities/election.entity';
import type { MeetingEntity } from './entities/meeting.entity';
import { parseFraction, quorumStatus } from './election-rules';
import { ElectionsErrorCode, ElectionsException } from './elections.exception';
import { AttendanceRow, MeetingFields, MeetingsRepository } from './meetings.repository';

export function meetingDate(m: Pick<MeetingEntity, 'startsAt'>): string {
  return m.startsAt.toISOString().slice(0, 10);
}

@Injectable()
export class MeetingsService {
  constructor(
    private readonly db: Database,
    private readonly meetings: MeetingsRepository,
    private readonly members: MembersRepository,
    private readonly audit: AuditService,
  ) {}

  async get(id: string): Promise<MeetingEntity> {
    const meeting = await this.meetings.findById(id);
    if (!meeting) {
      throw new ElectionsException(ElectionsErrorCode.MeetingNotFound, 'Meeting not found');
    }
    return meeting;
  }

  list(): Promise<MeetingEntity[]> {
    return this.meetings.findAll();
  }

  /** Registered voting members against the quorum rule, as of now. */
  async quorum(meeting: MeetingEntity): Promise<QuorumStatus> {
    const day = meetingDate(meeting);
    const [voting, registered] = await Promise.all([
      this.meetings.countVotingMembers(day),
      this.meetings.countRegisteredVoters(meeting.id, day),
    ]);
    return quorumStatus(meeting, voting, registered);
  }

  async create(caller: AuthUser, dto: CreateMeetingDto): Promise<MeetingEntity> {
    const fields: MeetingFields = {
      title: dto.title,
      startsAt: new Date(dto.startsAt),
      place: dto.place ?? null,
      online: dto.online ?? false,
      quorumKind: dto.quorumKind ?? 'more_than_half',
      quorumFraction: dto.quorumFraction ?? null,
      quorumCount: dto.quorumCount ?? null,
      registrationOpen: dto.registrationOpen ?? false,
    };
    this.checkQuorumRule(fields);
    return this.db.transaction(async () => {
      const meeting = await this.meetings.insert(fields);
      await this.audit.record({
        actor: { kind: 'user', id: caller.id },
        action: 'meeting.created',
        subjectType: 'meeting',
        subjectId: meeting.id,
        data: { ...fields, startsAt: fields.startsAt.toISOString() },
      });
      return meeting;
    });
  }

  async update(caller: AuthUser, id: string, dto: UpdateMeetingDto): Promise<MeetingEntity> {
    const current = await this.get(id);
    const changes: Partial<MeetingFields> = {};
    for (const key of [
      'title',
      'place',
      'online',
      'quorumKind',
      'quorumFraction',
      'quorumCount',
      'registrationOpen',
    ] as const) {
      if (dto[key] !== undefined) {
        (changes as Record<string, unknown>)[key] = dto[key];
      }
    }
    if (dto.startsAt !== undefined) {
      changes.startsAt = new Date(dto.startsAt);
    }
    this.checkQuorumRule({ ...current, ...changes });
    return this.db.transaction(async () => {
      await this.meetings.update(id, changes);
      await this.audit.record({
        actor: { kind: 'user', id: caller.id },
        action: 'meeting.updated',
        subjectType: 'meeting',
        subjectId: id,
        data: { changes },
      });
      return this.get(id);
    });
  }

  /** Registers every membership the caller acts for (their own, and corporate members they represent). */
  async selfCheckIn(
    caller: AuthUser,
    id: string,
  ): Promise<{ memberIds: string[]; quorum: QuorumStatus }> {
    const meeting = await this.get(id);
    if (!meeting.registrationOpen) {
      throw new ElectionsException(
        ElectionsErrorCode.RegistrationClosed,
        'Registration for this meeting is closed',
      );
    }
    const memberships = await this.members.findActingFor(caller.id);
    if (memberships.length === 0) {
      throw new ElectionsException(ElectionsErrorCode.NotAMember, 'You do not act for any member');
    }
    const memberIds = memberships.map((m) => m.id);
    await this.register(caller, meeting, memberIds, 'self');
    return { memberIds, quorum: await this.quorum(meeting) };
  }

  async adminCheckIn(
    caller: AuthUser,
    id: string,
    dto: AdminCheckInDto,
  ): Promise<{ memberIds: string[]; quorum: QuorumStatus }> {
    const meeting = await this.get(id);
    if (!(await this.members.findById(dto.memberId))) {
      throw new ElectionsException(ElectionsErrorCode.MemberNotFound, 'Member not found');
    }
    await this.register(caller, meeting, [dto.memberId], 'admin');
    return { memberIds: [dto.memberId], quorum: await this.quorum(meeting) };
  }

  attendance(meeting: MeetingEntity): Promise<AttendanceRow[]> {
    return this.meetings.findAttendance(meeting.id);
  }

  private async register(
    caller: AuthUser,
    meeting: MeetingEntity,
    memberIds: string[],
    by: 'self' | 'admin',
  ): Promise<void> {
    await this.db.transaction(async () => {
      const added = await this.meetings.insertAttendances(
        memberIds.map((memberId) => ({
          meetingId: meeting.id,
          memberId,
          checkedInBy: by,
          checkedInByUserId: caller.id,
        })),
      );
      if (added.length > 0) {
        await this.audit.record({
          actor: { kind: 'user', id: caller.id },
          action: 'meeting.checked_in',
          subjectType: 'meeting',
          subjectId: meeting.id,
          data: { memberIds: added, by },
        });
      }
    });
  }

  private checkQuorumRule(
    m: Pick<MeetingFields, 'quorumKind' | 'quorumFraction' | 'quorumCount'>,
  ): void {
    if (m.quorumKind === 'fraction' && !parseFraction(m.quorumFraction)) {
      throw new ElectionsException(
        ElectionsErrorCode.InvalidConfiguration,
        'A fraction quorum needs quorumFraction such as "1/3"',
      );
    }
    if (m.quorumKind === 'count' && !m.quorumCount) {
      throw new ElectionsException(
        ElectionsErrorCode.InvalidConfiguration,
        'A count quorum needs quorumCount',
      );
    }
  }
}
