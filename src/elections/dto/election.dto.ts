import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsOptionalNotNull, IsPatchBody, IsText } from 'src/common/validation/validators';
import { CANDIDATE_STATUSES, CandidateEntity } from 'src/elections/entities/candidate.entity';
import {
  CUSTODY_MODES,
  CustodyMode,
  ELECTION_METHODS,
  ELECTION_STATUSES,
  ElectionEntity,
  ElectionMethod,
  ElectionStatus,
  THRESHOLD_BASES,
  THRESHOLD_KINDS,
  ThresholdBase,
} from 'src/elections/entities/election.entity';
import type { RollRow } from 'src/elections/voter-roll.repository';

export class ThresholdRuleDto {
  @ApiProperty({ enum: THRESHOLD_KINDS })
  @IsIn(THRESHOLD_KINDS)
  kind!: (typeof THRESHOLD_KINDS)[number];

  @IsText(20, { optional: true })
  fraction?: string;

  @ApiPropertyOptional({ enum: THRESHOLD_BASES, default: 'valid' })
  @IsOptionalNotNull()
  @IsIn(THRESHOLD_BASES)
  base?: ThresholdBase;
}

export class CreateElectionDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptionalNotNull()
  @IsUUID('4')
  meetingId?: string;

  @IsText(200)
  office!: string;

  @ApiPropertyOptional({ default: 1, minimum: 1, maximum: 100 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(100)
  seats?: number;

  @ApiProperty({ enum: ELECTION_METHODS })
  @IsIn(ELECTION_METHODS)
  method!: ElectionMethod;

  @ApiPropertyOptional({ description: 'Engine options, e.g. { "variant": "scottish" } for STV' })
  @IsOptionalNotNull()
  @IsObject()
  methodConfig?: Record<string, unknown>;

  @ApiPropertyOptional({ type: ThresholdRuleDto })
  @IsOptionalNotNull()
  @ValidateNested()
  @Type(() => ThresholdRuleDto)
  thresholdRule?: ThresholdRuleDto;

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull()
  @IsBoolean()
  blankAllowed?: boolean;

  @ApiPropertyOptional({
    default: false,
    description: 'Only members registered at the meeting are on the roll',
  })
  @IsOptionalNotNull()
  @IsBoolean()
  registeredOnly?: boolean;

  @ApiPropertyOptional({
    format: 'date',
    description: 'Dues paid up to this date; default: the day it opens',
  })
  @IsOptionalNotNull()
  @IsISO8601({ strict: true, strictSeparator: true })
  @MaxLength(10)
  rollDate?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptionalNotNull()
  @IsISO8601({ strict: true })
  opensAt?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptionalNotNull()
  @IsISO8601({ strict: true })
  closesAt?: string;

  @IsText(200, { optional: true })
  tieBreakSeed?: string;
}

@IsPatchBody()
export class UpdateElectionDto {
  @IsText(200, { optional: true })
  office?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(100)
  seats?: number;

  @ApiPropertyOptional({ enum: ELECTION_METHODS })
  @IsOptionalNotNull()
  @IsIn(ELECTION_METHODS)
  method?: ElectionMethod;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsObject()
  methodConfig?: Record<string, unknown>;

  @ApiPropertyOptional({ type: ThresholdRuleDto })
  @IsOptionalNotNull()
  @ValidateNested()
  @Type(() => ThresholdRuleDto)
  thresholdRule?: ThresholdRuleDto;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  blankAllowed?: boolean;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  registeredOnly?: boolean;

  @ApiPropertyOptional({ format: 'date', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsISO8601({ strict: true, strictSeparator: true })
  @MaxLength(10)
  rollDate?: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsISO8601({ strict: true })
  opensAt?: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsISO8601({ strict: true })
  closesAt?: string | null;
}

export class ListElectionsQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('4')
  meetingId?: string;
}

export class AddCandidateDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('4')
  memberId!: string;

  @IsText(5000, { optional: true })
  statement?: string;
}

export class NominateCandidateDto {
  @ApiProperty({ format: 'uuid', description: 'The member nominated' })
  @IsUUID('4')
  memberId!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The nominating member, when the caller acts for several',
  })
  @IsOptionalNotNull()
  @IsUUID('4')
  nominatorMemberId?: string;

  @IsText(5000, { optional: true })
  statement?: string;
}

