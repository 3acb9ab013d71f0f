import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { PreparedStatement } from 'src/database/prepared-statement';
import { Database } from 'src/database/database';
import { SessionEntity } from './entities/session.entity';
import { Role, UserEntity } from './entities/user.entity';
import { liveSessionUser } from './live-session';

const USER_OF_LIVE_SESSION = new PreparedStatement(
  'user-of-live-session',
  liveSessionUser('$1', '$2', '$3'),
);

@Injectable()
export class SessionsRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(SessionEntity);
  }

  async insert(session: {
    id: string;
    userId: string;
    refreshTokenHash: string;
    expiresAt: Date;
  }): Promise<void> {
    await this.repo.insert(session);
  }

  findById(id: string): Promise<SessionEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /**
   * The user behind a live session for a token of this version, in one query: every authenticated
   * request asks this, so it is kept to a single index lookup on each table.
   */
  async findUserOfLiveSession(
    id: string,
    userId: string,
    tokenVersion: number,
  ): Promise<Pick<UserEntity, 'id' | 'email' | 'role'> | null> {
    // Plain SQL: building this through the query builder cost more CPU than running it.
    const rows = await this.db.prepared<{ id: string; email: string; role: Role }[]>(
      USER_OF_LIVE_SESSION,
      [userId, id, tokenVersion],
    );
    return rows[0] ?? null;
  }

  /** Swaps the refresh token only if the presented one is still current; false when it was not. */
  async rotate(id: string, presentedHash: string, nextHash: string): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update(SessionEntity)
      .set({ refreshTokenHash: nextHash, generation: () => 'generation + 1' })
      .where(
        'id = :id AND refresh_token_hash = :presentedHash AND revoked_at IS NULL AND expires_at > now()',
        {
          id,
          presentedHash,
        },
      )
      .execute();
    return (result.affected ?? 0) === 1;
  }

  async revoke(id: string, reason: string): Promise<void> {
    await this.repo.update(
      { id, revokedAt: IsNull() },
      { revokedAt: new Date(), revokedReason: reason },
    );
  }

  async revokeAllForUser(userId: string, reason: string): Promise<void> {
    await this.repo.update(
      { userId, revokedAt: IsNull() },
      { revokedAt: new Date(), revokedReason: reason },
    );
  }
}
