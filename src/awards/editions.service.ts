import { Injectable } from '@nestjs/common';
import { Actor, AuditService } from 'src/audit/audit.service';
import type { AuthUser } from 'src/common/auth/auth-user';
import { Database, pgErrorCode } from 'src/database/database';
import { checkCategorySettings } from './award-rules';
import { AwardsErrorCode, AwardsException } from './awards.exception';
import type {
  CreateCategoryDto,
  CreateEditionDto,
  CreateProgramDto,
  UpdateCategoryDto,
  UpdateEditionDto,
} from './dto/edition.dto';
import type { AwardCategoryEntity } from './entities/award-category.entity';
import { AwardEditionEntity, EDITION_PHASES, EditionPhase } from './entities/award-edition.entity';
import type { AwardProgramEntity } from './entities/award-program.entity';
import { CategoryFields, EditionFields, EditionsRepository } from './editions.repository';
import { JuryRepository } from './jury.repository';
import { JuryService } from './jury.service';
import { NominationsRepository } from './nominations.repository';
import { RoundsRepository } from './rounds.repository';

const user = (caller: AuthUser): Actor => ({ kind: 'user', id: caller.id });
const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

/** Programs, editions with their phases and schedule, and categories. */
@Injectable()
export class EditionsService {
  constructor(
    private readonly db: Database,
    private readonly editions: EditionsRepository,
    private readonly nominations: NominationsRepository,
    private readonly jury: JuryRepository,
    private readonly juries: JuryService,
    private readonly rounds: RoundsRepository,
    private readonly audit: AuditService,
  ) {}

  programs(): Promise<AwardProgramEntity[]> {
    return this.editions.findPrograms();
  }

  async program(id: string): Promise<AwardProgramEntity> {
    const program = await this.editions.findProgram(id);
    if (!program) {
      throw new AwardsException(AwardsErrorCode.ProgramNotFound, 'Program not found');
    }
    return program;
  }

  async createProgram(caller: AuthUser, dto: CreateProgramDto): Promise<AwardProgramEntity> {
    try {
      return await this.db.transaction(async () => {
        const program = await this.editions.insertProgram({
          slug: dto.slug,
          title: dto.title,
          description: dto.description ?? '',
        });
        await this.audit.record({
          actor: user(caller),
          action: 'award.program_created',
          subjectType: 'award_program',
          subjectId: program.id,
          data: { slug: program.slug, title: program.title },
        });
        return program;
      });
    } catch (error) {
      if (pgErrorCode(error) === '23505') {
        throw new AwardsException(AwardsErrorCode.SlugTaken, 'A program with this slug exists');
      }
      throw error;
    }
  }

  async editionsOf(programId: string): Promise<AwardEditionEntity[]> {
    await this.program(programId);
    return this.editions.findEditionsOfProgram(programId);
  }

  async edition(id: string): Promise<AwardEditionEntity> {
    const edition = await this.editions.findEdition(id);
    if (!edition) {
      throw new AwardsException(AwardsErrorCode.EditionNotFound, 'Edition not found');
    }
    return edition;
  }

  async createEdition(
    caller: AuthUser,
    programId: string,
    dto: CreateEditionDto,
  ): Promise<AwardEditionEntity> {
    await this.program(programId);
    const fields: EditionFields = {
      programId,
      year: dto.year,
      ordinal: dto.ordinal,
      nominationsOpenAt: dto.nominationsOpenAt ? new Date(dto.nominationsOpenAt) : null,
      nominationsCloseAt: dto.nominationsCloseAt ? new Date(dto.nominationsCloseAt) : null,
      ceremonyAt: dto.ceremonyAt ? new Date(dto.ceremonyAt) : null,
    };
    checkWindow(fields);
    try {
      return await this.db.transaction(async () => {
        const edition = await this.editions.insertEdition(fields);
        await this.audit.record({
          actor: user(caller),
          action: 'award.edition_created',
          subjectType: 'award_edition',
          subjectId: edition.id,
          data: {
            programId,
            year: edition.year,
            ordinal: edition.ordinal,
            nominationsOpenAt: iso(fields.nominationsOpenAt),
            nominationsCloseAt: iso(fields.nominationsCloseAt),
            ceremonyAt: iso(fields.ceremonyAt),
          },
        });
        return edition;
      });
    } catch (error) {
      if (pgErrorCode(error) === '23505') {
        throw new AwardsException(
          AwardsErrorCode.EditionExists,
          'This program already has an edition for that year',
        );
      }
      throw error;
    }
  }

