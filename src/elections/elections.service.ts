import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Actor, AuditService } from 'src/audit/audit.service';
import type { AuthUser } from 'src/common/auth/auth-user';
import { Database, pgConstraint, pgErrorCode } from 'src/database/database';
import { MembersRepository } from 'src/members/members.repository';
import { merkleRoot } from 'src/tallying/merkle';
import { TallyingService } from 'src/tallying/tallying.service';
import { BallotsRepository } from './ballots.repository';
import { CandidatesRepository } from './candidates.repository';
import { CustodyService } from './custody.service';
import type {
  AddCandidateDto,
  ConsentDto,
  NominateCandidateDto,
  AddRollEntryDto,
  CreateElectionDto,
  RemoveRollEntryDto,
  UpdateElectionDto,
} from './dto/election.dto';
import type { CandidateEntity } from './entities/candidate.entity';
import type { CloseSnapshot, ElectionEntity } from './entities/election.entity';
import { checkSettings, quorumStatus } from './election-rules';
import { sealedDigest } from './ballot-sealing';
import { ElectionsErrorCode, ElectionsException } from './elections.exception';
import { ElectionFields, ElectionsRepository } from './elections.repository';
import { MeetingsRepository } from './meetings.repository';
import { meetingDate } from './meetings.service';
import { RollRow, VoterRollRepository } from './voter-roll.repository';

import { ELECTION_CONTEST } from 'src/tallying/contest-kinds';

export { ELECTION_CONTEST };

function userActor(caller: AuthUser): Actor {
  return { kind: 'user', id: caller.id };
}

/** The election's lifecycle: configuration while draft, open (roll freeze), close (freeze and enqueue the tally). */
@Injectable()
export class ElectionsService {
  private readonly logger = new Logger(ElectionsService.name);

  constructor(
    private readonly db: Database,
    private readonly elections: ElectionsRepository,
    private readonly candidates: CandidatesRepository,
    private readonly roll: VoterRollRepository,
    private readonly ballots: BallotsRepository,
    private readonly meetings: MeetingsRepository,
    private readonly members: MembersRepository,
    private readonly tallying: TallyingService,
    private readonly custody: CustodyService,
    private readonly audit: AuditService,
  ) {}

  async get(id: string): Promise<ElectionEntity> {
    const election = await this.elections.findById(id);
    if (!election) {
      throw new ElectionsException(ElectionsErrorCode.NotFound, 'Election not found');
    }
    return election;
  }

  async getWithCandidates(id: string): Promise<[ElectionEntity, CandidateEntity[]]> {
    const election = await this.get(id);
    return [election, await this.candidates.findByElection(id)];
  }

  async list(meetingId?: string): Promise<[ElectionEntity, CandidateEntity[]][]> {
    const all = await this.elections.findAll(meetingId);
    return Promise.all(
      all.map(
        async (e) =>
          [e, await this.candidates.findByElection(e.id)] as [ElectionEntity, CandidateEntity[]],
      ),
    );
  }

  async create(caller: AuthUser, dto: CreateElectionDto): Promise<ElectionEntity> {
    if (dto.meetingId && !(await this.meetings.findById(dto.meetingId))) {
      throw new ElectionsException(ElectionsErrorCode.MeetingNotFound, 'Meeting not found');
    }
    const fields: ElectionFields = {
      meetingId: dto.meetingId ?? null,
      office: dto.office,
      seats: dto.seats ?? 1,
      method: dto.method,
      methodConfig: dto.methodConfig ?? {},
      thresholdRule: dto.thresholdRule ? { ...dto.thresholdRule } : { kind: 'none' },
      blankAllowed: dto.blankAllowed ?? true,
      registeredOnly: dto.registeredOnly ?? false,
      rollDate: dto.rollDate ?? null,
      opensAt: dto.opensAt ? new Date(dto.opensAt) : null,
      closesAt: dto.closesAt ? new Date(dto.closesAt) : null,
      tieBreakSeed: dto.tieBreakSeed ?? randomBytes(16).toString('hex'),
    };
    this.checkFields(fields);
    return this.db.transaction(async () => {
      const election = await this.elections.insert(fields);
      await this.custody.createCustodialKey(election.id);
      await this.audit.record({
        actor: userActor(caller),
        action: 'election.created',
        subjectType: 'election',
        subjectId: election.id,
        data: {
          ...fields,
          opensAt: fields.opensAt?.toISOString() ?? null,
          closesAt: fields.closesAt?.toISOString() ?? null,
        },
      });
      return election;
    });
  }

