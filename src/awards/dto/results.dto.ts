import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AwardCategoryEntity } from 'src/awards/entities/award-category.entity';
import type { JurorScores, NomineeResult, RoundResult } from 'src/awards/results.service';
import { CategoryResponseDto, toCategoryResponse } from './edition.dto';
import { RoundResponseDto, toRoundResponse } from './round.dto';

export class NomineeResultDto implements NomineeResult {
  nomineeId!: string;
  name!: string;
  place!: number | null;
  selected!: boolean;
  @ApiPropertyOptional({ description: 'Score: the aggregate; ranked: the final count' })
  aggregate!: string | null;
  mean!: string | null;
  @ApiProperty({ description: 'Criterion id → mean score' })
  criteria!: Record<string, string>;
  scores!: number;
  recusals!: number;
  flagged!: string | null;
}

export class RoundResultDto {
  round!: RoundResponseDto;
  @ApiPropertyOptional({ description: 'The stored tally run (digests, seed, engine version)' })
  run!: RoundResult['run'];
  @ApiProperty({ type: [NomineeResultDto] })
  nominees!: NomineeResultDto[];
  @ApiPropertyOptional({ description: 'The engine report: rounds, ties, statistics, details' })
  report!: RoundResult['report'];
  @ApiProperty({ description: 'Per-juror ballots with the jurors as assigned (admins only)' })
  jurors!: JurorScores[];
  @ApiProperty({ description: 'The per-juror part as publication will show it' })
  published!: RoundResult['published'];
}

export class CategoryResultsDto {
  category!: CategoryResponseDto;
  @ApiProperty({ type: [RoundResultDto] })
  rounds!: RoundResultDto[];
}

export function toCategoryResults(results: {
  category: AwardCategoryEntity;
  rounds: RoundResult[];
}): CategoryResultsDto {
  return {
    category: toCategoryResponse(results.category),
    rounds: results.rounds.map((r) => ({ ...r, round: toRoundResponse(r.round) })),
  };
}
