import { Injectable } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import type { ResultManifest } from 'src/audit/manifest';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import type { Ballot, TallyResult } from 'src/tally';
import type { TallyRunEntity } from 'src/tallying/entities/tally-run.entity';
import { type AuditBundle, BUNDLE_FORMAT } from './bundle';
import { bundleChain } from './bundle-chain';
import { applyDecision, applyDecisionToOutcome } from './decision';
import type { ResultContest } from './result-contests';

export interface BundleParts {
  contest: ResultContest;
  contestId: string;
  manifest: ResultManifest;
  signature: string;
  publicKey: string;
  /** The ballots as published (aggregated, jurors pseudonymised). */
  ballots: Ballot[];
  participations: number;
  run: TallyRunEntity;
}

/** Assembles the audit bundle once, at certification, from what the manifest signs. */
@Injectable()
export class BundleBuilder {
  constructor(
    @InjectConfig() private readonly config: Config,
    private readonly audit: AuditService,
  ) {}

  async build(p: BundleParts): Promise<AuditBundle> {
    const { manifest, contest, contestId, run } = p;
    const result = run.result as unknown as TallyResult;
    const decision = manifest.decision;
    return {
      format: BUNDLE_FORMAT,
      manifest,
      signature: p.signature,
      publicKey: p.publicKey,
      publication: {
        id: manifest.publicationId,
        certifiedAt: manifest.certifiedAt,
        publishAt: manifest.publishAt,
      },
      candidates: await contest.candidateNames(contestId),
      ballots: p.ballots,
      receipts: await contest.receipts(contestId),
      participation: {
        count: p.participations,
        voters: this.config.audit.publishVoterList ? await contest.participants(contestId) : null,
      },
      report: {
        result: applyDecision(result, decision),
        outcome: applyDecisionToOutcome(run.outcome, decision, manifest.winners),
        counted: decision ? { result, outcome: run.outcome } : null,
      },
      audit: { entries: await this.chain(contest.kind, contestId, manifest.auditHead) },
    };
  }

  private async chain(kind: string, contestId: string, head: { seq: string; hash: string }) {
    const own = await this.audit.listAll({
      subjectType: kind,
      subjectId: contestId,
      untilSeq: head.seq,
    });
    return bundleChain(own, head, (afterSeq, beforeSeq) =>
      this.audit.listAll({ afterSeq, untilSeq: (BigInt(beforeSeq) - 1n).toString() }),
    );
  }
}
