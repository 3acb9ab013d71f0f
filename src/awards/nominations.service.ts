import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ANONYMOUS, Actor, AuditService } from 'src/audit/audit.service';
import type { AuthUser } from 'src/common/auth/auth-user';
import { Database } from 'src/database/database';
import { MembersRepository } from 'src/members/members.repository';
import type { MemberEntity } from 'src/members/entities/member.entity';
import { AwardsErrorCode, AwardsException } from './awards.exception';
import type { CreateNominationDto } from './dto/nomination.dto';
import type { AwardCategoryEntity } from './entities/award-category.entity';
import type { AwardNominationEntity } from './entities/award-nomination.entity';
import type { AwardNomineeEntity } from './entities/award-nominee.entity';
import { EditionsRepository } from './editions.repository';
import { JuryService } from './jury.service';
import { NominationsRepository } from './nominations.repository';

const user = (caller: AuthUser): Actor => ({ kind: 'user', id: caller.id });

export function consentTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Members' nominations, the admins' screening of them, and the nominees' consent. */
@Injectable()
export class NominationsService {
  constructor(
    private readonly db: Database,
    private readonly nominations: NominationsRepository,
    private readonly editions: EditionsRepository,
    private readonly members: MembersRepository,
    private readonly juries: JuryService,
    private readonly audit: AuditService,
  ) {}

  /** A member nominates while the edition takes nominations and the category is not closed. */
  async nominate(
    caller: AuthUser,
    categoryId: string,
    dto: CreateNominationDto,
    now = new Date(),
  ): Promise<AwardNominationEntity> {
    const member = await this.actingMember(caller, dto.memberId);
    return this.db.transaction(async () => {
      const category = await this.editions.findCategory(categoryId);
      if (!category) {
        throw new AwardsException(AwardsErrorCode.CategoryNotFound, 'Category not found');
      }
      const edition = (await this.editions.findEditionForShare(category.editionId))!;
      const closedBecause =
        edition.phase !== 'nominations'
          ? `the edition is in ${edition.phase}, not taking nominations`
          : edition.nominationsOpenAt && now < edition.nominationsOpenAt
            ? 'nominations have not opened yet'
            : edition.nominationsCloseAt && now >= edition.nominationsCloseAt
              ? 'nominations have closed'
              : category.nominationsClosed
                ? 'nominations in this category are closed'
                : null;
      if (closedBecause) {
        throw new AwardsException(AwardsErrorCode.NominationsClosed, `Refused: ${closedBecause}`);
      }
      if (dto.selfNomination && !category.selfNominationAllowed) {
        throw new AwardsException(
          AwardsErrorCode.SelfNominationNotAllowed,
          'This category does not accept self-nominations',
        );
      }
      await this.db.lock('award_nomination', `${categoryId}.${member.id}`);
      const count = await this.nominations.countActiveByMember(categoryId, member.id);
      if (count >= category.nominationsPerMember) {
        throw new AwardsException(
          AwardsErrorCode.NominationLimit,
          `A member may make ${category.nominationsPerMember} nomination(s) in this category`,
          { limit: category.nominationsPerMember },
        );
      }
      const described = {
        name: dto.nomineeName,
        organisation: dto.organisation ?? null,
        description: dto.description ?? '',
        links: dto.links ?? [],
      };
      const nominee = await this.nominations.insertNominee({ categoryId, ...described });
      const nomination = await this.nominations.insertNomination({
        categoryId,
        nomineeId: nominee.id,
        memberId: member.id,
        submittedBy: caller.id,
        nomineeName: described.name,
        organisation: described.organisation,
        description: described.description,
        links: described.links,
        selfNomination: dto.selfNomination ?? false,
      });
      await this.audit.record({
        actor: user(caller),
        action: 'award.nomination_submitted',
        subjectType: 'award_category',
        subjectId: categoryId,
        data: { nominationId: nomination.id, nomineeId: nominee.id, memberId: member.id },
      });
      return nomination;
    });
  }

  /** The nominations of every member the caller acts for. */
  async mine(caller: AuthUser): Promise<AwardNominationEntity[]> {
    const members = await this.members.findActingFor(caller.id);
    return this.nominations.findNominationsOfMembers(members.map((m) => m.id));
  }

