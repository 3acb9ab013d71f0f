import { Injectable } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import type { AuditEventEntity } from 'src/audit/entities/audit-event.entity';
import type { ResultManifest } from 'src/audit/manifest';
import type { PublicKeyInfo } from 'src/audit/signing';
import { EditionsRepository } from 'src/awards/editions.repository';
import type { AwardEditionEntity } from 'src/awards/entities/award-edition.entity';
import { RoundsRepository } from 'src/awards/rounds.repository';
import { AWARD_ROUND_CONTEST } from 'src/awards/rounds.service';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { type ElectionOutcome, protocolText } from 'src/elections/election-rules';
import { ElectionsRepository } from 'src/elections/elections.repository';
import { ELECTION_CONTEST } from 'src/elections/elections.service';
import type { MeetingEntity } from 'src/elections/entities/meeting.entity';
import { MeetingsRepository } from 'src/elections/meetings.repository';
import type { TallyResult } from 'src/tally';
import { canonicalJson } from 'src/tally/digest';
import type { TallyRunEntity } from 'src/tallying/entities/tally-run.entity';
import { type AuditBundle, BUNDLE_FORMAT, type BundleChainEntry } from './bundle';
import type { ResultPublicationEntity } from './entities/result-publication.entity';
import { PublicationsRepository } from './publications.repository';
import { ResultContests } from './result-contests';
import { ResultsErrorCode, ResultsException } from './results.exception';
import { SigningKeyService } from './signing-key.service';

/** A published result as the public sees it. */
export interface PublicResult {
  publication: ResultPublicationEntity;
  run: TallyRunEntity;
  title: string;
  candidates: { id: string; name: string }[];
  winners: { id: string; name: string }[];
  /** The minutes' text (elections). */
  protocol: string | null;
}

export interface MeetingResults {
  meeting: MeetingEntity;
  results: PublicResult[];
}

export interface EditionResults {
  edition: AwardEditionEntity;
  programTitle: string;
  /** Categories with at least one published round, each with its published rounds in order. */
  categories: { id: string; title: string; rounds: PublicResult[] }[];
}

const AUDIT_PAGE = 2000;

/**
 * Published results only. Anything not yet public (no result, certified under embargo) is
 * "not found", with the same answer as a contest that does not exist, so nothing leaks.
 */
@Injectable()
export class PublicResultsService {
  constructor(
    @InjectConfig() private readonly config: Config,
    private readonly publications: PublicationsRepository,
    private readonly contests: ResultContests,
    private readonly elections: ElectionsRepository,
    private readonly meetings: MeetingsRepository,
    private readonly editions: EditionsRepository,
    private readonly rounds: RoundsRepository,
    private readonly audit: AuditService,
    private readonly signing: SigningKeyService,
  ) {}

  signingKey(): PublicKeyInfo {
    return this.signing.publicKey();
  }

  async result(kind: string, contestId: string, now = new Date()): Promise<PublicResult> {
    const contest = this.contests.get(kind);
    const publication = await this.publications.findVisible(kind, contestId, now);
    const run = publication ? await this.publications.findRun(publication.runId) : null;
    if (!publication || !run) {
      throw new ResultsException(ResultsErrorCode.NotFound, 'No published result');
    }
    const candidates = await contest.candidateNames(contestId);
    const names = new Map(candidates.map((c) => [c.id, c.name]));
    return {
      publication,
      run,
      title: publication.manifest.contest.title,
      candidates,
      winners: (await contest.winners(contestId, run)).map((id) => ({
        id,
        name: names.get(id) ?? id,
      })),
      protocol: kind === ELECTION_CONTEST ? await this.electionProtocol(contestId, run) : null,
    };
  }

  async meetingResults(meetingId: string, now = new Date()): Promise<MeetingResults> {
    const meeting = await this.meetings.findById(meetingId);
    if (!meeting) {
      throw new ResultsException(ResultsErrorCode.NotFound, 'Meeting not found');
    }
    const results: PublicResult[] = [];
    for (const election of await this.elections.findAll(meetingId)) {
      if (await this.publications.findVisible(ELECTION_CONTEST, election.id, now)) {
        results.push(await this.result(ELECTION_CONTEST, election.id, now));
      }
    }
    return { meeting, results };
  }

