import { Injectable } from '@nestjs/common';
import { Database } from 'src/database/database';
import { CandidateEntity, CandidateStatus } from './entities/candidate.entity';

@Injectable()
export class CandidatesRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(CandidateEntity);
  }

  findById(id: string): Promise<CandidateEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** In the order they were added, which is the order on the ballot and to the engine. */
  findByElection(electionId: string): Promise<CandidateEntity[]> {
    return this.repo.find({ where: { electionId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findStanding(electionId: string): Promise<CandidateEntity[]> {
    return this.repo.find({
      where: { electionId, status: 'standing' },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  async insert(
    fields: Pick<CandidateEntity, 'electionId' | 'memberId' | 'name' | 'statement'> &
      Partial<Pick<CandidateEntity, 'status' | 'nominatedByMemberId' | 'consentedAt'>>,
  ): Promise<CandidateEntity> {
    const result = await this.repo.insert(fields);
    return (await this.findById((result.identifiers[0] as { id: string }).id))!;
  }

  async updateStatus(id: string, status: CandidateStatus): Promise<void> {
    await this.repo.update({ id }, { status });
  }

  async recordAnswer(
    id: string,
    accept: boolean,
    at: Date,
    statement: string | undefined,
  ): Promise<void> {
    await this.repo.update(
      { id },
      {
        status: accept ? 'standing' : 'declined',
        consentedAt: accept ? at : null,
        ...(statement === undefined ? {} : { statement }),
      },
    );
  }
}
