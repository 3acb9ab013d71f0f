import { Injectable } from '@nestjs/common';
import { AuditService, SYSTEM } from 'src/audit/audit.service';
import { UsersRepository } from 'src/auth/users.repository';
import type { AuthUser } from 'src/common/auth/auth-user';
import { Database, pgConstraint, pgErrorCode } from 'src/database/database';
import { MembersRepository } from 'src/members/members.repository';
import { AwardsErrorCode, AwardsException } from './awards.exception';
import type { AssignJurorDto, DeclareConflictDto } from './dto/jury.dto';
import type { AwardCategoryEntity } from './entities/award-category.entity';
import type { AwardNomineeEntity, NomineeStatus } from './entities/award-nominee.entity';
import type { JuryAssignmentEntity } from './entities/jury-assignment.entity';
import type { JuryConflictEntity } from './entities/jury-conflict.entity';
import { EditionsRepository } from './editions.repository';
import { JuryRepository } from './jury.repository';
import { NominationsRepository } from './nominations.repository';
import { RoundsRepository } from './rounds.repository';

/** Nominees still in the running, for conflict detection. */
const IN_PLAY: readonly NomineeStatus[] = [
  'submitted',
  'accepted',
  'longlisted',
  'shortlisted',
  'winner',
  'not_selected',
];

export function normaliseOrganisation(name: string | null | undefined): string | null {
  const n = (name ?? '').trim().toLowerCase().replace(/\s+/g, ' ');
  return n === '' ? null : n;
}

/**
 * Jury panels and conflicts of interest. A juror's organisations are the one recorded on their
 * assignment plus those of the members they act for (their own membership, corporate members
 * they are the delegate of); a nominee whose organisation matches any of them is a detected
 * conflict.
 */
@Injectable()
export class JuryService {
  constructor(
    private readonly db: Database,
    private readonly jury: JuryRepository,
    private readonly editions: EditionsRepository,
    private readonly nominations: NominationsRepository,
    private readonly rounds: RoundsRepository,
    private readonly users: UsersRepository,
    private readonly members: MembersRepository,
    private readonly audit: AuditService,
  ) {}

  async panel(categoryId: string): Promise<JuryAssignmentEntity[]> {
    await this.category(categoryId);
    return this.jury.findPanel(categoryId);
  }

  async assign(
    caller: AuthUser,
    categoryId: string,
    dto: AssignJurorDto,
  ): Promise<JuryAssignmentEntity> {
    try {
      return await this.db.transaction(async () => {
        const category = await this.category(categoryId);
        const edition = (await this.editions.findEditionForUpdate(category.editionId))!;
        if (edition.phase === 'results' || edition.phase === 'closed') {
          throw new AwardsException(
            AwardsErrorCode.WrongPhase,
            `The edition is in ${edition.phase}; juries can no longer change`,
          );
        }
        const user = await this.users.findById(dto.userId);
        if (!user || user.role !== 'jury') {
          throw new AwardsException(
            AwardsErrorCode.UserNotJuror,
            'Only a user with the jury role can sit on a jury',
          );
        }
        const assignment = await this.jury.insertAssignment({
          categoryId,
          userId: user.id,
          role: dto.role ?? 'juror',
          organisation: dto.organisation?.trim() || null,
        });
        await this.audit.record({
          actor: { kind: 'user', id: caller.id },
          action: 'award.juror_assigned',
          subjectType: 'award_category',
          subjectId: categoryId,
          data: {
            assignmentId: assignment.id,
            userId: user.id,
            role: assignment.role,
            organisation: assignment.organisation,
          },
        });
        await this.detect(categoryId);
        return assignment;
      });
    } catch (error) {
      if (pgErrorCode(error) === '23505') {
        if (pgConstraint(error) === 'award_jury_assignment_chair_uq') {
          throw new AwardsException(
            AwardsErrorCode.ChairExists,
            'This category already has a chair',
          );
        }
        throw new AwardsException(
          AwardsErrorCode.JurorExists,
          'This user is already on the jury of this category',
        );
      }
      throw error;
    }
  }

