import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm';
import { Database } from 'src/database/database';
import { TallyRunEntity } from './entities/tally-run.entity';

export type NewTallyRun = Omit<TallyRunEntity, 'id' | 'createdAt'>;

@Injectable()
export class TallyRunsRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(TallyRunEntity);
  }

  /** The run of the job that named this frozen input (see `TallyRunEntity.frozenDigest`). */
  findByFrozen(
    contestKind: string,
    contestId: string,
    frozenDigest: string,
  ): Promise<TallyRunEntity | null> {
    return this.repo.findOneBy({ contestKind, contestId, frozenDigest });
  }

  findLatestForContest(contestKind: string, contestId: string): Promise<TallyRunEntity | null> {
    return this.repo.findOne({ where: { contestKind, contestId }, order: { createdAt: 'DESC' } });
  }

  countForContest(contestKind: string, contestId: string): Promise<number> {
    return this.repo.countBy({ contestKind, contestId });
  }

  /** Stores the run unless one exists for the same contest and input (a retried job). */
  async insertIfAbsent(run: NewTallyRun): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .insert()
      .into(TallyRunEntity)
      .values(run as QueryDeepPartialEntity<TallyRunEntity>)
      .orIgnore()
      .execute();
  }
}
