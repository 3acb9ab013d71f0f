import { Injectable } from '@nestjs/common';
import { IsNull, Not } from 'typeorm';
import { Database } from 'src/database/database';
import { ElectionKeyShareEntity } from './entities/election-key-share.entity';

export interface ShareHolderRow {
  holderIndex: number;
  userId: string;
  displayName: string;
  collectedAt: Date | null;
  submittedAt: Date | null;
}

export type NewShare = Pick<
  ElectionKeyShareEntity,
  'electionId' | 'holderIndex' | 'userId' | 'shareDigest' | 'wrappedShare'
>;

/** The counting commission's shares of election keys, as far as the server holds them. */
@Injectable()
export class CustodyRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(ElectionKeyShareEntity);
  }

  async replaceShares(electionId: string, shares: readonly NewShare[]): Promise<void> {
    await this.repo.delete({ electionId });
    if (shares.length > 0) {
      await this.repo.insert(shares.map((s) => ({ ...s })));
    }
  }

  async findActiveUsers(ids: readonly string[]): Promise<string[]> {
    const rows = await this.db.manager.query<{ id: string }[]>(
      `SELECT id FROM app_user WHERE id = ANY($1::uuid[]) AND status = 'active'`,
      [ids],
    );
    return rows.map((r) => r.id);
  }

  async findHolders(electionId: string): Promise<ShareHolderRow[]> {
    const rows = await this.db.manager.query<
      {
        holder_index: number;
        user_id: string;
        display_name: string;
        collected_at: Date | null;
        submitted_at: Date | null;
      }[]
    >(
      `SELECT s.holder_index, s.user_id, u.display_name, s.collected_at, s.submitted_at
       FROM election_key_share s JOIN app_user u ON u.id = s.user_id
       WHERE s.election_id = $1 ORDER BY s.holder_index`,
      [electionId],
    );
    return rows.map((r) => ({
      holderIndex: r.holder_index,
      userId: r.user_id,
      displayName: r.display_name,
      collectedAt: r.collected_at,
      submittedAt: r.submitted_at,
    }));
  }

  /** The caller's share row, locked for the collection or submission that follows. */
  findForHolder(electionId: string, userId: string): Promise<ElectionKeyShareEntity | null> {
    return this.repo
      .createQueryBuilder('s')
      .where('s.election_id = :electionId AND s.user_id = :userId', { electionId, userId })
      .setLock('pessimistic_write')
      .getOne();
  }

  /** Hands the share over: from here on the server no longer has it. */
  async markCollected(electionId: string, holderIndex: number, at: Date): Promise<void> {
    await this.repo.update({ electionId, holderIndex }, { wrappedShare: null, collectedAt: at });
  }

  async markSubmitted(
    electionId: string,
    holderIndex: number,
    wrappedShare: Buffer,
    at: Date,
  ): Promise<void> {
    await this.repo.update({ electionId, holderIndex }, { wrappedShare, submittedAt: at });
  }

  countSubmitted(electionId: string): Promise<number> {
    return this.repo.countBy({ electionId, submittedAt: Not(IsNull()) });
  }

  async findSubmitted(
    electionId: string,
  ): Promise<{ holderIndex: number; wrappedShare: Buffer }[]> {
    const rows = await this.repo.find({
      select: { holderIndex: true, wrappedShare: true },
      where: { electionId, wrappedShare: Not(IsNull()), submittedAt: Not(IsNull()) },
      order: { holderIndex: 'ASC' },
    });
    return rows.map((r) => ({ holderIndex: r.holderIndex, wrappedShare: r.wrappedShare! }));
  }

  /** Once the ballots are open the submitted shares are of no further use: drop them. */
  async forgetSubmitted(electionId: string): Promise<void> {
    await this.repo.update({ electionId }, { wrappedShare: null });
  }

  countUncollected(electionId: string): Promise<number> {
    return this.repo.countBy({ electionId, collectedAt: IsNull() });
  }
}