  /** A member withdraws their own nomination while nominations are open. */
  async withdraw(caller: AuthUser, id: string): Promise<AwardNominationEntity> {
    return this.db.transaction(async () => {
      const nomination = await this.nominations.findNomination(id);
      const acting = await this.members.findActingFor(caller.id);
      if (!nomination || !acting.some((m) => m.id === nomination.memberId)) {
        throw new AwardsException(AwardsErrorCode.NominationNotFound, 'Nomination not found');
      }
      const category = (await this.editions.findCategory(nomination.categoryId))!;
      const edition = (await this.editions.findEditionForShare(category.editionId))!;
      if (edition.phase !== 'nominations') {
        throw new AwardsException(
          AwardsErrorCode.NominationsClosed,
          `Refused: the edition is in ${edition.phase}; nominations can no longer be withdrawn`,
        );
      }
      if (nomination.status === 'withdrawn') {
        return nomination;
      }
      await this.nominations.withdrawNomination(id);
      const nominee = (await this.nominations.findNomineeForUpdate(nomination.nomineeId))!;
      const remaining = await this.nominations.countActiveForNominee(nominee.id);
      if (remaining === 0 && nominee.status === 'submitted') {
        await this.nominations.updateNominee(nominee.id, {
          status: 'withdrawn',
          statusReason: 'every nomination was withdrawn',
        });
      }
      await this.audit.record({
        actor: user(caller),
        action: 'award.nomination_withdrawn',
        subjectType: 'award_category',
        subjectId: nomination.categoryId,
        data: { nominationId: id, nomineeId: nominee.id, nomineeWithdrawn: remaining === 0 },
      });
      return (await this.nominations.findNomination(id))!;
    });
  }

  async screeningList(
    categoryId: string,
  ): Promise<{ nominees: AwardNomineeEntity[]; nominations: AwardNominationEntity[] }> {
    await this.category(categoryId);
    return {
      nominees: await this.nominations.findNomineesOfCategory(categoryId),
      nominations: await this.nominations.findNominationsOfCategory(categoryId),
    };
  }

  async nomineeWithNominations(
    id: string,
  ): Promise<{ nominee: AwardNomineeEntity; nominations: AwardNominationEntity[] }> {
    const nominee = await this.nominations.findNominee(id);
    if (!nominee) {
      throw new AwardsException(AwardsErrorCode.NomineeNotFound, 'Nominee not found');
    }
    const nominations = await this.nominations.findNominationsOfCategory(nominee.categoryId);
    return { nominee, nominations };
  }

  /** Folds a duplicate into the surviving nominee; every nomination is kept and re-pointed. */
  async merge(caller: AuthUser, id: string, intoId: string): Promise<AwardNomineeEntity> {
    return this.db.transaction(async () => {
      const [source, target] = await this.screenable(id, intoId);
      if (source.id === target.id || source.categoryId !== target.categoryId) {
        throw new AwardsException(
          AwardsErrorCode.WrongNomineeStatus,
          'A nominee merges into another nominee of the same category',
        );
      }
      const moved = await this.nominations.moveNominations(source.id, target.id);
      await this.nominations.updateNominee(source.id, {
        status: 'merged',
        mergedIntoId: target.id,
        statusReason: `merged into ${target.name}`,
      });
      await this.audit.record({
        actor: user(caller),
        action: 'award.nominee_merged',
        subjectType: 'award_category',
        subjectId: source.categoryId,
        data: { nomineeId: source.id, intoNomineeId: target.id, nominationsMoved: moved },
      });
      return (await this.nominations.findNominee(target.id))!;
    });
  }

  async accept(caller: AuthUser, id: string): Promise<AwardNomineeEntity> {
    return this.decide(caller, id, 'accepted', null);
  }

  async reject(caller: AuthUser, id: string, reason: string): Promise<AwardNomineeEntity> {
    return this.decide(caller, id, 'rejected', reason);
  }

  /** Issues a consent link; the token is returned once and only its hash is kept. */
  async requestConsent(
    caller: AuthUser,
    id: string,
  ): Promise<{ nominee: AwardNomineeEntity; token: string }> {
    return this.db.transaction(async () => {
      const [nominee] = await this.screenable(id);
      if (nominee.status !== 'submitted' && nominee.status !== 'accepted') {
        throw new AwardsException(
          AwardsErrorCode.WrongNomineeStatus,
          `Consent is asked of a submitted or accepted nominee; this one is ${nominee.status}`,
        );
      }
      if (nominee.consentStatus === 'given' || nominee.consentStatus === 'declined') {
        throw new AwardsException(
          AwardsErrorCode.WrongNomineeStatus,
          `The nominee has already ${nominee.consentStatus === 'given' ? 'given' : 'declined'} consent`,
        );
      }
      const token = randomBytes(32).toString('base64url');
      await this.nominations.updateNominee(id, {
        consentStatus: 'requested',
        consentTokenHash: consentTokenHash(token),
      });
      await this.audit.record({
        actor: user(caller),
        action: 'award.consent_requested',
        subjectType: 'award_category',
        subjectId: nominee.categoryId,
        data: { nomineeId: id },
      });
      return { nominee: (await this.nominations.findNominee(id))!, token };
    });
  }

