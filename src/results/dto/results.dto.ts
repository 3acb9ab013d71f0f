import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';
import { IsText } from 'src/common/validation/validators';
import type { PublicKeyInfo } from 'src/audit/signing';
import type { ResultPublicationEntity } from '../entities/result-publication.entity';
import type { EditionResults, MeetingResults, PublicResult } from '../public-results.service';
import type { ResultStatus, RetallyReport } from '../publication.service';

export class CertifyResultDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'The result becomes public at this time (the ceremony); unset: at once',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  embargoUntil?: string;
}

export class WithdrawPublicationDto {
  @IsText(2000, { min: 10 })
  reason!: string;
}

export class PublicationResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() contestKind!: string;
  @ApiProperty() contestId!: string;
  @ApiProperty() runId!: string;
  @ApiProperty({ enum: ['certified', 'published', 'withdrawn'] }) status!: string;
  @ApiProperty({ description: 'The signed manifest' }) manifest!: Record<string, unknown>;
  @ApiProperty({ description: 'Ed25519 signature (base64) over the canonical manifest' })
  signature!: string;
  @ApiProperty({ format: 'date-time' }) certifiedAt!: string;
  @ApiProperty({ format: 'date-time' }) publishAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) publishedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) withdrawnAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) withdrawalReason!: string | null;
}

export function toPublicationResponse(p: ResultPublicationEntity): PublicationResponseDto {
  return {
    id: p.id,
    contestKind: p.contestKind,
    contestId: p.contestId,
    runId: p.runId,
    status: p.status,
    manifest: p.manifest as unknown as Record<string, unknown>,
    signature: p.signature,
    certifiedAt: p.certifiedAt.toISOString(),
    publishAt: p.publishAt.toISOString(),
    publishedAt: p.publishedAt?.toISOString() ?? null,
    withdrawnAt: p.withdrawnAt?.toISOString() ?? null,
    withdrawalReason: p.withdrawalReason,
  };
}

export class ResultStatusResponseDto {
  @ApiProperty({ enum: ['none', 'computed', 'certified', 'published', 'withdrawn'] })
  stage!: string;
  @ApiProperty({ nullable: true, type: String }) runId!: string | null;
  @ApiProperty({ nullable: true, type: String }) outputDigest!: string | null;
  @ApiProperty({ type: [PublicationResponseDto] }) publications!: PublicationResponseDto[];
}

export function toStatusResponse(s: ResultStatus): ResultStatusResponseDto {
  const last = s.publications[s.publications.length - 1];
  return {
    stage: !s.run ? 'none' : last ? last.status : 'computed',
    runId: s.run?.id ?? null,
    outputDigest: s.run?.outputDigest ?? null,
    publications: s.publications.map(toPublicationResponse),
  };
}

export class RetallyResponseDto implements RetallyReport {
  @ApiProperty() runId!: string;
  @ApiProperty() inputDigest!: string;
  @ApiProperty() storedOutputDigest!: string;
  @ApiProperty() recomputedOutputDigest!: string;
  @ApiProperty({ description: 'Same inputs gave the same output digest' }) identical!: boolean;
}

export class SigningKeyResponseDto {
  @ApiProperty({ description: 'Ed25519 public key, SPKI PEM' }) pem!: string;
  @ApiProperty({ description: 'The 32 raw key bytes, base64' }) raw!: string;
  @ApiProperty({ description: 'First 16 hex digits of SHA-256 of the raw key' }) keyId!: string;
  @ApiProperty() algorithm!: string;
}

export function toSigningKeyResponse(k: PublicKeyInfo): SigningKeyResponseDto {
  return { ...k, algorithm: 'Ed25519' };
}

class NamedDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
}

export class PublicResultResponseDto {
  @ApiProperty() publicationId!: string;
  @ApiProperty() contestKind!: string;
  @ApiProperty() contestId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() method!: string;
  @ApiProperty({ format: 'date-time' }) publishedAt!: string;
  @ApiProperty({ type: [NamedDto] }) winners!: NamedDto[];
  @ApiProperty({ type: [NamedDto] }) candidates!: NamedDto[];
  @ApiProperty({ description: 'Turnout, ballots, per-candidate votes, quorum and threshold' })
  outcome!: Record<string, unknown>;
  @ApiProperty({
    description:
      'Winners, rounds, ranking and ties: the count, with a tie settled by a decision reported as rule `decision`',
  })
  report!: Record<string, unknown>;
  @ApiProperty({
    nullable: true,
    type: Object,
    description:
      'The signed decision that settled a tie the count left to the lot: between whom, for how many places, whom the lot drew, whom the decision chose, why, by which role and when',
  })
  decision!: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: String }) protocol!: string | null;
  @ApiProperty() manifest!: Record<string, unknown>;
  @ApiProperty() signature!: string;
}

export function toPublicResultResponse(r: PublicResult): PublicResultResponseDto {
  const result = r.result;
  return {
    publicationId: r.publication.id,
    contestKind: r.publication.contestKind,
    contestId: r.publication.contestId,
    title: r.title,
    method: r.run.method,
    publishedAt: (r.publication.publishedAt ?? r.publication.publishAt).toISOString(),
    winners: r.winners,
    candidates: r.candidates,
    outcome: r.outcome,
    decision: r.decision as unknown as Record<string, unknown> | null,
    report: {
      winners: result.winners,
      ranking: result.ranking ?? null,
      rounds: result.rounds,
      ties: result.ties,
      stats: result.stats,
    },
    protocol: r.protocol,
    manifest: r.publication.manifest as unknown as Record<string, unknown>,
    signature: r.publication.signature,
  };
}

export class MeetingResultsResponseDto {
  @ApiProperty() meetingId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ type: [PublicResultResponseDto] }) results!: PublicResultResponseDto[];
}

export function toMeetingResultsResponse(m: MeetingResults): MeetingResultsResponseDto {
  return {
    meetingId: m.meeting.id,
    title: m.meeting.title,
    startsAt: m.meeting.startsAt.toISOString(),
    results: m.results.map(toPublicResultResponse),
  };
}

export class CategoryResultsDto {
  @ApiProperty() categoryId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: [PublicResultResponseDto] }) rounds!: PublicResultResponseDto[];
}

export class EditionResultsResponseDto {
  @ApiProperty() editionId!: string;
  @ApiProperty() program!: string;
  @ApiProperty() year!: number;
  @ApiProperty({ type: [CategoryResultsDto] }) categories!: CategoryResultsDto[];
}

export function toEditionResultsResponse(e: EditionResults): EditionResultsResponseDto {
  return {
    editionId: e.edition.id,
    program: e.programTitle,
    year: e.edition.year,
    categories: e.categories.map((c) => ({
      categoryId: c.id,
      title: c.title,
      rounds: c.rounds.map(toPublicResultResponse),
    })),
  };
}

export class NoticeResponseDto {
  @ApiProperty() publicationId!: string;
  @ApiProperty() contestKind!: string;
  @ApiProperty() contestId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ format: 'date-time' }) withdrawnAt!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ description: 'Where the withdrawn manifest stays available' })
  manifestUrl!: string;
}

export function toNoticeResponse(p: ResultPublicationEntity): NoticeResponseDto {
  return {
    publicationId: p.id,
    contestKind: p.contestKind,
    contestId: p.contestId,
    title: p.manifest.contest.title,
    withdrawnAt: p.withdrawnAt!.toISOString(),
    reason: p.withdrawalReason!,
    manifestUrl: `/api/v1/public/publications/${p.id}/manifest`,
  };
}