  async update(caller: AuthUser, id: string, dto: UpdateElectionDto): Promise<ElectionEntity> {
    return this.db.transaction(async () => {
      await this.db.lock('election', id);
      const current = await this.draft(id);
      const changes: Partial<ElectionFields> = {};
      for (const key of [
        'office',
        'seats',
        'method',
        'methodConfig',
        'blankAllowed',
        'registeredOnly',
        'rollDate',
      ] as const) {
        if (dto[key] !== undefined) {
          (changes as Record<string, unknown>)[key] = dto[key];
        }
      }
      if (dto.thresholdRule !== undefined) {
        changes.thresholdRule = { ...dto.thresholdRule };
      }
      if (dto.opensAt !== undefined) {
        changes.opensAt = dto.opensAt === null ? null : new Date(dto.opensAt);
      }
      if (dto.closesAt !== undefined) {
        changes.closesAt = dto.closesAt === null ? null : new Date(dto.closesAt);
      }
      this.checkFields({ ...current, ...changes });
      await this.elections.update(id, changes);
      await this.audit.record({
        actor: userActor(caller),
        action: 'election.updated',
        subjectType: 'election',
        subjectId: id,
        data: { changes },
      });
      return this.get(id);
    });
  }

  async addCandidate(caller: AuthUser, id: string, dto: AddCandidateDto): Promise<CandidateEntity> {
    try {
      return await this.db.transaction(async () => {
        await this.db.lock('election', id);
        await this.draft(id);
        const member = await this.members.findById(dto.memberId);
        if (!member) {
          throw new ElectionsException(ElectionsErrorCode.MemberNotFound, 'Member not found');
        }
        const candidate = await this.candidates.insert({
          electionId: id,
          memberId: member.id,
          name: member.name,
          statement: dto.statement ?? null,
        });
        await this.audit.record({
          actor: userActor(caller),
          action: 'election.candidate_added',
          subjectType: 'election',
          subjectId: id,
          data: { candidateId: candidate.id, memberId: member.id, name: member.name },
        });
        return candidate;
      });
    } catch (error) {
      throw asCandidateConflict(error);
    }
  }

  /**
   * A member nominates a member. The nominee has to consent before standing; a member nominating
   * themselves consents by doing so.
   */
  async nominate(
    caller: AuthUser,
    id: string,
    dto: NominateCandidateDto,
  ): Promise<CandidateEntity> {
    try {
      return await this.db.transaction(async () => {
        await this.db.lock('election', id);
        await this.draft(id);
        const acting = (await this.members.findActingFor(caller.id)).filter(
          (m) => m.status === 'active',
        );
        const nominator = dto.nominatorMemberId
          ? acting.find((m) => m.id === dto.nominatorMemberId)
          : acting.length === 1
            ? acting[0]
            : undefined;
        if (!nominator) {
          throw acting.length > 1 && !dto.nominatorMemberId
            ? new ElectionsException(
                ElectionsErrorCode.ChooseMember,
                'You act for several members: give nominatorMemberId',
              )
            : new ElectionsException(
                ElectionsErrorCode.NotAMember,
                'Only an active member can nominate',
              );
        }
        const nominee = await this.members.findById(dto.memberId);
        if (!nominee) {
          throw new ElectionsException(ElectionsErrorCode.MemberNotFound, 'Member not found');
        }
        if (nominee.status !== 'active') {
          throw new ElectionsException(
            ElectionsErrorCode.NomineeNotEligible,
            'Only an active member can be nominated',
          );
        }
        const self = nominee.id === nominator.id;
        const candidate = await this.candidates.insert({
          electionId: id,
          memberId: nominee.id,
          name: nominee.name,
          statement: dto.statement ?? null,
          status: self ? 'standing' : 'nominated',
          nominatedByMemberId: nominator.id,
          consentedAt: self ? new Date() : null,
        });
        await this.audit.record({
          actor: userActor(caller),
          action: 'election.candidate_nominated',
          subjectType: 'election',
          subjectId: id,
          data: {
            candidateId: candidate.id,
            memberId: nominee.id,
            nominatedBy: nominator.id,
            consented: self,
          },
        });
        return candidate;
      });
    } catch (error) {
      throw asCandidateConflict(error);
    }
  }

