import { Injectable } from '@nestjs/common';
import { AuditService, SYSTEM } from 'src/audit/audit.service';
import { UsersRepository } from 'src/auth/users.repository';
import type { AuthUser } from 'src/common/auth/auth-user';
import { Database, pgConstraint, pgErrorCode } from 'src/database/database';
import type { CreateMemberDto, ImportReportDto, ListMembersQueryDto, UpdateMemberDto } from './dto/member.dto';
import type { MemberEntity } from './entities/member.entity';
import { CsvMemberRow, parseMemberCsv, RowError } from './member-csv';
import { MembersErrorCode, MembersException } from './members.exception';
import { MemberFields, MembersRepository } from './members.repository';

@Injectable()
export class MembersService {
  constructor(
    private readonly db: Database,
    private readonly members: MembersRepository,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
  ) {}

  list(query: ListMembersQueryDto): Promise<[MemberEntity[], number]> {
    return this.members.findPage({
      status: query.status,
      kind: query.kind,
      search: query.q,
      limit: query.limit ?? 50,
      offset: query.offset ?? 0,
    });
  }

  async get(id: string): Promise<MemberEntity> {
    const member = await this.members.findById(id);
    if (!member) {
      throw new MembersException(MembersErrorCode.NotFound, 'Member not found');
    }
    return member;
  }

  /** The memberships the caller acts for (their own and any corporate member they represent). */
  mine(caller: AuthUser): Promise<MemberEntity[]> {
    return this.members.findActingFor(caller.id);
  }

  /** `caller` null: the system (seed), audited as such. */
  async create(caller: AuthUser | null, dto: CreateMemberDto): Promise<MemberEntity> {
    const fields: MemberFields = {
      memberNumber: dto.memberNumber,
      kind: dto.kind,
      name: dto.name,
      organisation: dto.organisation ?? null,
      email: dto.email ?? null,
      status: dto.status ?? 'active',
      duesPaidUntil: dto.duesPaidUntil ?? null,
      voteWeight: dto.voteWeight ?? 1,
      userId: dto.userId ?? null,
      delegateUserId: dto.delegateUserId ?? null,
      joinedOn: dto.joinedOn ?? null,
    };
    await this.checkShape(fields);
    return this.write(async () => {
      const member = await this.members.insert(fields);
      await this.audit.record({
        actor: caller ? { kind: 'user', id: caller.id } : SYSTEM,
        action: 'member.created',
        subjectType: 'member',
        subjectId: member.id,
        data: { memberNumber: member.memberNumber, kind: member.kind, status: member.status },
      });
      return member;
    });
  }

  async update(caller: AuthUser, id: string, dto: UpdateMemberDto): Promise<MemberEntity> {
    const current = await this.get(id);
    const changes: Partial<MemberFields> = {};
    for (const key of Object.keys(dto) as (keyof UpdateMemberDto)[]) {
      if (dto[key] !== undefined) {
        (changes as Record<string, unknown>)[key] = dto[key];
      }
    }
    await this.checkShape({ ...current, ...changes });
    return this.write(async () => {
      await this.members.update(id, changes);
      await this.audit.record({
        actor: { kind: 'user', id: caller.id },
        action: 'member.updated',
        subjectType: 'member',
        subjectId: id,
        data: { changes },
      });
      return this.get(id);
    });
  }

  async remove(caller: AuthUser, id: string): Promise<void> {
    const member = await this.get(id);
    await this.write(async () => {
      await this.members.delete(id);
      await this.audit.record({
        actor: { kind: 'user', id: caller.id },
        action: 'member.deleted',
        subjectType: 'member',
        subjectId: id,
        data: { memberNumber: member.memberNumber, name: member.name },
      });
    });
  }