export class ConsentDto {
  @ApiProperty({ description: 'true: stand for election; false: decline' })
  @IsBoolean()
  accept!: boolean;

  @IsText(5000, { optional: true })
  statement?: string;
}

export class AddRollEntryDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('4')
  memberId!: string;

  @IsText(1000)
  reason!: string;
}

export class RemoveRollEntryDto {
  @IsText(1000)
  reason!: string;
}

export class CandidateResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() memberId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) statement!: string | null;
  @ApiProperty({ enum: CANDIDATE_STATUSES }) status!: string;
  @ApiProperty({ nullable: true, type: String }) nominatedByMemberId!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) consentedAt!: string | null;
}

export class ElectionResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty({ nullable: true, type: String }) meetingId!: string | null;
  @ApiProperty() office!: string;
  @ApiProperty() seats!: number;
  @ApiProperty({ enum: ELECTION_METHODS }) method!: ElectionMethod;
  @ApiProperty() methodConfig!: Record<string, unknown>;
  @ApiProperty({ type: ThresholdRuleDto }) thresholdRule!: ThresholdRuleDto;
  @ApiProperty() blankAllowed!: boolean;
  @ApiProperty() registeredOnly!: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) rollDate!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) opensAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) closesAt!: string | null;
  @ApiProperty({ description: 'Fixed before opening; the only source of any lot' })
  tieBreakSeed!: string;
  @ApiProperty({ enum: ELECTION_STATUSES }) status!: ElectionStatus;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) openedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) closedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) merkleRoot!: string | null;
  @ApiProperty({
    enum: CUSTODY_MODES,
    description: 'Who can open the sealed ballots; details at GET /elections/{id}/custody',
  })
  custody!: CustodyMode;
  @ApiProperty({ nullable: true, type: Number, description: 'commission: shares needed' })
  commissionThreshold!: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  keyDestroyedAt!: string | null;
  @ApiProperty({ type: [CandidateResponseDto] }) candidates!: CandidateResponseDto[];
}

export class RollEntryResponseDto {
  @ApiProperty() memberId!: string;
  @ApiProperty() memberNumber!: string;
  @ApiProperty() name!: string;
  @ApiProperty() weight!: number;
  @ApiProperty({ enum: ['rule', 'admin'] }) source!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) removedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) removedReason!: string | null;
  @ApiProperty() voted!: boolean;
}

export class MyRollStatusDto {
  @ApiProperty({ description: 'True when the caller may cast for at least one member' })
  onRoll!: boolean;
  @ApiProperty({ type: [RollEntryResponseDto] }) entries!: RollEntryResponseDto[];
}

export class ParticipantResponseDto {
  @ApiProperty() memberNumber!: string;
  @ApiProperty() name!: string;
}

export function toCandidateResponse(c: CandidateEntity): CandidateResponseDto {
  return {
    id: c.id,
    memberId: c.memberId,
    name: c.name,
    statement: c.statement,
    status: c.status,
    nominatedByMemberId: c.nominatedByMemberId,
    consentedAt: c.consentedAt?.toISOString() ?? null,
  };
}

export function toElectionResponse(
  e: ElectionEntity,
  candidates: CandidateEntity[],
): ElectionResponseDto {
  return {
    id: e.id,
    meetingId: e.meetingId,
    office: e.office,
    seats: e.seats,
    method: e.method,
    methodConfig: e.methodConfig,
    thresholdRule: e.thresholdRule,
    blankAllowed: e.blankAllowed,
    registeredOnly: e.registeredOnly,
    rollDate: e.rollDate,
    opensAt: e.opensAt?.toISOString() ?? null,
    closesAt: e.closesAt?.toISOString() ?? null,
    tieBreakSeed: e.tieBreakSeed,
    status: e.status,
    openedAt: e.openedAt?.toISOString() ?? null,
    closedAt: e.closedAt?.toISOString() ?? null,
    merkleRoot: e.merkleRoot,
    custody: e.custody,
    commissionThreshold: e.commissionThreshold,
    keyDestroyedAt: e.keyDestroyedAt?.toISOString() ?? null,
    candidates: candidates.map(toCandidateResponse),
  };
}

export function toRollEntryResponse(r: RollRow): RollEntryResponseDto {
  return { ...r, removedAt: r.removedAt?.toISOString() ?? null };
}
