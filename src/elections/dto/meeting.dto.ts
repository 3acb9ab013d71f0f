import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsUUID,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsOptionalNotNull, IsPatchBody, IsText } from 'src/common/validation/validators';
import type { QuorumStatus } from 'src/elections/entities/election.entity';
import { MeetingEntity, QUORUM_KINDS, QuorumKind } from 'src/elections/entities/meeting.entity';
import type { AttendanceRow } from 'src/elections/meetings.repository';

export class CreateMeetingDto {
  @IsText(300)
  title!: string;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601({ strict: true })
  startsAt!: string;

  @IsText(300, { optional: true })
  place?: string;

  @ApiPropertyOptional({ default: false })
  @IsOptionalNotNull()
  @IsBoolean()
  online?: boolean;

  @ApiPropertyOptional({ enum: QUORUM_KINDS, default: 'more_than_half' })
  @IsOptionalNotNull()
  @IsIn(QUORUM_KINDS)
  quorumKind?: QuorumKind;

  @IsText(20, { optional: true })
  quorumFraction?: string;

  @ApiPropertyOptional({ minimum: 1 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quorumCount?: number;

  @ApiPropertyOptional({ default: false })
  @IsOptionalNotNull()
  @IsBoolean()
  registrationOpen?: boolean;
}

@IsPatchBody()
export class UpdateMeetingDto {
  @IsText(300, { optional: true })
  title?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptionalNotNull()
  @IsISO8601({ strict: true })
  startsAt?: string;

  @ApiPropertyOptional({ nullable: true, maxLength: 300 })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsText(300)
  place?: string | null;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  online?: boolean;

  @ApiPropertyOptional({ enum: QUORUM_KINDS })
  @IsOptionalNotNull()
  @IsIn(QUORUM_KINDS)
  quorumKind?: QuorumKind;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsText(20)
  quorumFraction?: string | null;

  @ApiPropertyOptional({ nullable: true, minimum: 1 })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quorumCount?: number | null;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  registrationOpen?: boolean;
}

export class AdminCheckInDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('4')
  memberId!: string;
}

export class QuorumStatusDto {
  @ApiProperty() rule!: string;
  @ApiProperty() votingMembers!: number;
  @ApiProperty() registered!: number;
  @ApiProperty() required!: number;
  @ApiProperty() met!: boolean;
}

export class MeetingResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ nullable: true, type: String }) place!: string | null;
  @ApiProperty() online!: boolean;
  @ApiProperty({ enum: QUORUM_KINDS }) quorumKind!: QuorumKind;
  @ApiProperty({ nullable: true, type: String }) quorumFraction!: string | null;
  @ApiProperty({ nullable: true, type: Number }) quorumCount!: number | null;
  @ApiProperty() registrationOpen!: boolean;
  @ApiProperty({ type: QuorumStatusDto }) quorum!: QuorumStatusDto;
}

export class AttendanceResponseDto {
  @ApiProperty() memberId!: string;
  @ApiProperty() memberNumber!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['self', 'admin'] }) checkedInBy!: string;
  @ApiProperty({ format: 'date-time' }) checkedInAt!: string;
}

export class CheckInResponseDto {
  @ApiProperty({
    type: [String],
    description: 'Members now registered (already registered ones included)',
  })
  memberIds!: string[];
  @ApiProperty({ type: QuorumStatusDto }) quorum!: QuorumStatusDto;
}

export function toMeetingResponse(m: MeetingEntity, quorum: QuorumStatus): MeetingResponseDto {
  return {
    id: m.id,
    title: m.title,
    startsAt: m.startsAt.toISOString(),
    place: m.place,
    online: m.online,
    quorumKind: m.quorumKind,
    quorumFraction: m.quorumFraction,
    quorumCount: m.quorumCount,
    registrationOpen: m.registrationOpen,
    quorum,
  };
}

export function toAttendanceResponse(a: AttendanceRow): AttendanceResponseDto {
  return { ...a, checkedInAt: a.checkedInAt.toISOString() };
}
