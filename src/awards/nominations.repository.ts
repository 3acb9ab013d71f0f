import { Injectable } from '@nestjs/common';
import { Database } from 'src/database/database';
import { AwardNominationEntity } from './entities/award-nomination.entity';
import { AwardNomineeEntity, NomineeStatus } from './entities/award-nominee.entity';

export type NomineeFields = Pick<
  AwardNomineeEntity,
  'categoryId' | 'name' | 'organisation' | 'description' | 'links'
>;
export type NomineeStateFields = Partial<
  Pick<
    AwardNomineeEntity,
    'status' | 'statusReason' | 'mergedIntoId' | 'consentStatus' | 'consentTokenHash'
  >
>;
export type NominationFields = Pick<
  AwardNominationEntity,
  | 'categoryId'
  | 'nomineeId'
  | 'memberId'
  | 'submittedBy'
  | 'nomineeName'
  | 'organisation'
  | 'description'
  | 'links'
  | 'selfNomination'
>;

/** Nominees and the members' nominations behind them. */
@Injectable()
export class NominationsRepository {
  constructor(private readonly db: Database) {}

  private get nominees() {
    return this.db.manager.getRepository(AwardNomineeEntity);
  }

  private get nominations() {
    return this.db.manager.getRepository(AwardNominationEntity);
  }

  findNominee(id: string): Promise<AwardNomineeEntity | null> {
    return this.nominees.findOneBy({ id });
  }

  findNomineeForUpdate(id: string): Promise<AwardNomineeEntity | null> {
    return this.nominees
      .createQueryBuilder('n')
      .where('n.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
  }

  findNomineeByConsentToken(tokenHash: string): Promise<AwardNomineeEntity | null> {
    return this.nominees.findOneBy({ consentTokenHash: tokenHash });
  }

  findNomineesOfCategory(categoryId: string): Promise<AwardNomineeEntity[]> {
    return this.nominees.find({ where: { categoryId }, order: { createdAt: 'ASC' } });
  }

  findNomineesByIds(ids: string[]): Promise<AwardNomineeEntity[]> {
    if (ids.length === 0) {
      return Promise.resolve([]);
    }
    return this.nominees.createQueryBuilder('n').where('n.id IN (:...ids)', { ids }).getMany();
  }

  findNomineesWithStatus(categoryId: string, status: NomineeStatus): Promise<AwardNomineeEntity[]> {
    return this.nominees.find({ where: { categoryId, status }, order: { createdAt: 'ASC' } });
  }

  /** How many nominees of the edition still wait for screening or consent, per category. */
  async countUnsettledInEdition(
    editionId: string,
  ): Promise<{ submitted: number; consent: number }> {
    const [row] = await this.db.manager.query<{ submitted: number; consent: number }[]>(
      `SELECT count(*) FILTER (WHERE n.status = 'submitted')::int AS submitted,
              count(*) FILTER (WHERE n.status = 'accepted' AND n.consent_status = 'requested')::int AS consent
       FROM award_nominee n JOIN award_category c ON c.id = n.category_id
       WHERE c.edition_id = $1`,
      [editionId],
    );
    return row;
  }

  async insertNominee(fields: NomineeFields): Promise<AwardNomineeEntity> {
    const result = await this.nominees.insert(fields);
    return (await this.findNominee((result.identifiers[0] as { id: string }).id))!;
  }

  async updateNominee(id: string, fields: NomineeStateFields): Promise<void> {
    await this.nominees.update({ id }, fields);
  }

  async updateNomineesStatus(ids: string[], status: NomineeStatus): Promise<void> {
    if (ids.length === 0) {
      return;
    }
    await this.nominees
      .createQueryBuilder()
      .update()
      .set({ status })
      .where('id IN (:...ids)', { ids })
      .execute();
  }

  findNomination(id: string): Promise<AwardNominationEntity | null> {
    return this.nominations.findOneBy({ id });
  }

  findNominationsOfMembers(memberIds: string[]): Promise<AwardNominationEntity[]> {
    if (memberIds.length === 0) {
      return Promise.resolve([]);
    }
    return this.nominations
      .createQueryBuilder('n')
      .where('n.member_id IN (:...memberIds)', { memberIds })
      .orderBy('n.created_at', 'ASC')
      .getMany();
  }

  findNominationsOfCategory(categoryId: string): Promise<AwardNominationEntity[]> {
    return this.nominations.find({ where: { categoryId }, order: { createdAt: 'ASC' } });
  }

  countActiveByMember(categoryId: string, memberId: string): Promise<number> {
    return this.nominations.countBy({ categoryId, memberId, status: 'active' });
  }

  countActiveForNominee(nomineeId: string): Promise<number> {
    return this.nominations.countBy({ nomineeId, status: 'active' });
  }

  async insertNomination(fields: NominationFields): Promise<AwardNominationEntity> {
    const result = await this.nominations.insert(fields);
    return (await this.findNomination((result.identifiers[0] as { id: string }).id))!;
  }

  async withdrawNomination(id: string): Promise<void> {
    await this.nominations.update({ id }, { status: 'withdrawn' });
  }

  /** A merge keeps every nomination and points it at the surviving nominee. */
  async moveNominations(fromNomineeId: string, toNomineeId: string): Promise<number> {
    const result = await this.nominations.update(
      { nomineeId: fromNomineeId },
      { nomineeId: toNomineeId },
    );
    return result.affected ?? 0;
  }
}