  async updateEdition(
    caller: AuthUser,
    id: string,
    dto: UpdateEditionDto,
  ): Promise<AwardEditionEntity> {
    return this.db.transaction(async () => {
      const edition = await this.editions.findEditionForUpdate(id);
      if (!edition) {
        throw new AwardsException(AwardsErrorCode.EditionNotFound, 'Edition not found');
      }
      if (edition.phase === 'closed') {
        throw new AwardsException(AwardsErrorCode.WrongPhase, 'A closed edition cannot change');
      }
      const changes: Partial<EditionFields> = {};
      if (dto.ordinal !== undefined) {
        changes.ordinal = dto.ordinal;
      }
      for (const key of ['nominationsOpenAt', 'nominationsCloseAt', 'ceremonyAt'] as const) {
        const value = dto[key];
        if (value !== undefined) {
          changes[key] = value === null ? null : new Date(value);
        }
      }
      checkWindow({ ...edition, ...changes });
      await this.editions.updateEdition(id, changes);
      await this.audit.record({
        actor: user(caller),
        action: 'award.edition_updated',
        subjectType: 'award_edition',
        subjectId: id,
        data: {
          changes: Object.fromEntries(
            Object.entries(changes).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
          ),
        },
      });
      return this.edition(id);
    });
  }

  /**
   * Moves the edition one phase on. Each step checks that the data allows it and refuses with
   * the reasons otherwise.
   */
  async changePhase(
    actor: Actor,
    id: string,
    to: EditionPhase,
    now = new Date(),
  ): Promise<AwardEditionEntity> {
    return this.db.transaction(async () => {
      const edition = await this.editions.findEditionForUpdate(id);
      if (!edition) {
        throw new AwardsException(AwardsErrorCode.EditionNotFound, 'Edition not found');
      }
      const next = EDITION_PHASES[EDITION_PHASES.indexOf(edition.phase) + 1];
      if (to !== next) {
        throw new AwardsException(
          AwardsErrorCode.TransitionRefused,
          next
            ? `The edition is in ${edition.phase}; the next phase is ${next}, not ${to}`
            : 'The edition is closed',
          { reasons: [`${edition.phase} → ${to} is not a step of the cycle`] },
        );
      }
      const reasons = await this.blockers(edition, to, now);
      if (reasons.length > 0) {
        throw new AwardsException(
          AwardsErrorCode.TransitionRefused,
          `The edition cannot move to ${to}: ${reasons.join('; ')}`,
          { reasons },
        );
      }
      if (to === 'jury') {
        for (const category of await this.editions.findCategoriesOfEdition(id)) {
          const accepted = await this.nominations.findNomineesWithStatus(category.id, 'accepted');
          await this.nominations.updateNomineesStatus(
            accepted.map((n) => n.id),
            'longlisted',
          );
          await this.juries.detect(category.id);
        }
      }
      await this.editions.updateEdition(id, { phase: to });
      await this.audit.record({
        actor,
        action: 'award.edition_phase_changed',
        subjectType: 'award_edition',
        subjectId: id,
        data: { from: edition.phase, to },
      });
      return this.edition(id);
    });
  }

  private async blockers(
    edition: AwardEditionEntity,
    to: EditionPhase,
    now: Date,
  ): Promise<string[]> {
    const reasons: string[] = [];
    const categories = await this.editions.findCategoriesOfEdition(edition.id);
    switch (to) {
      case 'nominations':
        if (categories.length === 0) {
          reasons.push('the edition has no categories');
        }
        if (edition.nominationsCloseAt && edition.nominationsCloseAt <= now) {
          reasons.push('the nomination window has already closed');
        }
        break;
      case 'screening':
        break;
      case 'jury': {
        const unsettled = await this.nominations.countUnsettledInEdition(edition.id);
        if (unsettled.submitted > 0) {
          reasons.push(`${unsettled.submitted} nominee(s) are not screened yet`);
        }
        if (unsettled.consent > 0) {
          reasons.push(
            `${unsettled.consent} accepted nominee(s) have not answered the consent request`,
          );
        }
        const panels = new Map(
          (await this.jury.countPanelsInEdition(edition.id)).map((p) => [p.categoryId, p]),
        );
        for (const category of categories) {
          const panel = panels.get(category.id);
          if (!panel || panel.jurors === 0) {
            reasons.push(`category "${category.title}" has no jurors`);
          } else if (panel.chairs === 0) {
            reasons.push(`category "${category.title}" has no chair`);
          }
          const accepted = await this.nominations.findNomineesWithStatus(category.id, 'accepted');
          if (accepted.length === 0) {
            reasons.push(`category "${category.title}" has no accepted nominee`);
          }
        }
        break;
      }
      case 'results': {
        const undecided = await this.rounds.countUndecidedFinalsInEdition(edition.id);
        if (undecided > 0) {
          reasons.push(
            `${undecided} categor${undecided === 1 ? 'y has' : 'ies have'} no decided final round`,
          );
        }
        break;
      }
      case 'closed':
      case 'draft':
        break;
    }
    return reasons;
  }

