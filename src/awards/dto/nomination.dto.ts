import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsUrl, IsUUID, MaxLength } from 'class-validator';
import { IsId, IsOptionalNotNull, IsText } from 'src/common/validation/validators';
import type { AwardNominationEntity } from 'src/awards/entities/award-nomination.entity';
import {
  AwardNomineeEntity,
  CONSENT_STATUSES,
  ConsentStatus,
  NOMINEE_STATUSES,
  NomineeStatus,
} from 'src/awards/entities/award-nominee.entity';

export class CreateNominationDto {
  @IsText(200)
  nomineeName!: string;

  @IsText(200, { optional: true })
  organisation?: string;

  @IsText(5000, { optional: true })
  description?: string;

  @ApiPropertyOptional({ type: [String], format: 'uri' })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(10)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true }, { each: true })
  @MaxLength(500, { each: true })
  links?: string[];

  @ApiPropertyOptional({ default: false })
  @IsOptionalNotNull()
  @IsBoolean()
  selfNomination?: boolean;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The member nominating, when the caller acts for several',
  })
  @IsOptionalNotNull()
  @IsUUID('4')
  memberId?: string;
}

export class NominationResponseDto {
  id!: string;
  categoryId!: string;
  nomineeId!: string;
  memberId!: string;
  nomineeName!: string;
  organisation!: string | null;
  description!: string;
  links!: string[];
  selfNomination!: boolean;
  @ApiProperty({ enum: ['active', 'withdrawn'] })
  status!: string;
  createdAt!: string;
}

export function toNominationResponse(n: AwardNominationEntity): NominationResponseDto {
  return {
    id: n.id,
    categoryId: n.categoryId,
    nomineeId: n.nomineeId,
    memberId: n.memberId,
    nomineeName: n.nomineeName,
    organisation: n.organisation,
    description: n.description,
    links: n.links,
    selfNomination: n.selfNomination,
    status: n.status,
    createdAt: n.createdAt.toISOString(),
  };
}

export class NomineeResponseDto {
  id!: string;
  categoryId!: string;
  name!: string;
  organisation!: string | null;
  description!: string;
  links!: string[];
  @ApiProperty({ enum: NOMINEE_STATUSES })
  status!: NomineeStatus;
  statusReason!: string | null;
  mergedIntoId!: string | null;
  @ApiProperty({ enum: CONSENT_STATUSES })
  consentStatus!: ConsentStatus;
  @ApiProperty({ type: [NominationResponseDto] })
  nominations!: NominationResponseDto[];
}

export function toNomineeResponse(
  n: AwardNomineeEntity,
  nominations: AwardNominationEntity[],
): NomineeResponseDto {
  return {
    id: n.id,
    categoryId: n.categoryId,
    name: n.name,
    organisation: n.organisation,
    description: n.description,
    links: n.links,
    status: n.status,
    statusReason: n.statusReason,
    mergedIntoId: n.mergedIntoId,
    consentStatus: n.consentStatus,
    nominations: nominations.filter((x) => x.nomineeId === n.id).map(toNominationResponse),
  };
}

/** What a juror sees of a nominee: no nominators. */
export class JurorNomineeDto {
  id!: string;
  name!: string;
  organisation!: string | null;
  description!: string;
  links!: string[];
}

export function toJurorNominee(n: AwardNomineeEntity): JurorNomineeDto {
  return {
    id: n.id,
    name: n.name,
    organisation: n.organisation,
    description: n.description,
    links: n.links,
  };
}

export class MergeNomineeDto {
  @ApiProperty({ format: 'uuid', description: 'The nominee that survives' })
  @IsId()
  intoNomineeId!: string;
}

export class ConsentRequestResponseDto {
  nomineeId!: string;
  @ApiProperty({ description: 'Shown once: the secret the nominee needs to answer' })
  token!: string;
  @ApiProperty({ example: '/api/v1/awards/consent/<token>' })
  path!: string;
}

export class ConsentAnswerDto {
  @ApiProperty({ enum: ['give', 'decline'] })
  @IsIn(['give', 'decline'])
  decision!: 'give' | 'decline';
}

export class ConsentViewDto {
  nomineeName!: string;
  categoryTitle!: string;
  @ApiProperty({ enum: CONSENT_STATUSES })
  consentStatus!: ConsentStatus;
}
