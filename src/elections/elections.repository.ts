import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm';
import { Database } from 'src/database/database';
import { ElectionEntity } from './entities/election.entity';

export type ElectionFields = Pick<
  ElectionEntity,
  | 'meetingId'
  | 'office'
  | 'seats'
  | 'method'
  | 'methodConfig'
  | 'thresholdRule'
  | 'blankAllowed'
  | 'registeredOnly'
  | 'rollDate'
  | 'opensAt'
  | 'closesAt'
  | 'tieBreakSeed'
>;

export type ElectionStateFields = Pick<
  ElectionEntity,
  'status' | 'openedAt' | 'closedAt' | 'merkleRoot' | 'closeSnapshot'
>;

export type ElectionKeyFields = Pick<
  ElectionEntity,
  'custody' | 'ballotPublicKey' | 'wrappedBallotKey' | 'commissionThreshold' | 'keyDestroyedAt'
>;

@Injectable()
export class ElectionsRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(ElectionEntity);
  }

  findById(id: string): Promise<ElectionEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** Reads the election and waits for every cast in progress to finish. */
  findByIdForTransition(id: string): Promise<ElectionEntity | null> {
    return this.repo
      .createQueryBuilder('e')
      .where('e.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
  }

  findAll(meetingId?: string): Promise<ElectionEntity[]> {
    return this.repo.find({ where: meetingId ? { meetingId } : {}, order: { createdAt: 'ASC' } });
  }

  async findDueToOpen(now: Date): Promise<string[]> {
    const rows = await this.repo
      .createQueryBuilder('e')
      .select('e.id', 'id')
      .where(`e.status = 'draft' AND e.opens_at <= :now`, { now })
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  async findDueToClose(now: Date): Promise<string[]> {
    const rows = await this.repo
      .createQueryBuilder('e')
      .select('e.id', 'id')
      .where(`e.status = 'open' AND e.closes_at <= :now`, { now })
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  async insert(fields: ElectionFields): Promise<ElectionEntity> {
    const result = await this.repo.insert(fields as QueryDeepPartialEntity<ElectionEntity>);
    return (await this.findById((result.identifiers[0] as { id: string }).id))!;
  }

  async update(id: string, fields: Partial<ElectionFields>): Promise<void> {
    await this.repo.update({ id }, fields as QueryDeepPartialEntity<ElectionEntity>);
  }

  async updateState(id: string, fields: Partial<ElectionStateFields>): Promise<void> {
    await this.repo.update({ id }, fields);
  }

  async updateKeys(id: string, fields: Partial<ElectionKeyFields>): Promise<void> {
    await this.repo.update({ id }, fields);
  }
}
