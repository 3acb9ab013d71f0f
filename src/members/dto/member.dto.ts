import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import {
  IsEmailAddress,
  IsOptionalNotNull,
  IsPageLimit,
  IsPageOffset,
  IsPatchBody,
  IsText,
} from 'src/common/validation/validators';
import {
  MEMBER_KINDS,
  MEMBER_STATUSES,
  MemberEntity,
  MemberKind,
  MemberStatus,
} from 'src/members/entities/member.entity';

export class CreateMemberDto {
  @IsText(50)
  memberNumber!: string;

  @ApiProperty({ enum: MEMBER_KINDS })
  @IsIn(MEMBER_KINDS)
  kind!: MemberKind;

  @IsText(300)
  name!: string;

  @IsText(300, { optional: true })
  organisation?: string;

  @IsEmailAddress({ optional: true })
  email?: string;

  @ApiPropertyOptional({ enum: MEMBER_STATUSES, default: 'active' })
  @IsOptionalNotNull()
  @IsIn(MEMBER_STATUSES)
  status?: MemberStatus;

  @ApiPropertyOptional({ format: 'date', nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @MaxLength(10)
  duesPaidUntil?: string;

  @ApiPropertyOptional({ default: 1, minimum: 1, maximum: 1000 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(1000)
  voteWeight?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'Login of an individual member' })
  @IsOptionalNotNull()
  @IsUUID('4')
  userId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Delegate who acts for a corporate member' })
  @IsOptionalNotNull()
  @IsUUID('4')
  delegateUserId?: string;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptionalNotNull()
  @IsISO8601({ strict: true, strictSeparator: true })
  @MaxLength(10)
  joinedOn?: string;
}

@IsPatchBody()
export class UpdateMemberDto {
  @IsText(300, { optional: true })
  name?: string;

  @ApiPropertyOptional({ nullable: true, maxLength: 300 })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsText(300)
  organisation?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsEmailAddress()
  email?: string | null;

  @ApiPropertyOptional({ enum: MEMBER_STATUSES })
  @IsOptionalNotNull()
  @IsIn(MEMBER_STATUSES)
  status?: MemberStatus;

  @ApiPropertyOptional({ format: 'date', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsISO8601({ strict: true, strictSeparator: true })
  @MaxLength(10)
  duesPaidUntil?: string | null;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(1000)
  voteWeight?: number;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID('4')
  userId?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID('4')
  delegateUserId?: string | null;
}

export class ListMembersQueryDto {
  @ApiPropertyOptional({ enum: MEMBER_STATUSES })
  @IsOptional()
  @IsIn(MEMBER_STATUSES)
  status?: MemberStatus;

  @ApiPropertyOptional({ enum: MEMBER_KINDS })
  @IsOptional()
  @IsIn(MEMBER_KINDS)
  kind?: MemberKind;

  @IsText(100, { optional: true })
  q?: string;

  @IsPageLimit(500, 50)
  limit?: number;

  @IsPageOffset()
  offset?: number;
}

export class ImportQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false' })
  @IsOptional()
  @IsIn(['true', 'false'])
  dryRun?: 'true' | 'false';
}

export class MemberResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() memberNumber!: string;
  @ApiProperty({ enum: MEMBER_KINDS }) kind!: MemberKind;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) organisation!: string | null;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty({ enum: MEMBER_STATUSES }) status!: MemberStatus;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) duesPaidUntil!: string | null;
  @ApiProperty() voteWeight!: number;
  @ApiProperty({ nullable: true, type: String }) userId!: string | null;
  @ApiProperty({ nullable: true, type: String }) delegateUserId!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) joinedOn!: string | null;
}

export class MemberPageDto {
  @ApiProperty({ type: [MemberResponseDto] }) items!: MemberResponseDto[];
  @ApiProperty() total!: number;
}

export class ImportRowErrorDto {
  @ApiProperty({ description: 'Line number in the file (the header is line 1)' }) line!: number;
  @ApiProperty({ nullable: true, type: String }) field!: string | null;
  @ApiProperty() message!: string;
}

export class ImportReportDto {
  @ApiProperty() dryRun!: boolean;
  @ApiProperty() rows!: number;
  @ApiProperty() created!: number;
  @ApiProperty() updated!: number;
  @ApiProperty({ type: [ImportRowErrorDto] }) errors!: ImportRowErrorDto[];
  @ApiProperty({ description: 'True when the file was (or would be) imported' }) accepted!: boolean;
}

export function toMemberResponse(m: MemberEntity): MemberResponseDto {
  return {
    id: m.id,
    memberNumber: m.memberNumber,
    kind: m.kind,
    name: m.name,
    organisation: m.organisation,
    email: m.email,
    status: m.status,
    duesPaidUntil: m.duesPaidUntil,
    voteWeight: m.voteWeight,
    userId: m.userId,
    delegateUserId: m.delegateUserId,
    joinedOn: m.joinedOn,
  };
}