  async conflicts(categoryId: string): Promise<JuryConflictEntity[]> {
    await this.category(categoryId);
    return this.jury.findConflictsOfCategory(categoryId);
  }

  /** Flags every juror × nominee pair of the category that shares an organisation. */
  async detect(categoryId: string): Promise<number> {
    return this.db.transaction(async () => {
      const panel = await this.jury.findPanel(categoryId);
      const nominees = (await this.nominations.findNomineesOfCategory(categoryId)).filter((n) =>
        IN_PLAY.includes(n.status),
      );
      let flagged = 0;
      for (const assignment of panel) {
        const organisations = await this.organisationsOf(assignment);
        for (const nominee of nominees) {
          const org = normaliseOrganisation(nominee.organisation);
          if (org === null || !organisations.has(org)) {
            continue;
          }
          const conflict = await this.jury.insertConflictIfAbsent({
            categoryId,
            userId: assignment.userId,
            nomineeId: nominee.id,
            type: 'affiliation',
            source: 'detected',
            note: `Shares the organisation "${nominee.organisation}"`,
          });
          if (conflict) {
            flagged++;
            await this.recuse(categoryId, assignment.userId, nominee.id);
            await this.audit.record({
              actor: SYSTEM,
              action: 'award.conflict_detected',
              subjectType: 'award_category',
              subjectId: categoryId,
              data: { conflictId: conflict.id, userId: assignment.userId, nomineeId: nominee.id },
            });
          }
        }
      }
      return flagged;
    });
  }

  /** A juror declares a conflict with a nominee of one of their categories. */
  async declare(
    caller: AuthUser,
    categoryId: string,
    dto: DeclareConflictDto,
  ): Promise<JuryConflictEntity> {
    return this.db.transaction(async () => {
      await this.assignedCategory(caller, categoryId);
      const nominee = await this.nominations.findNominee(dto.nomineeId);
      if (!nominee || nominee.categoryId !== categoryId) {
        throw new AwardsException(AwardsErrorCode.NomineeNotFound, 'Nominee not found');
      }
      await this.db.lock('award_conflict', `${caller.id}.${nominee.id}`);
      const fields = { type: dto.type, note: dto.note?.trim() || null };
      let conflict = await this.jury.insertConflictIfAbsent({
        categoryId,
        userId: caller.id,
        nomineeId: nominee.id,
        source: 'declared',
        ...fields,
      });
      if (!conflict) {
        const existing = (await this.jury.findConflictsOfCategory(categoryId)).find(
          (c) => c.userId === caller.id && c.nomineeId === nominee.id,
        )!;
        if (existing.source === 'declared') {
          throw new AwardsException(
            AwardsErrorCode.ConflictExists,
            'You have already declared a conflict with this nominee',
          );
        }
        await this.jury.declareOver(existing.id, fields);
        conflict = (await this.jury.findConflict(existing.id))!;
      }
      await this.recuse(categoryId, caller.id, nominee.id);
      await this.audit.record({
        actor: { kind: 'user', id: caller.id },
        action: 'award.conflict_declared',
        subjectType: 'award_category',
        subjectId: categoryId,
        data: { conflictId: conflict.id, nomineeId: nominee.id, type: dto.type },
      });
      return conflict;
    });
  }

