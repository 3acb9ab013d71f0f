import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AuditService, SYSTEM, type Actor } from 'src/audit/audit.service';
import {
  MANIFEST_FORMAT,
  manifestBytes,
  manifestDigest,
  type ResultManifest,
} from 'src/audit/manifest';
import { signBytes } from 'src/audit/signing';
import { UsersRepository } from 'src/auth/users.repository';
import type { AuthUser } from 'src/common/auth/auth-user';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { Database } from 'src/database/database';
import { JobName, jobId } from 'src/jobs/job-catalogue';
import { JobsService } from 'src/jobs/jobs.service';
import { tally } from 'src/tally';
import { digest } from 'src/tally/digest';
import type { TallyRunEntity } from 'src/tallying/entities/tally-run.entity';
import { inputDigest } from 'src/tallying/input-digest';
import { TallyingService } from 'src/tallying/tallying.service';
import type { ResultPublicationEntity } from './entities/result-publication.entity';
import { PublicationsRepository } from './publications.repository';
import { ResultContests } from './result-contests';
import { ResultsErrorCode, ResultsException } from './results.exception';
import { SigningKeyService } from './signing-key.service';

export interface ResultStatus {
  run: TallyRunEntity | null;
  publications: ResultPublicationEntity[];
}

export interface RetallyReport {
  runId: string;
  inputDigest: string;
  storedOutputDigest: string;
  recomputedOutputDigest: string;
  identical: boolean;
}

const userActor = (caller: AuthUser): Actor => ({ kind: 'user', id: caller.id });

/** computed → certified (signed manifest, optional embargo) → published; withdrawal with a reason. */
@Injectable()
export class PublicationService {
  private readonly logger = new Logger(PublicationService.name);

  constructor(
    @InjectConfig() private readonly config: Config,
    private readonly db: Database,
    private readonly publications: PublicationsRepository,
    private readonly contests: ResultContests,
    private readonly tallying: TallyingService,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    private readonly signing: SigningKeyService,
  ) {}

  async status(kind: string, contestId: string): Promise<ResultStatus> {
    this.contests.get(kind);
    return {
      run: await this.tallying.latestRun(kind, contestId),
      publications: await this.publications.findForContest(kind, contestId),
    };
  }

  async certify(
    caller: AuthUser,
    kind: string,
    contestId: string,
    embargoUntil: Date | undefined,
    now = new Date(),
  ): Promise<ResultPublicationEntity> {
    const contest = this.contests.get(kind);
    if (embargoUntil && embargoUntil.getTime() <= now.getTime()) {
      throw new ResultsException(
        ResultsErrorCode.EmbargoInPast,
        'The embargo must be in the future',
      );
    }
    // Before the transaction: in production without a key, refuse clearly and change nothing.
    const key = this.signing.privateKey();
    const keyInfo = this.signing.publicKey();
    const id = await this.db.transaction(async () => {
      await this.db.lock('contest', `${kind}.${contestId}`);
      const run = await this.tallying.latestRun(kind, contestId);
      if (!run) {
        throw new ResultsException(
          ResultsErrorCode.NotTallied,
          'There is no computed result to certify',
        );
      }
      if (await this.publications.findLive(kind, contestId)) {
        throw new ResultsException(
          ResultsErrorCode.AlreadyCertified,
          'This result is already certified; withdraw it first to certify again',
        );
      }
      await this.checkCertifier(caller, kind, contestId, contest.closeAction);
      await contest.checkFinal(contestId);
      const frozen = await contest.source().load(contestId);
      const published = contest.publicBallots(frozen.ballots);
      const head = await this.audit.head();
      const publishAt = embargoUntil ?? now;
      const publicationId = randomUUID();
      const manifest: ResultManifest = {
        format: MANIFEST_FORMAT,
        publicationId,
        contest: { kind, id: contestId, title: await contest.title(contestId) },
        runId: run.id,
        method: run.method,
        config: run.config,
        candidates: frozen.candidates,
        engineVersion: run.engineVersion,
        seed: run.seed,
        inputDigest: run.inputDigest,
        publishedInputDigest: published ? inputDigest(published) : null,
        merkleRoot: run.merkleRoot,
        ballotCount: run.ballotCount,
        participationCount: frozen.participations,
        outputDigest: run.outputDigest,
        auditHead: head,
        certifiedAt: now.toISOString(),
        certifiedBy: caller.id,
        publishAt: publishAt.toISOString(),
        keyId: keyInfo.keyId,
      };
      const signature = signBytes(manifestBytes(manifest), key);
      await this.publications.insert({
        id: publicationId,
        contestKind: kind,
        contestId,
        runId: run.id,
        status: 'certified',
        manifest,
        signature,
        publicKey: keyInfo.pem,
        certifiedBy: caller.id,
        certifiedAt: now,
        publishAt,
      });
      await this.audit.record({
        actor: userActor(caller),
        action: 'result.certified',
        subjectType: kind,
        subjectId: contestId,
        data: {
          publicationId,
          runId: run.id,
          manifestDigest: manifestDigest(manifest),
          outputDigest: run.outputDigest,
          publishAt: manifest.publishAt,
          keyId: keyInfo.keyId,
        },
      });
      if (!embargoUntil) {
        await this.markPublished(publicationId, kind, contestId, now, userActor(caller));
      }
      return publicationId;
    });
    return (await this.publications.findById(id))!;
  }

