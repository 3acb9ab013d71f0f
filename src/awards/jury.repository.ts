import { Injectable } from '@nestjs/common';
import { Database } from 'src/database/database';
import { JuryAssignmentEntity } from './entities/jury-assignment.entity';
import { JuryConflictEntity } from './entities/jury-conflict.entity';

export type AssignmentFields = Pick<
  JuryAssignmentEntity,
  'categoryId' | 'userId' | 'role' | 'organisation'
>;
export type ConflictFields = Pick<
  JuryConflictEntity,
  'categoryId' | 'userId' | 'nomineeId' | 'type' | 'source' | 'note'
>;

/** Jury panels and conflicts of interest. */
@Injectable()
export class JuryRepository {
  constructor(private readonly db: Database) {}

  private get assignments() {
    return this.db.manager.getRepository(JuryAssignmentEntity);
  }

  private get conflicts() {
    return this.db.manager.getRepository(JuryConflictEntity);
  }

  findAssignment(categoryId: string, userId: string): Promise<JuryAssignmentEntity | null> {
    return this.assignments.findOneBy({ categoryId, userId });
  }

  findPanel(categoryId: string): Promise<JuryAssignmentEntity[]> {
    return this.assignments.find({ where: { categoryId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findAssignmentsOfUser(userId: string): Promise<JuryAssignmentEntity[]> {
    return this.assignments.find({ where: { userId }, order: { createdAt: 'ASC' } });
  }

  /** Jurors and chairs per category of an edition. */
  async countPanelsInEdition(
    editionId: string,
  ): Promise<{ categoryId: string; jurors: number; chairs: number }[]> {
    return this.db.manager.query<{ categoryId: string; jurors: number; chairs: number }[]>(
      `SELECT c.id AS "categoryId",
              count(a.id)::int AS jurors,
              count(a.id) FILTER (WHERE a.role = 'chair')::int AS chairs
       FROM award_category c LEFT JOIN award_jury_assignment a ON a.category_id = c.id
       WHERE c.edition_id = $1 GROUP BY c.id`,
      [editionId],
    );
  }

  async insertAssignment(fields: AssignmentFields): Promise<JuryAssignmentEntity> {
    await this.assignments.insert(fields);
    return (await this.findAssignment(fields.categoryId, fields.userId))!;
  }

  findConflict(id: string): Promise<JuryConflictEntity | null> {
    return this.conflicts.findOneBy({ id });
  }

  findConflictsOfCategory(categoryId: string): Promise<JuryConflictEntity[]> {
    return this.conflicts.find({ where: { categoryId }, order: { createdAt: 'ASC' } });
  }

  /** Nominees the juror may neither see nor score. */
  async findConflictedNomineeIds(categoryId: string, userId: string): Promise<Set<string>> {
    const rows = await this.conflicts.find({
      select: { nomineeId: true },
      where: { categoryId, userId, status: 'active' },
    });
    return new Set(rows.map((r) => r.nomineeId));
  }

  /** Inserts the conflict unless the pair already has one; returns whether it was new. */
  async insertConflictIfAbsent(fields: ConflictFields): Promise<JuryConflictEntity | null> {
    const result = await this.conflicts
      .createQueryBuilder()
      .insert()
      .into(JuryConflictEntity)
      .values(fields)
      .orIgnore()
      .returning(['id'])
      .execute();
    const id = (result.raw as { id: string }[])[0]?.id;
    return id ? this.findConflict(id) : null;
  }

  async dismissConflict(id: string, reason: string): Promise<void> {
    await this.conflicts.update({ id }, { status: 'dismissed', dismissedReason: reason });
  }

  /** A declaration turns a pair already flagged (even dismissed) into an active declared conflict. */
  async declareOver(id: string, fields: Pick<JuryConflictEntity, 'type' | 'note'>): Promise<void> {
    await this.conflicts.update(
      { id },
      { ...fields, source: 'declared', status: 'active', dismissedReason: null },
    );
  }
}
