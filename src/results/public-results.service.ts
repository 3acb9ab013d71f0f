import { Injectable } from '@nestjs/common';
import type { TieDecision } from 'src/audit/manifest';
import type { PublicKeyInfo } from 'src/audit/signing';
import { EditionsRepository } from 'src/awards/editions.repository';
import type { AwardEditionEntity } from 'src/awards/entities/award-edition.entity';
import { RoundsRepository } from 'src/awards/rounds.repository';
import { AWARD_ROUND_CONTEST } from 'src/awards/rounds.service';
import { type ElectionOutcome, protocolText } from 'src/elections/election-rules';
import { ElectionsRepository } from 'src/elections/elections.repository';
import { ELECTION_CONTEST } from 'src/elections/elections.service';
import type { MeetingEntity } from 'src/elections/entities/meeting.entity';
import { MeetingsRepository } from 'src/elections/meetings.repository';
import type { TallyResult } from 'src/tally';
import type { TallyRunEntity } from 'src/tallying/entities/tally-run.entity';
import { applyDecision, applyDecisionToOutcome, type PublishedResult } from './decision';
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
  /** The result and outcome as published: the count with the signed decision applied. */
  result: PublishedResult;
  outcome: Record<string, unknown>;
  /** The signed decision that settled a tie, or null. */
  decision: TieDecision | null;
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

/**
 * Published results only. Anything not yet public (no result, certified under embargo) is
 * "not found", with the same answer as a contest that does not exist, so nothing leaks.
 */
@Injectable()
export class PublicResultsService {
  constructor(
    private readonly publications: PublicationsRepository,
    private readonly contests: ResultContests,
    private readonly elections: ElectionsRepository,
    private readonly meetings: MeetingsRepository,
    private readonly editions: EditionsRepository,
    private readonly rounds: RoundsRepository,
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
    const manifest = publication.manifest;
    // What the manifest signs; a publication certified before it signed winners is read as stored.
    const decision = manifest.decision ?? null;
    const winners = manifest.winners ?? (await contest.winners(contestId, run));
    return {
      publication,
      run,
      title: manifest.contest.title,
      candidates,
      winners: winners.map((id) => ({ id, name: names.get(id) ?? id })),
      result: applyDecision(run.result as unknown as TallyResult, decision),
      outcome: applyDecisionToOutcome(run.outcome, decision, winners),
      decision,
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

  /** The audit bundle exactly as frozen at certification. */
  async bundle(kind: string, contestId: string, now = new Date()): Promise<Buffer> {
    this.contests.get(kind);
    const publication = await this.publications.findVisible(kind, contestId, now);
    if (!publication) {
      throw new ResultsException(ResultsErrorCode.NotFound, 'No published result');
    }
    const bundle = await this.publications.findBundle(publication.id);
    if (!bundle) {
      throw new ResultsException(
        ResultsErrorCode.BundleMissing,
        'This result was certified before audit bundles were frozen; withdraw it and certify it again to publish its bundle',
      );
    }
    return bundle;
  }

  private async electionProtocol(electionId: string, run: TallyRunEntity): Promise<string> {
    const election = await this.elections.findById(electionId);
    const meeting = election?.meetingId ? await this.meetings.findById(election.meetingId) : null;
    return protocolText(run.outcome as ElectionOutcome, meeting);
  }
}
