import { Injectable } from '@nestjs/common';
import { Database } from 'src/database/database';
import { AwardCategoryEntity } from './entities/award-category.entity';
import { AwardEditionEntity, EditionPhase } from './entities/award-edition.entity';
import { AwardProgramEntity } from './entities/award-program.entity';

export type ProgramFields = Pick<AwardProgramEntity, 'slug' | 'title' | 'description'>;
export type EditionFields = Pick<
  AwardEditionEntity,
  'programId' | 'year' | 'ordinal' | 'nominationsOpenAt' | 'nominationsCloseAt' | 'ceremonyAt'
>;
export type CategoryFields = Pick<
  AwardCategoryEntity,
  | 'editionId'
  | 'title'
  | 'description'
  | 'method'
  | 'methodConfig'
  | 'winners'
  | 'shortListSize'
  | 'criteria'
  | 'nominationsPerMember'
  | 'selfNominationAllowed'
  | 'resultsDisplay'
>;

/** Programs, their editions and the editions' categories. */
@Injectable()
export class EditionsRepository {
  constructor(private readonly db: Database) {}

  private get programs() {
    return this.db.manager.getRepository(AwardProgramEntity);
  }

  private get editions() {
    return this.db.manager.getRepository(AwardEditionEntity);
  }

  private get categories() {
    return this.db.manager.getRepository(AwardCategoryEntity);
  }

  findProgram(id: string): Promise<AwardProgramEntity | null> {
    return this.programs.findOneBy({ id });
  }

  findPrograms(): Promise<AwardProgramEntity[]> {
    return this.programs.find({ order: { title: 'ASC' } });
  }

  async insertProgram(fields: ProgramFields): Promise<AwardProgramEntity> {
    const result = await this.programs.insert(fields);
    return (await this.findProgram((result.identifiers[0] as { id: string }).id))!;
  }

  findEdition(id: string): Promise<AwardEditionEntity | null> {
    return this.editions.findOneBy({ id });
  }

  /** Reads the edition and holds it until the transaction ends (phase changes, nominations). */
  findEditionForUpdate(id: string): Promise<AwardEditionEntity | null> {
    return this.editions
      .createQueryBuilder('e')
      .where('e.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
  }

  /** Reads the edition with a share lock: nominations share it, a phase change excludes them. */
  findEditionForShare(id: string): Promise<AwardEditionEntity | null> {
    return this.editions
      .createQueryBuilder('e')
      .where('e.id = :id', { id })
      .setLock('pessimistic_read')
      .getOne();
  }

  findEditionsOfProgram(programId: string): Promise<AwardEditionEntity[]> {
    return this.editions.find({ where: { programId }, order: { year: 'DESC' } });
  }

  async insertEdition(fields: EditionFields): Promise<AwardEditionEntity> {
    const result = await this.editions.insert(fields);
    return (await this.findEdition((result.identifiers[0] as { id: string }).id))!;
  }

  async updateEdition(
    id: string,
    fields: Partial<EditionFields> & { phase?: EditionPhase },
  ): Promise<void> {
    await this.editions.update({ id }, fields);
  }

  /** Editions whose schedule calls for a phase change now. */
  async findDueForPhase(now: Date): Promise<{ id: string; phase: EditionPhase }[]> {
    return this.editions
      .createQueryBuilder('e')
      .select(['e.id AS id', 'e.phase AS phase'])
      .where(
        `(e.phase = 'draft' AND e.nominations_open_at <= :now)
         OR (e.phase = 'nominations' AND e.nominations_close_at <= :now)`,
        { now },
      )
      .getRawMany<{ id: string; phase: EditionPhase }>();
  }

  findCategory(id: string): Promise<AwardCategoryEntity | null> {
    return this.categories.findOneBy({ id });
  }

  findCategoriesOfEdition(editionId: string): Promise<AwardCategoryEntity[]> {
    return this.categories.find({ where: { editionId }, order: { createdAt: 'ASC' } });
  }

  findCategoriesByIds(ids: string[]): Promise<AwardCategoryEntity[]> {
    if (ids.length === 0) {
      return Promise.resolve([]);
    }
    return this.categories
      .createQueryBuilder('c')
      .where('c.id IN (:...ids)', { ids })
      .orderBy('c.created_at', 'ASC')
      .getMany();
  }

  async insertCategory(fields: CategoryFields): Promise<AwardCategoryEntity> {
    const result = await this.categories.insert(fields);
    return (await this.findCategory((result.identifiers[0] as { id: string }).id))!;
  }

  async updateCategory(
    id: string,
    fields: Partial<Omit<CategoryFields, 'editionId'>> & { nominationsClosed?: boolean },
  ): Promise<void> {
    await this.categories.update({ id }, fields);
  }
}
