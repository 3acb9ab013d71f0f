import { Injectable } from '@nestjs/common';
import { Database } from 'src/database/database';
import { MemberEntity, MemberKind, MemberStatus } from './entities/member.entity';

export type MemberFields = Pick<
  MemberEntity,
  | 'memberNumber'
  | 'kind'
  | 'name'
  | 'organisation'
  | 'email'
  | 'status'
  | 'duesPaidUntil'
  | 'voteWeight'
  | 'userId'
  | 'delegateUserId'
  | 'joinedOn'
>;

export interface MemberFilter {
  status?: MemberStatus;
  kind?: MemberKind;
  search?: string;
  limit: number;
  offset: number;
}

@Injectable()
export class MembersRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(MemberEntity);
  }

  findById(id: string): Promise<MemberEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findByNumbers(numbers: string[]): Promise<MemberEntity[]> {
    if (numbers.length === 0) {
      return Promise.resolve([]);
    }
    return this.repo
      .createQueryBuilder('m')
      .where('m.member_number IN (:...numbers)', { numbers })
      .getMany();
  }

  /** Memberships a user acts for: their own, and corporate members they are the delegate of. */
  findActingFor(userId: string): Promise<MemberEntity[]> {
    return this.repo
      .createQueryBuilder('m')
      .where('m.user_id = :userId OR m.delegate_user_id = :userId', { userId })
      .orderBy('m.member_number', 'ASC')
      .getMany();
  }

  findPage(filter: MemberFilter): Promise<[MemberEntity[], number]> {
    const qb = this.repo
      .createQueryBuilder('m')
      .orderBy('m.member_number', 'ASC')
      .take(filter.limit)
      .skip(filter.offset);
    if (filter.status) {
      qb.andWhere('m.status = :status', { status: filter.status });
    }
    if (filter.kind) {
      qb.andWhere('m.kind = :kind', { kind: filter.kind });
    }
    if (filter.search) {
      qb.andWhere('(m.name ILIKE :q OR m.organisation ILIKE :q OR m.member_number ILIKE :q)', {
        q: `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
      });
    }
    return qb.getManyAndCount();
  }

  async insert(fields: MemberFields): Promise<MemberEntity> {
    const result = await this.repo.insert(fields);
    return (await this.findById((result.identifiers[0] as { id: string }).id))!;
  }

  async update(id: string, fields: Partial<MemberFields>): Promise<void> {
    await this.repo.update({ id }, fields);
  }

  async delete(id: string): Promise<void> {
    await this.repo.delete({ id });
  }
}