  /** The nominee (or, for a corporate member, its delegate) accepts or declines while the election is a draft. */
  async answerNomination(
    caller: AuthUser,
    id: string,
    candidateId: string,
    dto: ConsentDto,
  ): Promise<CandidateEntity> {
    return this.db.transaction(async () => {
      await this.db.lock('election', id);
      await this.draft(id);
      const candidate = await this.candidates.findById(candidateId);
      if (!candidate || candidate.electionId !== id) {
        throw new ElectionsException(
          ElectionsErrorCode.CandidateNotFound,
          'Candidate not found in this election',
        );
      }
      const acting = await this.members.findActingFor(caller.id);
      if (!acting.some((m) => m.id === candidate.memberId)) {
        throw new ElectionsException(
          ElectionsErrorCode.NotTheNominee,
          'Only the nominee can answer a nomination',
        );
      }
      if (candidate.status !== 'nominated') {
        throw new ElectionsException(
          ElectionsErrorCode.NotAwaitingConsent,
          `The nomination is ${candidate.status}`,
        );
      }
      await this.candidates.recordAnswer(candidateId, dto.accept, new Date(), dto.statement);
      await this.audit.record({
        actor: userActor(caller),
        action: dto.accept ? 'election.candidate_consented' : 'election.candidate_declined',
        subjectType: 'election',
        subjectId: id,
        data: { candidateId },
      });
      return (await this.candidates.findById(candidateId))!;
    });
  }

  async withdrawCandidate(
    caller: AuthUser,
    id: string,
    candidateId: string,
  ): Promise<CandidateEntity> {
    return this.db.transaction(async () => {
      await this.db.lock('election', id);
      await this.draft(id);
      const candidate = await this.candidates.findById(candidateId);
      if (!candidate || candidate.electionId !== id) {
        throw new ElectionsException(
          ElectionsErrorCode.CandidateNotFound,
          'Candidate not found in this election',
        );
      }
      await this.candidates.updateStatus(candidateId, 'withdrawn');
      await this.audit.record({
        actor: userActor(caller),
        action: 'election.candidate_withdrawn',
        subjectType: 'election',
        subjectId: id,
        data: { candidateId },
      });
      return { ...candidate, status: 'withdrawn' };
    });
  }

