import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AuditService, SYSTEM, type Actor } from 'src/audit/audit.service';
import {
  MANIFEST_FORMAT,
  manifestBytes,
  manifestDigest,
  type ResultManifest,
  type TieDecision,
} from 'src/audit/manifest';
import { signBytes } from 'src/audit/signing';
import { UsersRepository } from 'src/auth/users.repository';
import type { AuthUser } from 'src/common/auth/auth-user';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { Database } from 'src/database/database';
import { JobName, jobId } from 'src/jobs/job-catalogue';
import { JobsService } from 'src/jobs/jobs.service';
import { type Ballot, tally, type TallyResult } from 'src/tally';
import { canonicalJson, digest } from 'src/tally/digest';
import type { TallyRunEntity } from 'src/tallying/entities/tally-run.entity';
import { inputDigest } from 'src/tallying/input-digest';
import { TallyingService } from 'src/tallying/tallying.service';
import { aggregateBallots } from './aggregate';
import { BundleBuilder } from './bundle-builder';
import { countedWinners, decidedWinners, decisionProblem } from './decision';
import type { ResultPublicationEntity } from './entities/result-publication.entity';
import { PublicationsRepository } from './publications.repository';
import { type ResultContest, ResultContests } from './result-contests';
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
    private readonly bundles: BundleBuilder,
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
      const ballots = this.publishedBallots(contest, frozen.ballots, frozen.candidates, run);
      const { decision, winners } = await this.decidedResult(contest, contestId, run);
      const publishAt = embargoUntil ?? now;
      const publicationId = randomUUID();
      // Recorded before the manifest: this event of the contest itself is the head the manifest
      // signs, so the bundle proves the contest's events with nothing else of the chain.
      const certified = await this.audit.record({
        actor: userActor(caller),
        action: 'result.certified',
        subjectType: kind,
        subjectId: contestId,
        data: {
          publicationId,
          runId: run.id,
          outputDigest: run.outputDigest,
          publishAt: publishAt.toISOString(),
          keyId: keyInfo.keyId,
          winners,
          decision,
        },
      });
      const publishedDigest = inputDigest(ballots);
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
        publishedInputDigest: publishedDigest === run.inputDigest ? null : publishedDigest,
        merkleRoot: run.merkleRoot,
        ballotCount: run.ballotCount,
        participationCount: frozen.participations,
        outputDigest: run.outputDigest,
        winners,
        decision,
        auditHead: { seq: certified.seq, hash: certified.hash },
        certifiedAt: now.toISOString(),
        certifiedBy: caller.role,
        publishAt: publishAt.toISOString(),
        keyId: keyInfo.keyId,
      };
      const signature = signBytes(manifestBytes(manifest), key);
      const bundle = await this.bundles.build({
        contest,
        contestId,
        manifest,
        signature,
        publicKey: keyInfo.pem,
        ballots,
        participations: frozen.participations,
        run,
      });
      await this.publications.insert({
        id: publicationId,
        contestKind: kind,
        contestId,
        runId: run.id,
        status: 'certified',
        manifest,
        signature,
        publicKey: keyInfo.pem,
        bundle: Buffer.from(JSON.stringify(bundle), 'utf8'),
        certifiedBy: caller.id,
        certifiedAt: now,
        publishAt,
      });
      // The result is final: a contest drops the secrets it no longer needs (an election's
      // custodial key) in this transaction, so a certification that fails keeps them.
      await this.tallying.source(kind)?.onCertified?.(contestId);
      if (!embargoUntil) {
        await this.markPublished(manifest, kind, contestId, now, userActor(caller));
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
        current.manifest,
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
    manifest: ResultManifest,
    kind: string,
    contestId: string,
    at: Date,
    actor: Actor,
  ): Promise<void> {
    const publicationId = manifest.publicationId;
    await this.publications.update(publicationId, { status: 'published', publishedAt: at });
    await this.audit.record({
      actor,
      action: 'result.published',
      subjectType: kind,
      subjectId: contestId,
      data: {
        publicationId,
        publishedAt: at.toISOString(),
        manifestDigest: manifestDigest(manifest),
      },
    });
  }

  /**
   * The ballots as published: pseudonymised where the contest needs it and aggregated per
   * distinct content, so no entry carries one ballot's weight. When that form differs from the
   * counted one it must replay to the very same count, or the bundle would not verify:
   * certification is then refused rather than publishing either.
   */
  private publishedBallots(
    contest: ResultContest,
    counted: readonly Ballot[],
    candidates: string[],
    run: TallyRunEntity,
  ): Ballot[] {
    const ballots = aggregateBallots(contest.publicBallots(counted) ?? counted);
    if (inputDigest(ballots) === run.inputDigest) {
      return ballots;
    }
    const replay = tally({
      method: run.method as TallyResult['method'],
      config: run.config,
      candidates,
      ballots,
      seed: run.seed,
    });
    if (canonicalJson(replay) !== canonicalJson(run.result)) {
      throw new ResultsException(
        ResultsErrorCode.PublicBallotsDiffer,
        'The ballots aggregated for publication do not replay to the stored count, which was computed on ungrouped weighted ballots; the count must be made from aggregated ballots before it can be certified',
      );
    }
    return ballots;
  }

  /** The recorded decision of a tie, if any, and the winners it gives; both must fit the count. */
  private async decidedResult(
    contest: ResultContest,
    contestId: string,
    run: TallyRunEntity,
  ): Promise<{ decision: TieDecision | null; winners: string[] }> {
    const result = run.result as unknown as TallyResult;
    const decision = await contest.decision(contestId);
    const problem = decision ? decisionProblem(result, decision) : null;
    if (problem) {
      throw new ResultsException(
        ResultsErrorCode.DecisionMismatch,
        `The recorded tie decision does not fit the count: ${problem}`,
      );
    }
    const winners = decidedWinners(countedWinners(result, run.outcome), decision);
    const recorded = await contest.winners(contestId, run);
    if (canonicalJson([...recorded].sort()) !== canonicalJson([...winners].sort())) {
      throw new ResultsException(
        ResultsErrorCode.DecisionMismatch,
        `The contest records ${recorded.join(', ') || 'no one'} as winners; the count${decision ? ' with its decision' : ''} gives ${winners.join(', ') || 'no one'}`,
      );
    }
    return { decision, winners };
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
