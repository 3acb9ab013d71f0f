import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNumberString, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { ChainCheck } from 'src/audit/audit-chain';
import type { AuditEventEntity } from 'src/audit/entities/audit-event.entity';

export class ListAuditQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) subjectType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) subjectId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) action?: string;

  @ApiPropertyOptional({ description: 'Only events after this sequence number' })
  @IsOptional()
  @IsNumberString({ no_symbols: true })
  @MaxLength(19)
  afterSeq?: string;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class AuditEventResponseDto {
  @ApiProperty() seq!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty() actorKind!: string;
  @ApiProperty({ nullable: true, type: String }) actorId!: string | null;
  @ApiProperty() action!: string;
  @ApiProperty() subjectType!: string;
  @ApiProperty({ nullable: true, type: String }) subjectId!: string | null;
  @ApiProperty({ type: Object }) data!: Record<string, unknown>;
  @ApiProperty() prevHash!: string;
  @ApiProperty() hash!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "Hash of the subject's previous event",
  })
  subjectPrev!: string | null;
}

export class ChainCheckResponseDto implements ChainCheck {
  @ApiProperty() valid!: boolean;
  @ApiProperty() checked!: number;
  @ApiProperty() head!: string;
  @ApiPropertyOptional() brokenAtSeq?: string;
  @ApiPropertyOptional() reason?: string;
}

/** The event as stored, without its salt: that stays in the database. */
export function toAuditEventResponse(e: AuditEventEntity): AuditEventResponseDto {
  return {
    seq: e.seq,
    occurredAt: e.occurredAt.toISOString(),
    actorKind: e.actorKind,
    actorId: e.actorId,
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    data: e.data,
    prevHash: e.prevHash,
    hash: e.hash,
    subjectPrev: e.subjectPrev,
  };
}
