import { Injectable } from '@nestjs/common';
import { Database } from 'src/database/database';
import { Role, UserEntity, UserStatus } from './entities/user.entity';

export interface NewUser {
  email: string;
  displayName: string;
  passwordHash: string;
  role: Role;
}

export interface UserChanges {
  displayName?: string;
  role?: Role;
  status?: UserStatus;
  passwordHash?: string;
}

@Injectable()
export class UsersRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(UserEntity);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ email: email.toLowerCase() });
  }

  findByEmails(emails: string[]): Promise<UserEntity[]> {
    if (emails.length === 0) {
      return Promise.resolve([]);
    }
    return this.repo
      .createQueryBuilder('u')
      .where('u.email IN (:...emails)', { emails: emails.map((e) => e.toLowerCase()) })
      .getMany();
  }

  findPage(filter: { role?: Role; limit: number; offset: number }): Promise<[UserEntity[], number]> {
    return this.repo.findAndCount({
      where: filter.role ? { role: filter.role } : {},
      order: { email: 'ASC' },
      take: filter.limit,
      skip: filter.offset,
    });
  }

  async insert(user: NewUser): Promise<UserEntity> {
    const result = await this.repo.insert(user);
    const id = (result.identifiers[0] as { id: string }).id;
    return (await this.findById(id))!;
  }

  async update(id: string, changes: UserChanges, bumpTokenVersion: boolean): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .update(UserEntity)
      .set(bumpTokenVersion ? { ...changes, tokenVersion: () => 'token_version + 1' } : changes)
      .where('id = :id', { id })
      .execute();
  }

  async touchLogin(id: string): Promise<void> {
    await this.repo.update({ id }, { lastLoginAt: new Date() });
  }

  countAdmins(): Promise<number> {
    return this.repo.countBy({ role: 'admin', status: 'active' });
  }
}
