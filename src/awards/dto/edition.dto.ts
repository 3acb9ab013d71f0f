import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsOptionalNotNull, IsPatchBody, IsText } from 'src/common/validation/validators';
import {
  AWARD_METHODS,
  AwardCategoryEntity,
  AwardMethod,
  RESULTS_DISPLAYS,
  ResultsDisplay,
} from 'src/awards/entities/award-category.entity';
import {
  AwardEditionEntity,
  EDITION_PHASES,
  EditionPhase,
} from 'src/awards/entities/award-edition.entity';
import type { AwardProgramEntity } from 'src/awards/entities/award-program.entity';

export class CreateProgramDto {
  @ApiProperty({ example: 'energy-communications-award' })
  @Matches(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'slug is lower-case words joined by -' })
  @IsText(80)
  slug!: string;

  @IsText(200)
  title!: string;

  @IsText(5000, { optional: true })
  description?: string;
}

export class ProgramResponseDto {
  id!: string;
  slug!: string;
  title!: string;
  description!: string;
}

export function toProgramResponse(p: AwardProgramEntity): ProgramResponseDto {
  return { id: p.id, slug: p.slug, title: p.title, description: p.description };
}

export class ScheduleDto {
  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsISO8601({ strict: true })
  nominationsOpenAt?: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsISO8601({ strict: true })
  nominationsCloseAt?: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsISO8601({ strict: true })
  ceremonyAt?: string | null;
}

export class CreateEditionDto extends ScheduleDto {
  @ApiProperty({ example: 2026 })
  @IsInt()
  @Min(1900)
  @Max(3000)
  year!: number;

  @ApiProperty({ example: '9th' })
  @IsText(20)
  ordinal!: string;
}

@IsPatchBody()
export class UpdateEditionDto extends ScheduleDto {
  @IsText(20, { optional: true })
  ordinal?: string;
}

export class PhaseChangeDto {
  @ApiProperty({ enum: EDITION_PHASES })
  @IsIn(EDITION_PHASES)
  phase!: EditionPhase;
}

export class EditionResponseDto {
  id!: string;
  programId!: string;
  year!: number;
  ordinal!: string;
  @ApiProperty({ enum: EDITION_PHASES })
  phase!: EditionPhase;
  nominationsOpenAt!: string | null;
  nominationsCloseAt!: string | null;
  ceremonyAt!: string | null;
}

export function toEditionResponse(e: AwardEditionEntity): EditionResponseDto {
  return {
    id: e.id,
    programId: e.programId,
    year: e.year,
    ordinal: e.ordinal,
    phase: e.phase,
    nominationsOpenAt: e.nominationsOpenAt?.toISOString() ?? null,
    nominationsCloseAt: e.nominationsCloseAt?.toISOString() ?? null,
    ceremonyAt: e.ceremonyAt?.toISOString() ?? null,
  };
}

export class CriterionDto {
  @ApiProperty({ example: 'impact' })
  @Matches(/^[a-z][a-z0-9_]*$/, { message: 'criterion id is lower-case letters, digits and _' })
  @IsText(40)
  id!: string;

  @IsText(200)
  title!: string;

  @ApiProperty({ example: 2 })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 4 })
  @Min(0.0001)
  @Max(1000)
  weight!: number;

  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(-100)
  @Max(100)
  min!: number;

  @ApiProperty({ example: 10 })
  @IsInt()
  @Min(-100)
  @Max(100)
  max!: number;
}

export class MethodConfigDto {
  @ApiPropertyOptional({ enum: ['mean', 'trimmed_mean'] })
  @IsOptionalNotNull()
  @IsIn(['mean', 'trimmed_mean'])
  aggregate?: 'mean' | 'trimmed_mean';

  @ApiPropertyOptional({ description: 'Scores dropped at each end for a trimmed mean' })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(10)
  trim?: number;

  @ApiPropertyOptional({ enum: ['zscore'] })
  @IsOptionalNotNull()
  @IsIn(['zscore'])
  normalise?: 'zscore';

  @ApiPropertyOptional({ description: 'Fewest scores a nominee needs to be ranked', default: 1 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(100)
  minScores?: number;

  @ApiPropertyOptional({ enum: ['borda', 'dowdall'] })
  @IsOptionalNotNull()
  @IsIn(['borda', 'dowdall'])
  points?: 'borda' | 'dowdall';

  @ApiPropertyOptional({ enum: ['winning', 'margin', 'ratio'] })
  @IsOptionalNotNull()
  @IsIn(['winning', 'margin', 'ratio'])
  strength?: 'winning' | 'margin' | 'ratio';
}

export class CategorySettingsDto {
  @IsText(5000, { optional: true })
  description?: string;

  @ApiPropertyOptional({ type: MethodConfigDto })
  @IsOptionalNotNull()
  @ValidateNested()
  @Type(() => MethodConfigDto)
  methodConfig?: MethodConfigDto;

  @ApiPropertyOptional({ default: 1 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(20)
  winners?: number;

  @ApiPropertyOptional({ nullable: true, description: 'Set: round 1 selects a short list' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(100)
  shortListSize?: number | null;

  @ApiPropertyOptional({ type: [CriterionDto] })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => CriterionDto)
  criteria?: CriterionDto[];

  @ApiPropertyOptional({ default: 1 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(100)
  nominationsPerMember?: number;

  @ApiPropertyOptional({ default: false })
  @IsOptionalNotNull()
  @IsBoolean()
  selfNominationAllowed?: boolean;

  @ApiPropertyOptional({ enum: RESULTS_DISPLAYS, default: 'anonymised_jurors' })
  @IsOptionalNotNull()
  @IsIn(RESULTS_DISPLAYS)
  resultsDisplay?: ResultsDisplay;
}

export class CreateCategoryDto extends CategorySettingsDto {
  @IsText(200)
  title!: string;

  @ApiProperty({ enum: AWARD_METHODS })
  @IsIn(AWARD_METHODS)
  method!: AwardMethod;
}

@IsPatchBody()
export class UpdateCategoryDto extends CategorySettingsDto {
  @IsText(200, { optional: true })
  title?: string;

  @ApiPropertyOptional({ enum: AWARD_METHODS })
  @IsOptionalNotNull()
  @IsIn(AWARD_METHODS)
  method?: AwardMethod;
}

export class CategoryResponseDto {
  id!: string;
  editionId!: string;
  title!: string;
  description!: string;
  @ApiProperty({ enum: AWARD_METHODS })
  method!: AwardMethod;
  methodConfig!: MethodConfigDto;
  winners!: number;
  shortListSize!: number | null;
  criteria!: CriterionDto[];
  nominationsPerMember!: number;
  selfNominationAllowed!: boolean;
  nominationsClosed!: boolean;
  @ApiProperty({ enum: RESULTS_DISPLAYS })
  resultsDisplay!: ResultsDisplay;
}

export function toCategoryResponse(c: AwardCategoryEntity): CategoryResponseDto {
  return {
    id: c.id,
    editionId: c.editionId,
    title: c.title,
    description: c.description,
    method: c.method,
    methodConfig: c.methodConfig,
    winners: c.winners,
    shortListSize: c.shortListSize,
    criteria: c.criteria,
    nominationsPerMember: c.nominationsPerMember,
    selfNominationAllowed: c.selfNominationAllowed,
    nominationsClosed: c.nominationsClosed,
    resultsDisplay: c.resultsDisplay,
  };
}
