import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { Database } from 'src/database/database';
import { SessionEntity } from './entities/session.entity';

@Injectable()
export class SessionsRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(SessionEntity);
  }

  async insert(session: { id: string; userId: string; refreshTokenHash: string; expiresAt: Date }): Promise<void> {
    await this.repo.insert(session);
  }

  findById(id: string): Promise<SessionEntity | null> {
    return this.repo.findOneBy({ id });
  }

  async isActive(id: string, userId: string): Promise<boolean> {
    const found = await this.repo
      .createQueryBuilder('s')
      .select('1', 'one')
      .where('s.id = :id AND s.user_id = :userId AND s.revoked_at IS NULL AND s.expires_at > now()', { id, userId })
      .getRawOne<{ one: number }>();
    return found !== undefined && found !== null;
  }

  /** Swaps the refresh token only if the presented one is still current; false when it was not. */
  async rotate(id: string, presentedHash: string, nextHash: string): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update(SessionEntity)
      .set({ refreshTokenHash: nextHash, generation: () => 'generation + 1' })
      .where('id = :id AND refresh_token_hash = :presentedHash AND revoked_at IS NULL AND expires_at > now()', {
        id,
        presentedHash,
      })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  async revoke(id: string, reason: string): Promise<void> {
    await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: new Date(), revokedReason: reason });
  }

  async revokeAllForUser(userId: string, reason: string): Promise<void> {
    await this.repo.update({ userId, revokedAt: IsNull() }, { revokedAt: new Date(), revokedReason: reason });
  }
}