  /** Publishes a certified result whose embargo has passed; a second delivery changes nothing. */
  async publishDue(publicationId: string, now = new Date()): Promise<boolean> {
    const row = await this.publications.findById(publicationId);
    if (!row) {
      return false;
    }
    return this.db.transaction(async () => {
      await this.db.lock('contest', `${row.contestKind}.${row.contestId}`);
      const current = await this.publications.findById(publicationId);
      if (!current || current.status !== 'certified') {
        return false;
      }
      if (current.publishAt.getTime() > now.getTime()) {
        // A worker whose clock runs behind: retry (with backoff) rather than drop the publication.
        throw new Error(
          `publication ${publicationId} is not due before ${current.publishAt.toISOString()}`,
        );
      }
      await this.markPublished(
        publicationId,
        row.contestKind,
        row.contestId,
        current.publishAt,
        SYSTEM,
      );
      this.logger.log({ publication: publicationId, contest: row.contestId }, 'result published');
      return true;
    });
  }

  /** Turns every due publication into a job (outbox row, deterministic id); returns how many. */
  async enqueueDue(now = new Date()): Promise<number> {
    let enqueued = 0;
    for (const id of await this.publications.findDueIds(now)) {
      const created = await this.db.transaction(() =>
        this.jobs.enqueue(JobName.PublishResult, { publicationId: id }, jobId('publish', id)),
      );
      enqueued += created ? 1 : 0;
    }
    return enqueued;
  }

  async withdraw(
    caller: AuthUser,
    publicationId: string,
    reason: string,
    now = new Date(),
  ): Promise<ResultPublicationEntity> {
    const row = await this.publications.findById(publicationId);
    if (!row) {
      throw new ResultsException(ResultsErrorCode.NotFound, 'Publication not found');
    }
    await this.db.transaction(async () => {
      await this.db.lock('contest', `${row.contestKind}.${row.contestId}`);
      const current = (await this.publications.findById(publicationId))!;
      if (current.status === 'withdrawn') {
        throw new ResultsException(
          ResultsErrorCode.NotPublished,
          'This publication is already withdrawn',
        );
      }
      await this.publications.update(publicationId, {
        status: 'withdrawn',
        withdrawnAt: now,
        withdrawnBy: caller.id,
        withdrawalReason: reason,
      });
      await this.audit.record({
        actor: userActor(caller),
        action: 'result.withdrawn',
        subjectType: row.contestKind,
        subjectId: row.contestId,
        data: { publicationId, runId: row.runId, reason, wasStatus: current.status },
      });
    });
    return (await this.publications.findById(publicationId))!;
  }

  /** Recounts from the frozen ballots and compares with the stored run; stores nothing but an audit event. */
  async retally(caller: AuthUser, kind: string, contestId: string): Promise<RetallyReport> {
    const source = this.contests.get(kind).source();
    const run = await this.tallying.latestRun(kind, contestId);
    if (!run) {
      throw new ResultsException(
        ResultsErrorCode.NotTallied,
        'There is no computed result to re-tally',
      );
    }
    const frozen = await source.load(contestId);
    const result = tally({
      method: frozen.method,
      config: frozen.config,
      candidates: frozen.candidates,
      ballots: frozen.ballots,
      seed: frozen.seed,
    });
    const outcome = await source.adjudicate(contestId, frozen, result);
    const report: RetallyReport = {
      runId: run.id,
      inputDigest: inputDigest(frozen.ballots),
      storedOutputDigest: run.outputDigest,
      recomputedOutputDigest: digest({ result, outcome }),
      identical: false,
    };
    report.identical =
      report.inputDigest === run.inputDigest && report.recomputedOutputDigest === run.outputDigest;
    await this.audit.record({
      actor: userActor(caller),
      action: 'result.retallied',
      subjectType: kind,
      subjectId: contestId,
      data: { ...report },
    });
    return report;
  }

  private async markPublished(
    publicationId: string,
    kind: string,
    contestId: string,
    at: Date,
    actor: Actor,
  ): Promise<void> {
    await this.publications.update(publicationId, { status: 'published', publishedAt: at });
    await this.audit.record({
      actor,
      action: 'result.published',
      subjectType: kind,
      subjectId: contestId,
      data: { publicationId, publishedAt: at.toISOString() },
    });
  }

  /**
   * Four eyes: with two or more active admins, the admin who closed the contest may not certify
   * it. A contest closed by the schedule (the system) may be certified by any admin.
   */
  private async checkCertifier(
    caller: AuthUser,
    kind: string,
    contestId: string,
    closeAction: string,
  ): Promise<void> {
    if (!this.config.audit.distinctCertifier || (await this.users.countAdmins()) < 2) {
      return;
    }
    const events = await this.audit.list({
      subjectType: kind,
      subjectId: contestId,
      action: closeAction,
      limit: 100,
    });
    const closed = events.pop();
    if (closed?.actorKind === 'user' && closed.actorId === caller.id) {
      throw new ResultsException(
        ResultsErrorCode.SameAdminAsClose,
        'Another admin must certify: you closed this contest',
      );
    }
  }
}
