import { Injectable } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import type { AuthUser } from 'src/common/auth/auth-user';
import { pgConstraint, pgErrorCode } from 'src/database/database';
import { Database } from 'src/database/database';
import { AuthErrorCode, AuthException } from './auth.exception';
import type { CreateUserDto, ListUsersQueryDto, UpdateUserDto } from './dto/user.dto';
import type { UserEntity } from './entities/user.entity';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';
import { SessionsRepository } from './sessions.repository';
import { UserChanges, UsersRepository } from './users.repository';

@Injectable()
export class UsersService {
  constructor(
    private readonly db: Database,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly audit: AuditService,
  ) {}

  list(query: ListUsersQueryDto): Promise<[UserEntity[], number]> {
    return this.users.findPage({
      role: query.role,
      limit: query.limit ?? 50,
      offset: query.offset ?? 0,
    });
  }

  async get(id: string): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) {
      throw new AuthException(AuthErrorCode.UserNotFound, 'User not found');
    }
    return user;
  }

  async create(caller: AuthUser | null, dto: CreateUserDto): Promise<UserEntity> {
    await this.policy.check(dto.password, dto);
    const passwordHash = await this.hasher.hash(dto.password);
    try {
      return await this.db.transaction(async () => {
        const user = await this.users.insert({
          email: dto.email,
          displayName: dto.displayName,
          role: dto.role,
          passwordHash,
        });
        await this.audit.record({
          actor: caller ? { kind: 'user', id: caller.id } : { kind: 'system' },
          action: 'user.created',
          subjectType: 'user',
          subjectId: user.id,
          data: { email: user.email, role: user.role },
        });
        return user;
      });
    } catch (error) {
      if (pgErrorCode(error) === '23505' && pgConstraint(error)?.startsWith('UQ_')) {
        throw new AuthException(AuthErrorCode.EmailTaken, 'A user with this e-mail already exists');
      }
      throw error;
    }
  }

  async update(caller: AuthUser, id: string, dto: UpdateUserDto): Promise<UserEntity> {
    const user = await this.get(id);
    if (id === caller.id && ((dto.role && dto.role !== user.role) || dto.status === 'disabled')) {
      throw new AuthException(
        AuthErrorCode.CannotChangeSelf,
        'You cannot change your own role or disable yourself',
      );
    }
    const changes: UserChanges = {};
    if (dto.displayName !== undefined) {
      changes.displayName = dto.displayName;
    }
    if (dto.role !== undefined) {
      changes.role = dto.role;
    }
    if (dto.status !== undefined) {
      changes.status = dto.status;
    }
    if (dto.password !== undefined) {
      await this.policy.check(dto.password, {
        email: user.email,
        displayName: dto.displayName ?? user.displayName,
      });
      changes.passwordHash = await this.hasher.hash(dto.password);
    }
    // A new role, a disabled account or a reset password ends every session at once.
    const endSessions =
      (dto.role !== undefined && dto.role !== user.role) ||
      dto.status === 'disabled' ||
      dto.password !== undefined;
    await this.db.transaction(async () => {
      await this.users.update(id, changes, endSessions);
      if (endSessions) {
        await this.sessions.revokeAllForUser(id, 'account_changed');
      }
      await this.audit.record({
        actor: { kind: 'user', id: caller.id },
        action: 'user.updated',
        subjectType: 'user',
        subjectId: id,
        data: {
          fields: Object.keys(changes).map((k) => (k === 'passwordHash' ? 'password' : k)),
          ...(dto.role !== undefined ? { role: dto.role } : {}),
          ...(dto.status !== undefined ? { status: dto.status } : {}),
        },
      });
    });
    return this.get(id);
  }
}