  /** An admin dismisses a detected conflict; a declared one stands. */
  async dismiss(caller: AuthUser, conflictId: string, reason: string): Promise<JuryConflictEntity> {
    return this.db.transaction(async () => {
      const conflict = await this.jury.findConflict(conflictId);
      if (!conflict) {
        throw new AwardsException(AwardsErrorCode.ConflictNotFound, 'Conflict not found');
      }
      if (conflict.source !== 'detected' || conflict.status !== 'active') {
        throw new AwardsException(
          AwardsErrorCode.WrongPhase,
          'Only an active detected conflict can be dismissed; a declared conflict stands',
        );
      }
      await this.jury.dismissConflict(conflictId, reason);
      await this.audit.record({
        actor: { kind: 'user', id: caller.id },
        action: 'award.conflict_dismissed',
        subjectType: 'award_category',
        subjectId: conflict.categoryId,
        data: { conflictId, userId: conflict.userId, nomineeId: conflict.nomineeId, reason },
      });
      return (await this.jury.findConflict(conflictId))!;
    });
  }

  /**
   * A conflict that arises while a round is open takes the nominee out of the juror's ballot
   * there (a recusal); closed rounds keep what was frozen.
   */
  private async recuse(categoryId: string, userId: string, nomineeId: string): Promise<void> {
    for (const open of await this.rounds.findOpenRoundsOfCategories([categoryId])) {
      const round = await this.rounds.findRoundForBallot(open.id);
      const ballot = await this.rounds.findBallotOf(open.id, userId);
      if (round?.status !== 'open' || !ballot) {
        continue;
      }
      const { scores, ranking } = ballot.content;
      if (scores && nomineeId in scores) {
        const { [nomineeId]: _removed, ...rest } = scores;
        await this.rounds.updateBallotContent(ballot.id, { scores: rest });
      } else if (ranking?.includes(nomineeId)) {
        await this.rounds.updateBallotContent(ballot.id, {
          ranking: ranking.filter((id) => id !== nomineeId),
        });
      } else {
        continue;
      }
      await this.audit.record({
        actor: SYSTEM,
        action: 'award.ballot_recused',
        subjectType: 'award_round',
        subjectId: open.id,
        data: { ballotId: ballot.id, nomineeId },
      });
    }
  }

  /** The juror's categories with what they may see of each: nominees minus their conflicts. */
  async myCategories(
    caller: AuthUser,
  ): Promise<{ category: AwardCategoryEntity; role: string; nominees: AwardNomineeEntity[] }[]> {
    const assignments = await this.jury.findAssignmentsOfUser(caller.id);
    const categories = await this.editions.findCategoriesByIds(
      assignments.map((a) => a.categoryId),
    );
    return Promise.all(
      categories.map(async (category) => ({
        category,
        role: assignments.find((a) => a.categoryId === category.id)!.role,
        nominees: await this.visibleNominees(caller.id, category.id),
      })),
    );
  }

  /** A juror's own category; someone else's answers as if it did not exist. */
  async assignedCategory(caller: AuthUser, categoryId: string): Promise<AwardCategoryEntity> {
    const assignment = await this.jury.findAssignment(categoryId, caller.id);
    const category = assignment ? await this.editions.findCategory(categoryId) : null;
    if (!category) {
      throw new AwardsException(AwardsErrorCode.CategoryNotFound, 'Category not found');
    }
    return category;
  }

  private async visibleNominees(userId: string, categoryId: string): Promise<AwardNomineeEntity[]> {
    const conflicted = await this.jury.findConflictedNomineeIds(categoryId, userId);
    return (await this.nominations.findNomineesOfCategory(categoryId)).filter(
      (n) =>
        !conflicted.has(n.id) &&
        ['accepted', 'longlisted', 'shortlisted', 'winner', 'not_selected'].includes(n.status),
    );
  }

  private async organisationsOf(assignment: JuryAssignmentEntity): Promise<Set<string>> {
    const names = [assignment.organisation];
    for (const member of await this.members.findActingFor(assignment.userId)) {
      names.push(member.organisation);
    }
    return new Set(names.map(normaliseOrganisation).filter((n): n is string => n !== null));
  }

  private async category(id: string): Promise<AwardCategoryEntity> {
    const category = await this.editions.findCategory(id);
    if (!category) {
      throw new AwardsException(AwardsErrorCode.CategoryNotFound, 'Category not found');
    }
    return category;
  }
}