  /**
   * Imports a member file: new member numbers are created, known ones updated. The file is checked
   * whole first; one bad row rejects the file and nothing of it is written.
   */
  async import(caller: AuthUser, csv: string, dryRun: boolean): Promise<ImportReportDto> {
    const { rows, errors, total } = parseMemberCsv(csv);
    const emails = [...new Set(rows.flatMap((r) => [r.userEmail, r.delegateEmail]).filter((e): e is string => !!e))];
    const usersByEmail = new Map((await this.users.findByEmails(emails)).map((u) => [u.email, u.id]));
    const resolved: { row: CsvMemberRow; fields: MemberFields }[] = [];
    for (const row of rows) {
      const rowErrors: RowError[] = [];
      const userId = row.userEmail ? usersByEmail.get(row.userEmail) : undefined;
      const delegateUserId = row.delegateEmail ? usersByEmail.get(row.delegateEmail) : undefined;
      if (row.userEmail && !userId) {
        rowErrors.push({ line: row.line, field: 'user_email', message: `no user with e-mail ${row.userEmail}` });
      }
      if (row.delegateEmail && !delegateUserId) {
        rowErrors.push({ line: row.line, field: 'delegate_email', message: `no user with e-mail ${row.delegateEmail}` });
      }
      if (rowErrors.length) {
        errors.push(...rowErrors);
        continue;
      }
      resolved.push({
        row,
        fields: {
          memberNumber: row.memberNumber,
          kind: row.kind,
          name: row.name,
          organisation: row.organisation,
          email: row.email,
          status: row.status,
          duesPaidUntil: row.duesPaidUntil,
          voteWeight: row.voteWeight,
          userId: userId ?? null,
          delegateUserId: delegateUserId ?? null,
          joinedOn: row.joinedOn,
        },
      });
    }
    const existing = new Map(
      (await this.members.findByNumbers(resolved.map((r) => r.fields.memberNumber))).map((m) => [m.memberNumber, m]),
    );
    const toUpdate = resolved.filter((r) => existing.has(r.fields.memberNumber));
    const linkedUsers = new Map<string, number>();
    for (const { row, fields } of resolved) {
      if (fields.userId) {
        const other = linkedUsers.get(fields.userId);
        if (other !== undefined) {
          errors.push({ line: row.line, field: 'user_email', message: `the same user is linked on line ${other}` });
        }
        linkedUsers.set(fields.userId, row.line);
      }
    }
    errors.sort((a, b) => a.line - b.line);
    const report: ImportReportDto = {
      dryRun,
      rows: total,
      created: errors.length ? 0 : resolved.length - toUpdate.length,
      updated: errors.length ? 0 : toUpdate.length,
      errors,
      accepted: errors.length === 0,
    };
    if (dryRun) {
      return report;
    }
    if (errors.length > 0) {
      throw new MembersException(MembersErrorCode.ImportInvalid, 'The file has errors; nothing was imported', report);
    }
    await this.write(async () => {
      for (const { fields } of resolved) {
        const known = existing.get(fields.memberNumber);
        if (known) {
          await this.members.update(known.id, fields);
        } else {
          await this.members.insert(fields);
        }
      }
      await this.audit.record({
        actor: { kind: 'user', id: caller.id },
        action: 'member.imported',
        subjectType: 'member',
        data: { rows: resolved.length, created: report.created, updated: report.updated },
      });
    });
    return report;
  }

  private async checkShape(fields: MemberFields): Promise<void> {
    if (fields.kind === 'corporate') {
      if (!fields.organisation) {
        throw new MembersException(MembersErrorCode.InvalidLink, 'A corporate member needs an organisation');
      }
      if (fields.userId) {
        throw new MembersException(MembersErrorCode.InvalidLink, 'A corporate member acts through delegateUserId, not userId');
      }
    } else if (fields.delegateUserId) {
      throw new MembersException(MembersErrorCode.InvalidLink, 'Only a corporate member has a delegate');
    }
    for (const id of [fields.userId, fields.delegateUserId]) {
      if (id && !(await this.users.findById(id))) {
        throw new MembersException(MembersErrorCode.InvalidLink, `No user with id ${id}`);
      }
    }
  }

  /** Runs a write and turns constraint violations into clear domain errors. */
  private async write<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } catch (error) {
      const code = pgErrorCode(error);
      const constraint = pgConstraint(error) ?? '';
      if (code === '23505' && constraint === 'member_user_uq') {
        throw new MembersException(MembersErrorCode.UserAlreadyLinked, 'This user is already linked to another member');
      }
      if (code === '23505') {
        throw new MembersException(MembersErrorCode.NumberTaken, 'A member with this number already exists');
      }
      if (code === '23503') {
        throw new MembersException(MembersErrorCode.InUse, 'The member is referenced by other records and cannot be deleted');
      }
      throw error;
    }
  }
}