  async consentView(
    token: string,
  ): Promise<{ nominee: AwardNomineeEntity; category: AwardCategoryEntity }> {
    const nominee = await this.nominations.findNomineeByConsentToken(consentTokenHash(token));
    if (!nominee) {
      throw new AwardsException(AwardsErrorCode.ConsentNotFound, 'Consent request not found');
    }
    return { nominee, category: (await this.editions.findCategory(nominee.categoryId))! };
  }

  /** The nominee answers through the link; declining withdraws the nominee. Single use. */
  async answerConsent(token: string, decision: 'give' | 'decline'): Promise<AwardNomineeEntity> {
    return this.db.transaction(async () => {
      const found = await this.nominations.findNomineeByConsentToken(consentTokenHash(token));
      const nominee = found ? await this.nominations.findNomineeForUpdate(found.id) : null;
      if (!nominee || nominee.consentStatus !== 'requested') {
        throw new AwardsException(
          AwardsErrorCode.ConsentNotFound,
          'Consent request not found or already answered',
        );
      }
      const declined = decision === 'decline';
      await this.nominations.updateNominee(nominee.id, {
        consentStatus: declined ? 'declined' : 'given',
        ...(declined ? { status: 'withdrawn', statusReason: 'the nominee declined consent' } : {}),
      });
      await this.audit.record({
        actor: ANONYMOUS,
        action: declined ? 'award.consent_declined' : 'award.consent_given',
        subjectType: 'award_category',
        subjectId: nominee.categoryId,
        data: { nomineeId: nominee.id },
      });
      return (await this.nominations.findNominee(nominee.id))!;
    });
  }

  private async decide(
    caller: AuthUser,
    id: string,
    status: 'accepted' | 'rejected',
    reason: string | null,
  ): Promise<AwardNomineeEntity> {
    return this.db.transaction(async () => {
      const [nominee] = await this.screenable(id);
      if (nominee.status !== 'submitted') {
        throw new AwardsException(
          AwardsErrorCode.WrongNomineeStatus,
          `Only a submitted nominee is screened; this one is ${nominee.status}`,
        );
      }
      if (status === 'accepted' && nominee.consentStatus === 'declined') {
        throw new AwardsException(AwardsErrorCode.WrongNomineeStatus, 'The nominee declined');
      }
      await this.nominations.updateNominee(id, { status, statusReason: reason });
      await this.audit.record({
        actor: user(caller),
        action: status === 'accepted' ? 'award.nominee_accepted' : 'award.nominee_rejected',
        subjectType: 'award_category',
        subjectId: nominee.categoryId,
        data: { nomineeId: id, ...(reason ? { reason } : {}) },
      });
      if (status === 'accepted') {
        await this.juries.detect(nominee.categoryId);
      }
      return (await this.nominations.findNominee(id))!;
    });
  }

  /**
   * Screening happens while nominations run and during screening. The edition is locked before
   * the nominees (in id order), the same order as a phase change, so the two cannot deadlock.
   */
  private async screenable(...ids: string[]): Promise<AwardNomineeEntity[]> {
    const first = await this.nominations.findNominee(ids[0]);
    if (!first) {
      throw new AwardsException(AwardsErrorCode.NomineeNotFound, 'Nominee not found');
    }
    const category = (await this.editions.findCategory(first.categoryId))!;
    const edition = (await this.editions.findEditionForShare(category.editionId))!;
    if (edition.phase !== 'nominations' && edition.phase !== 'screening') {
      throw new AwardsException(
        AwardsErrorCode.WrongPhase,
        `Screening happens during nominations and screening; the edition is in ${edition.phase}`,
      );
    }
    const locked = new Map<string, AwardNomineeEntity>();
    for (const id of [...new Set(ids)].sort()) {
      const nominee = await this.nominations.findNomineeForUpdate(id);
      if (!nominee) {
        throw new AwardsException(AwardsErrorCode.NomineeNotFound, 'Nominee not found');
      }
      locked.set(id, nominee);
    }
    return ids.map((id) => locked.get(id)!);
  }

  private async category(id: string): Promise<AwardCategoryEntity> {
    const category = await this.editions.findCategory(id);
    if (!category) {
      throw new AwardsException(AwardsErrorCode.CategoryNotFound, 'Category not found');
    }
    return category;
  }

  private async actingMember(caller: AuthUser, memberId?: string): Promise<MemberEntity> {
    const acting = (await this.members.findActingFor(caller.id)).filter(
      (m) => m.status === 'active',
    );
    if (memberId) {
      const member = acting.find((m) => m.id === memberId);
      if (!member) {
        throw new AwardsException(AwardsErrorCode.NotAMember, 'You do not act for that member');
      }
      return member;
    }
    if (acting.length === 0) {
      throw new AwardsException(AwardsErrorCode.NotAMember, 'Only an active member can nominate');
    }
    if (acting.length > 1) {
      throw new AwardsException(
        AwardsErrorCode.ChooseMember,
        'You act for several members: say which one nominates (memberId)',
      );
    }
    return acting[0];
  }
}
