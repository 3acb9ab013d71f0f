import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsISO8601,
  IsObject,
  IsUUID,
} from 'class-validator';
import { IsOptionalNotNull, IsText } from 'src/common/validation/validators';
import {
  AwardRoundEntity,
  ROUND_KINDS,
  ROUND_STATUSES,
  RoundKind,
  RoundOutcome,
  RoundStatus,
} from 'src/awards/entities/award-round.entity';
import {
  JURY_BALLOT_STATUSES,
  JuryBallotEntity,
  JuryBallotStatus,
} from 'src/awards/entities/jury-ballot.entity';
import type { JurorRound } from 'src/awards/ballots.service';
import { JurorNomineeDto, toJurorNominee } from './nomination.dto';

export class CreateRoundDto {
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptionalNotNull()
  @IsISO8601({ strict: true })
  opensAt?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptionalNotNull()
  @IsISO8601({ strict: true })
  closesAt?: string;
}

export class RoundResponseDto {
  id!: string;
  categoryId!: string;
  number!: number;
  @ApiProperty({ enum: ROUND_KINDS })
  kind!: RoundKind;
  seats!: number;
  @ApiProperty({ enum: ROUND_STATUSES })
  status!: RoundStatus;
  nomineeIds!: string[];
  tieBreakSeed!: string;
  opensAt!: string | null;
  closesAt!: string | null;
  openedAt!: string | null;
  closedAt!: string | null;
  inputDigest!: string | null;
  @ApiPropertyOptional({ description: 'Who advances or wins, and any tie at the cut' })
  outcome!: RoundOutcome | null;
}

export function toRoundResponse(r: AwardRoundEntity): RoundResponseDto {
  return {
    id: r.id,
    categoryId: r.categoryId,
    number: r.number,
    kind: r.kind,
    seats: r.seats,
    status: r.status,
    nomineeIds: r.nomineeIds,
    tieBreakSeed: r.tieBreakSeed,
    opensAt: r.opensAt?.toISOString() ?? null,
    closesAt: r.closesAt?.toISOString() ?? null,
    openedAt: r.openedAt?.toISOString() ?? null,
    closedAt: r.closedAt?.toISOString() ?? null,
    inputDigest: r.inputDigest,
    outcome: r.outcome,
  };
}

export class ResolveTieDto {
  @ApiProperty({ type: [String], description: 'The tied nominees who take the contested places' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsUUID('4', { each: true })
  chosen!: string[];

  @IsText(2000)
  reason!: string;
}

export class SaveBallotDto {
  @ApiPropertyOptional({
    description: 'Scored categories: nominee id → criterion id → score',
    example: { '<nomineeId>': { impact: 8, originality: 7 } },
  })
  @IsOptionalNotNull()
  @IsObject()
  scores?: Record<string, Record<string, number>>;

  @ApiPropertyOptional({
    type: [String],
    description: 'Ranked categories: nominee ids, best first',
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('4', { each: true })
  ranking?: string[];

  @ApiPropertyOptional({ default: false, description: 'Submit (counted) rather than save a draft' })
  @IsOptionalNotNull()
  @IsBoolean()
  submit?: boolean;
}

export class BallotResponseDto {
  id!: string;
  roundId!: string;
  @ApiProperty({ enum: JURY_BALLOT_STATUSES })
  status!: JuryBallotStatus;
  scores?: Record<string, Record<string, number>>;
  ranking?: string[];
  submittedAt!: string | null;
  revision!: number;
}

export function toBallotResponse(b: JuryBallotEntity): BallotResponseDto {
  return {
    id: b.id,
    roundId: b.roundId,
    status: b.status,
    ...(b.content.scores ? { scores: b.content.scores } : {}),
    ...(b.content.ranking ? { ranking: b.content.ranking } : {}),
    submittedAt: b.submittedAt?.toISOString() ?? null,
    revision: b.revision,
  };
}

/**
 * A round as a juror sees it: its own nominees minus the juror's conflicts, and no outcome (who
 * advances or wins stays with the admins until the result is published).
 */
export class JurorRoundInfoDto {
  id!: string;
  categoryId!: string;
  number!: number;
  @ApiProperty({ enum: ROUND_KINDS })
  kind!: RoundKind;
  seats!: number;
  @ApiProperty({ enum: ROUND_STATUSES })
  status!: RoundStatus;
  @ApiProperty({ type: [String], description: 'The round minus your conflicts' })
  nomineeIds!: string[];
  tieBreakSeed!: string;
  opensAt!: string | null;
  closesAt!: string | null;
  openedAt!: string | null;
  closedAt!: string | null;
}

export class JurorRoundDto {
  round!: JurorRoundInfoDto;
  categoryTitle!: string;
  @ApiProperty({ enum: ['score', 'borda', 'schulze', 'irv'] })
  method!: string;
  criteria!: { id: string; title: string; weight: number; min: number; max: number }[];
  @ApiProperty({ type: [JurorNomineeDto], description: 'The round minus your conflicts' })
  nominees!: JurorNomineeDto[];
  @ApiPropertyOptional({ type: BallotResponseDto, nullable: true })
  ballot!: BallotResponseDto | null;
}

export class JurorProgressDto {
  userId!: string;
  displayName!: string;
  role!: string;
  @ApiProperty({ enum: ['none', ...JURY_BALLOT_STATUSES] })
  ballot!: 'none' | JuryBallotStatus;
  submittedAt!: string | null;
  revision!: number;
  conflicts!: number;
}

export class NomineeProgressDto {
  nomineeId!: string;
  name!: string;
  @ApiProperty({ description: 'Submitted ballots that score or rank this nominee' })
  scores!: number;
  @ApiProperty({ description: 'Jurors on the panel with an active conflict' })
  recusals!: number;
  @ApiProperty({ description: 'Fewer submitted scores than the minimum panel size so far' })
  lacking!: boolean;
}

export class RoundProgressDto {
  round!: RoundResponseDto;
  minScores!: number;
  jurors!: JurorProgressDto[];
  nominees!: NomineeProgressDto[];
  nomineesLackingScores!: number;
}

export function toJurorRound(v: JurorRound): JurorRoundDto {
  const visible = new Set(v.nominees.map((n) => n.id));
  const r = v.round;
  return {
    round: {
      id: r.id,
      categoryId: r.categoryId,
      number: r.number,
      kind: r.kind,
      seats: r.seats,
      status: r.status,
      nomineeIds: r.nomineeIds.filter((id) => visible.has(id)),
      tieBreakSeed: r.tieBreakSeed,
      opensAt: r.opensAt?.toISOString() ?? null,
      closesAt: r.closesAt?.toISOString() ?? null,
      openedAt: r.openedAt?.toISOString() ?? null,
      closedAt: r.closedAt?.toISOString() ?? null,
    },
    categoryTitle: v.category.title,
    method: v.category.method,
    criteria: v.category.criteria,
    nominees: v.nominees.map(toJurorNominee),
    ballot: v.ballot ? toBallotResponse(v.ballot) : null,
  };
}