  /** Opens voting and freezes the voter roll from the eligibility rules; the configuration is fixed from here on. */
  async open(actor: Actor, id: string, now = new Date()): Promise<ElectionEntity> {
    return this.db.transaction(async () => {
      await this.db.lock('election', id);
      const election = await this.elections.findByIdForTransition(id);
      if (!election) {
        throw new ElectionsException(ElectionsErrorCode.NotFound, 'Election not found');
      }
      if (election.status !== 'draft') {
        throw new ElectionsException(
          ElectionsErrorCode.WrongStatus,
          `The election is ${election.status}, not draft`,
        );
      }
      const standing = await this.candidates.findStanding(id);
      if (election.method === 'yes_no' ? standing.length !== 1 : standing.length === 0) {
        throw new ElectionsException(
          ElectionsErrorCode.NotReady,
          election.method === 'yes_no'
            ? 'A yes/no election needs exactly one candidate'
            : 'The election has no candidates',
        );
      }
      await this.custody.checkReadyToOpen(election);
      const rollDate = election.rollDate ?? now.toISOString().slice(0, 10);
      await this.roll.freeze(id, rollDate, election.registeredOnly ? election.meetingId : null);
      const roll = await this.roll.countActive(id);
      await this.elections.updateState(id, { status: 'open', openedAt: now });
      await this.audit.record({
        actor,
        action: 'election.opened',
        subjectType: 'election',
        subjectId: id,
        data: {
          rollDate,
          rollSize: roll.size,
          rollWeight: roll.weight,
          tieBreakSeed: election.tieBreakSeed,
          candidates: standing.map((c) => ({ id: c.id, name: c.name })),
        },
      });
      return this.get(id);
    });
  }

  /**
   * Closes voting: waits for casts in flight (they hold a share lock on the election row), then
   * freezes the sealed ballots (their digest), fixes the Merkle root over the receipts and writes
   * the close, its audit event and, where the server can open the ballots (custodial), the tally
   * job in one transaction; a commission's shares start the tally later.
   */
  async close(actor: Actor, id: string): Promise<ElectionEntity> {
    return this.db.transaction(async () => {
      await this.db.lock('election', id);
      const election = await this.elections.findByIdForTransition(id);
      if (!election) {
        throw new ElectionsException(ElectionsErrorCode.NotFound, 'Election not found');
      }
      if (election.status !== 'open') {
        throw new ElectionsException(
          ElectionsErrorCode.WrongStatus,
          `The election is ${election.status}, not open`,
        );
      }
      const closedAt = await this.db.clock();
      const sealed = await this.ballots.findSealed(id);
      const receipts = sealed.map((b) => b.receipt);
      const participations = await this.ballots.countParticipations(id);
      const roll = await this.roll.countActive(id);
      let registered: number | null = null;
      let quorum: CloseSnapshot['quorum'] = null;
      if (election.meetingId) {
        const meeting = (await this.meetings.findById(election.meetingId))!;
        const day = meetingDate(meeting);
        registered = await this.meetings.countRegisteredVoters(meeting.id, day);
        if (meeting.quorumKind !== 'none') {
          quorum = quorumStatus(meeting, await this.meetings.countVotingMembers(day), registered);
        }
      }
      const root = merkleRoot(receipts);
      const digest = sealedDigest(sealed);
      const snapshot: CloseSnapshot = {
        rollSize: roll.size,
        rollWeight: roll.weight,
        participations,
        ballots: receipts.length,
        registered,
        quorum,
        sealedDigest: digest,
      };
      await this.elections.updateState(id, {
        status: 'closed',
        closedAt,
        merkleRoot: root,
        closeSnapshot: snapshot,
      });
      await this.audit.record({
        actor,
        action: 'election.closed',
        subjectType: 'election',
        subjectId: id,
        data: { merkleRoot: root, ...snapshot },
      });
      if (this.custody.canOpenAtClose(election, sealed.length)) {
        await this.tallying.enqueue({
          contestKind: ELECTION_CONTEST,
          contestId: id,
          inputDigest: digest,
        });
      }
      if (receipts.length !== participations) {
        this.logger.error(
          { election: id, ballots: receipts.length, participations },
          'ballot and participation counts differ at close',
        );
      }
      return this.get(id);
    });
  }

  async rollRows(id: string): Promise<RollRow[]> {
    await this.get(id);
    return this.roll.findRows(id);
  }