  async categoriesOf(editionId: string): Promise<AwardCategoryEntity[]> {
    await this.edition(editionId);
    return this.editions.findCategoriesOfEdition(editionId);
  }

  async category(id: string): Promise<AwardCategoryEntity> {
    const category = await this.editions.findCategory(id);
    if (!category) {
      throw new AwardsException(AwardsErrorCode.CategoryNotFound, 'Category not found');
    }
    return category;
  }

  async createCategory(
    caller: AuthUser,
    editionId: string,
    dto: CreateCategoryDto,
  ): Promise<AwardCategoryEntity> {
    return this.db.transaction(async () => {
      const edition = await this.editions.findEditionForUpdate(editionId);
      if (!edition) {
        throw new AwardsException(AwardsErrorCode.EditionNotFound, 'Edition not found');
      }
      if (edition.phase !== 'draft') {
        throw new AwardsException(
          AwardsErrorCode.WrongPhase,
          `Categories are added while the edition is a draft; it is in ${edition.phase}`,
        );
      }
      const fields: CategoryFields = {
        editionId,
        title: dto.title,
        description: dto.description ?? '',
        method: dto.method,
        methodConfig: { ...(dto.methodConfig ?? {}) },
        winners: dto.winners ?? 1,
        shortListSize: dto.shortListSize ?? null,
        criteria: (dto.criteria ?? []).map((k) => ({ ...k })),
        nominationsPerMember: dto.nominationsPerMember ?? 1,
        selfNominationAllowed: dto.selfNominationAllowed ?? false,
        resultsDisplay: dto.resultsDisplay ?? 'anonymised_jurors',
      };
      checkCategorySettings(fields);
      const category = await this.editions.insertCategory(fields);
      await this.audit.record({
        actor: user(caller),
        action: 'award.category_created',
        subjectType: 'award_category',
        subjectId: category.id,
        data: { ...fields },
      });
      return category;
    });
  }

  /**
   * Settings change while the edition is a draft; the results display may change until the
   * edition closes, since it only affects what is published.
   */
  async updateCategory(
    caller: AuthUser,
    id: string,
    dto: UpdateCategoryDto,
  ): Promise<AwardCategoryEntity> {
    return this.db.transaction(async () => {
      const current = await this.category(id);
      const edition = (await this.editions.findEditionForUpdate(current.editionId))!;
      const changes: Partial<Omit<CategoryFields, 'editionId'>> = {};
      for (const key of [
        'title',
        'description',
        'method',
        'winners',
        'shortListSize',
        'nominationsPerMember',
        'selfNominationAllowed',
        'resultsDisplay',
      ] as const) {
        if (dto[key] !== undefined) {
          (changes as Record<string, unknown>)[key] = dto[key];
        }
      }
      if (dto.methodConfig !== undefined) {
        changes.methodConfig = { ...dto.methodConfig };
      }
      if (dto.criteria !== undefined) {
        changes.criteria = dto.criteria.map((k) => ({ ...k }));
      }
      const onlyDisplay = Object.keys(changes).every((k) => k === 'resultsDisplay');
      if (edition.phase === 'closed' || (edition.phase !== 'draft' && !onlyDisplay)) {
        throw new AwardsException(
          AwardsErrorCode.WrongPhase,
          `The category's settings are fixed once the edition leaves draft (it is in ${edition.phase})`,
        );
      }
      checkCategorySettings({ ...current, ...changes });
      await this.editions.updateCategory(id, changes);
      await this.audit.record({
        actor: user(caller),
        action: 'award.category_updated',
        subjectType: 'award_category',
        subjectId: id,
        data: { changes },
      });
      return this.category(id);
    });
  }

  /** Ends nominations in one category before the edition's window closes. */
  async closeNominations(caller: AuthUser, id: string): Promise<AwardCategoryEntity> {
    return this.db.transaction(async () => {
      const category = await this.category(id);
      await this.editions.findEditionForUpdate(category.editionId);
      if (!category.nominationsClosed) {
        await this.editions.updateCategory(id, { nominationsClosed: true });
        await this.audit.record({
          actor: user(caller),
          action: 'award.category_nominations_closed',
          subjectType: 'award_category',
          subjectId: id,
        });
      }
      return this.category(id);
    });
  }
}

function checkWindow(f: Pick<EditionFields, 'nominationsOpenAt' | 'nominationsCloseAt'>): void {
  if (f.nominationsOpenAt && f.nominationsCloseAt && f.nominationsOpenAt >= f.nominationsCloseAt) {
    throw new AwardsException(
      AwardsErrorCode.InvalidConfiguration,
      'nominationsCloseAt must be after nominationsOpenAt',
    );
  }
}