  async editionResults(editionId: string, now = new Date()): Promise<EditionResults> {
    const edition = await this.editions.findEdition(editionId);
    if (!edition) {
      throw new ResultsException(ResultsErrorCode.NotFound, 'Edition not found');
    }
    const program = await this.editions.findProgram(edition.programId);
    const categories: EditionResults['categories'] = [];
    for (const category of await this.editions.findCategoriesOfEdition(editionId)) {
      const rounds: PublicResult[] = [];
      for (const round of await this.rounds.findRoundsOfCategory(category.id)) {
        if (await this.publications.findVisible(AWARD_ROUND_CONTEST, round.id, now)) {
          rounds.push(await this.result(AWARD_ROUND_CONTEST, round.id, now));
        }
      }
      if (rounds.length > 0) {
        categories.push({ id: category.id, title: category.title, rounds });
      }
    }
    return { edition, programTitle: program?.title ?? '', categories };
  }

  /** The manifest of a publication that is or was public; a withdrawn one stays available. */
  async manifest(publicationId: string, now = new Date()): Promise<ResultPublicationEntity> {
    const row = await this.publications.findById(publicationId);
    const wasPublic =
      row && (row.publishedAt !== null || (row.status !== 'withdrawn' && row.publishAt <= now));
    if (!row || !wasPublic) {
      throw new ResultsException(ResultsErrorCode.NotFound, 'No published manifest');
    }
    return row;
  }

  notices(): Promise<ResultPublicationEntity[]> {
    return this.publications.findWithdrawn();
  }

  async bundle(kind: string, contestId: string, now = new Date()): Promise<AuditBundle> {
    const { publication, run, candidates } = await this.result(kind, contestId, now);
    const contest = this.contests.get(kind);
    const frozen = await contest.source().load(contestId);
    const ballots = [...(contest.publicBallots(frozen.ballots) ?? frozen.ballots)].sort((a, b) => {
      const x = canonicalJson(a);
      const y = canonicalJson(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const manifest: ResultManifest = publication.manifest;
    return {
      format: BUNDLE_FORMAT,
      manifest,
      signature: publication.signature,
      publicKey: publication.publicKey,
      publication: {
        id: publication.id,
        status: publication.publishedAt ? publication.status : 'published',
        certifiedAt: publication.certifiedAt.toISOString(),
        publishedAt: (publication.publishedAt ?? publication.publishAt).toISOString(),
        withdrawnAt: publication.withdrawnAt?.toISOString() ?? null,
        withdrawalReason: publication.withdrawalReason,
      },
      candidates,
      ballots,
      receipts: await contest.receipts(contestId),
      participation: {
        count: frozen.participations,
        voters: this.config.audit.publishVoterList ? await contest.participants(contestId) : null,
      },
      report: { result: run.result as unknown as TallyResult, outcome: run.outcome },
      audit: { entries: await this.chainFor(kind, contestId) },
    };
  }

  /** The contest's events in full, other events between them as links only, up to the head. */
  private async chainFor(kind: string, contestId: string): Promise<BundleChainEntry[]> {
    const [first] = await this.audit.list({ subjectType: kind, subjectId: contestId, limit: 1 });
    if (!first) {
      return [];
    }
    const entries: BundleChainEntry[] = [];
    let after = (BigInt(first.seq) - 1n).toString();
    for (;;) {
      const page = await this.audit.list({ afterSeq: after, limit: AUDIT_PAGE });
      for (const event of page) {
        entries.push(toEntry(event, kind, contestId));
      }
      if (page.length < AUDIT_PAGE) {
        return entries;
      }
      after = page[page.length - 1].seq;
    }
  }

  private async electionProtocol(electionId: string, run: TallyRunEntity): Promise<string> {
    const election = await this.elections.findById(electionId);
    const meeting = election?.meetingId ? await this.meetings.findById(election.meetingId) : null;
    return protocolText(run.outcome as ElectionOutcome, meeting);
  }
}

function toEntry(event: AuditEventEntity, kind: string, contestId: string): BundleChainEntry {
  if (event.subjectType !== kind || event.subjectId !== contestId) {
    return { seq: event.seq, prevHash: event.prevHash, hash: event.hash, withheld: true };
  }
  return {
    seq: event.seq,
    occurredAt: event.occurredAt.toISOString(),
    actorKind: event.actorKind,
    actorId: event.actorId,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    data: event.data,
    prevHash: event.prevHash,
    hash: event.hash,
  };
}