  /** An admin puts a member on the frozen roll while voting is open, with a reason on the record. */
  async addRollEntry(caller: AuthUser, id: string, dto: AddRollEntryDto): Promise<void> {
    await this.db.transaction(async () => {
      await this.lockOpen(id);
      const member = await this.members.findById(dto.memberId);
      if (!member) {
        throw new ElectionsException(ElectionsErrorCode.MemberNotFound, 'Member not found');
      }
      const voterUserId = member.kind === 'corporate' ? member.delegateUserId : member.userId;
      const existing = await this.roll.findEntry(id, member.id);
      if (existing && !existing.removedAt) {
        throw new ElectionsException(
          ElectionsErrorCode.RollEntryExists,
          'The member is already on the roll',
        );
      }
      if (existing) {
        await this.roll.restore(id, member.id, voterUserId, member.voteWeight);
      } else {
        await this.roll.insert({
          electionId: id,
          memberId: member.id,
          voterUserId,
          weight: member.voteWeight,
          source: 'admin',
        });
      }
      await this.audit.record({
        actor: userActor(caller),
        action: 'election.roll_entry_added',
        subjectType: 'election',
        subjectId: id,
        data: { memberId: member.id, weight: member.voteWeight, reason: dto.reason },
      });
    });
  }

  /** Takes a member off the roll while voting is open, with a reason; refused once they have voted. */
  async removeRollEntry(
    caller: AuthUser,
    id: string,
    memberId: string,
    dto: RemoveRollEntryDto,
  ): Promise<void> {
    await this.db.transaction(async () => {
      await this.lockOpen(id);
      const entry = await this.roll.findEntry(id, memberId);
      if (!entry || entry.removedAt) {
        throw new ElectionsException(
          ElectionsErrorCode.RollEntryNotFound,
          'The member is not on the roll',
        );
      }
      const rows = await this.roll.findRows(id);
      if (rows.find((r) => r.memberId === memberId)?.voted) {
        throw new ElectionsException(
          ElectionsErrorCode.AlreadyVoted,
          'The member has already voted; a cast ballot cannot be withdrawn',
        );
      }
      await this.roll.markRemoved(id, memberId, dto.reason);
      await this.audit.record({
        actor: userActor(caller),
        action: 'election.roll_entry_removed',
        subjectType: 'election',
        subjectId: id,
        data: { memberId, reason: dto.reason },
      });
    });
  }

  /** Roll changes wait for casts in flight and exclude the close. */
  private async lockOpen(id: string): Promise<ElectionEntity> {
    await this.db.lock('election', id);
    const election = await this.elections.findByIdForTransition(id);
    if (!election) {
      throw new ElectionsException(ElectionsErrorCode.NotFound, 'Election not found');
    }
    if (election.status !== 'open') {
      throw new ElectionsException(
        ElectionsErrorCode.WrongStatus,
        'The roll can change only while the election is open',
      );
    }
    return election;
  }

  private async draft(id: string): Promise<ElectionEntity> {
    const election = await this.get(id);
    if (election.status !== 'draft') {
      throw new ElectionsException(
        ElectionsErrorCode.ConfigurationFrozen,
        `The election is ${election.status}; its configuration is frozen`,
      );
    }
    return election;
  }

  private checkFields(f: ElectionFields): void {
    if (f.opensAt && f.closesAt && f.opensAt >= f.closesAt) {
      throw new ElectionsException(
        ElectionsErrorCode.InvalidConfiguration,
        'closesAt must be after opensAt',
      );
    }
    if (f.registeredOnly && !f.meetingId) {
      throw new ElectionsException(
        ElectionsErrorCode.InvalidConfiguration,
        'registeredOnly needs a meeting',
      );
    }
    checkSettings(f);
  }
}

/** A second candidacy of one member in one election is refused by the database's unique key. */
function asCandidateConflict(error: unknown): unknown {
  if (pgErrorCode(error) === '23505' && pgConstraint(error) === 'candidate_election_member_uq') {
    return new ElectionsException(
      ElectionsErrorCode.CandidateExists,
      'This member is already a candidate in this election',
    );
  }
  return error;
}
