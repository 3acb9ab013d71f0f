import { Injectable, Logger } from '@nestjs/common';
import { AuditService, SYSTEM } from 'src/audit/audit.service';
import { DomainException } from 'src/common/errors/domain.exception';
import { Database } from 'src/database/database';
import { JobsService } from 'src/jobs/jobs.service';
import { JobName, JobPayloads, jobId } from 'src/jobs/job-catalogue';
import { PermanentJobError } from 'src/jobs/job.errors';
import { tally, TallyInputError } from 'src/tally';
import { digest } from 'src/tally/digest';
import type { ContestSource } from './contest-source';
import type { TallyRunEntity } from './entities/tally-run.entity';
import { inputDigest } from './input-digest';
import { TallyingErrorCode, TallyingException } from './tallying.exception';
import { TallyRunsRepository } from './tally-runs.repository';

export type TallyJob = JobPayloads[JobName.Tally];

/** Shared by every kind of contest: enqueue a tally at close, run it, store one run per input. */
@Injectable()
export class TallyingService {
  private readonly logger = new Logger(TallyingService.name);
  private readonly sources = new Map<string, ContestSource>();

  constructor(
    private readonly db: Database,
    private readonly runs: TallyRunsRepository,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
  ) {}

  register(source: ContestSource): void {
    if (this.sources.has(source.kind)) {
      throw new Error(`contest kind ${source.kind} registered twice`);
    }
    this.sources.set(source.kind, source);
  }

  /** The registered source of a kind of contest, for steps outside the tally (certification). */
  source(kind: string): ContestSource | undefined {
    return this.sources.get(kind);
  }

  /** Writes the tally job into the caller's (closing) transaction; the same input gives the same job. */
  async enqueue(job: TallyJob): Promise<string> {
    const id = jobId('tally', job.contestId, job.inputDigest);
    await this.jobs.enqueue(JobName.Tally, job, id);
    return id;
  }

  latestRun(contestKind: string, contestId: string): Promise<TallyRunEntity | null> {
    return this.runs.findLatestForContest(contestKind, contestId);
  }

  /**
   * Counts a closed contest. Under the contest's lock, so concurrent deliveries of the same job
   * serialise; a second delivery finds the stored run and only re-applies `onTallied`.
   */
  async run(job: TallyJob): Promise<TallyRunEntity> {
    const source = this.sources.get(job.contestKind);
    if (!source) {
      throw new PermanentJobError(`no contest source for kind ${job.contestKind}`);
    }
    const started = Date.now();
    try {
      const run = await this.db.transaction(async () => {
        await this.db.lock('contest', `${job.contestKind}.${job.contestId}`);
        const existing = await this.runs.findByFrozen(
          job.contestKind,
          job.contestId,
          job.inputDigest,
        );
        if (existing) {
          await source.onTallied(job.contestId, existing);
          return existing;
        }
        return this.compute(source, job);
      });
      this.logger.log(
        { contest: job.contestId, kind: job.contestKind, run: run.id, ms: Date.now() - started },
        'tally stored',
      );
      return run;
    } catch (error) {
      if (error instanceof DomainException && error.kind !== 'unavailable') {
        await this.recordFailure(job, error);
        throw new PermanentJobError(error.message, { cause: error });
      }
      throw error;
    }
  }

  private async compute(source: ContestSource, job: TallyJob): Promise<TallyRunEntity> {
    const contest = await source.load(job.contestId);
    const ballotCount = contest.ballots.reduce((n, b) => n + (b.count ?? 1), 0);
    if (ballotCount !== contest.participations) {
      throw new TallyingException(
        TallyingErrorCode.CountMismatch,
        `${ballotCount} ballots but ${contest.participations} participations: the tally is refused`,
        { ballots: ballotCount, participations: contest.participations },
      );
    }
    const digestNow = inputDigest(contest.ballots);
    const frozenNow = contest.frozenDigest ?? digestNow;
    if (frozenNow !== job.inputDigest) {
      throw new TallyingException(
        TallyingErrorCode.InputChanged,
        'The ballots differ from those frozen at close',
        {
          frozen: job.inputDigest,
          now: frozenNow,
        },
      );
    }
    let result;
    try {
      result = tally({
        method: contest.method,
        config: contest.config,
        candidates: contest.candidates,
        ballots: contest.ballots,
        seed: contest.seed,
      });
    } catch (error) {
      if (error instanceof TallyInputError) {
        throw new TallyingException(
          TallyingErrorCode.InvalidConfiguration,
          error.message,
          undefined,
          { cause: error },
        );
      }
      throw error;
    }
    const outcome = await source.adjudicate(job.contestId, contest, result);
    const fields = {
      contestKind: job.contestKind,
      contestId: job.contestId,
      method: contest.method,
      config: contest.config as unknown as Record<string, unknown>,
      engineVersion: result.engineVersion,
      inputDigest: digestNow,
      frozenDigest: frozenNow,
      seed: contest.seed,
      merkleRoot: contest.merkleRoot,
      ballotCount,
      result: result as unknown as Record<string, unknown>,
      outcome,
      outputDigest: digest({ result, outcome }),
    };
    await this.runs.insertIfAbsent(fields);
    const run = (await this.runs.findByFrozen(job.contestKind, job.contestId, frozenNow))!;
    await this.audit.record({
      actor: SYSTEM,
      action: 'tally.completed',
      subjectType: job.contestKind,
      subjectId: job.contestId,
      data: {
        runId: run.id,
        method: run.method,
        engineVersion: run.engineVersion,
        inputDigest: run.inputDigest,
        outputDigest: run.outputDigest,
        merkleRoot: run.merkleRoot,
        ballots: ballotCount,
      },
    });
    await source.onTallied(job.contestId, run);
    return run;
  }

  /** A tally that cannot succeed is recorded in the audit log in its own transaction. */
  private async recordFailure(job: TallyJob, error: DomainException): Promise<void> {
    this.logger.error(
      { contest: job.contestId, kind: job.contestKind, code: error.code, err: error.message },
      'tally failed for good',
    );
    await this.audit.record({
      actor: SYSTEM,
      action: 'tally.failed',
      subjectType: job.contestKind,
      subjectId: job.contestId,
      data: {
        code: error.code,
        reason: error.message,
        details: (error.details ?? null) as unknown,
        inputDigest: job.inputDigest,
      },
    });
  }
}
