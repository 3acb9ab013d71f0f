import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  Equals,
  IsArray,
  IsInt,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

export class PreferenceDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('4')
  candidateId!: string;

  @ApiProperty({ minimum: 1, description: '1 = first preference' })
  @IsInt()
  @Min(1)
  @Max(1000)
  rank!: number;
}

/** Optional, but null is refused rather than read as absent. */
const IsOptionalNotNull = (): PropertyDecorator =>
  ValidateIf((o: Record<string, unknown>, v: unknown) => v !== undefined);

/** Exactly one field, by method: yes_no/plurality `choice`, approval/block `approve`, irv/stv/schulze `preferences`, or `blank`. */
export class BallotDto {
  @ApiPropertyOptional({ description: 'yes_no: yes | no | abstain; plurality: a candidate id' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(64)
  choice?: string;

  @ApiPropertyOptional({ type: [String], description: 'approval/block: candidate ids' })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('4', { each: true })
  approve?: string[];

  @ApiPropertyOptional({ type: [PreferenceDto], description: 'irv/stv/schulze: ranks from 1' })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => PreferenceDto)
  preferences?: PreferenceDto[];

  @ApiPropertyOptional({
    enum: [true],
    description: 'A blank ballot, where the election allows it',
  })
  @IsOptionalNotNull()
  @Equals(true)
  blank?: true;
}

/**
 * The body of a cast. On the route it is checked by hand (CastBallotBody in cast-ballot.body.ts,
 * for speed); these decorators remain the reference that check is tested against, and the docs.
 */
export class CastBallotDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The member voted for, when the caller acts for several',
  })
  @IsOptionalNotNull()
  @IsUUID('4')
  memberId?: string;

  @ApiProperty({ type: BallotDto })
  @ValidateNested()
  @Type(() => BallotDto)
  ballot!: BallotDto;
}

export class ReceiptResponseDto {
  @ApiProperty({ description: 'SHA-256 over election id, ballot and nonce; shown once, keep it' })
  receipt!: string;
  @ApiProperty({ description: 'The random nonce, so the voter can recompute the receipt' })
  nonce!: string;
  @ApiProperty() electionId!: string;
  @ApiProperty({ description: 'The ballot as stored (canonical form)' }) ballot!: Record<
    string,
    unknown
  >;
}

export class ProofStepDto {
  @ApiProperty({ enum: ['left', 'right'] }) side!: 'left' | 'right';
  @ApiProperty() hash!: string;
}

export class ReceiptProofDto {
  @ApiProperty() electionId!: string;
  @ApiProperty() receipt!: string;
  @ApiProperty() included!: true;
  @ApiProperty() merkleRoot!: string;
  @ApiProperty({ description: 'Position of the receipt among the sorted receipts' })
  leafIndex!: number;
  @ApiProperty() leafCount!: number;
  @ApiProperty({ type: [ProofStepDto] }) path!: ProofStepDto[];
  @ApiProperty({
    description:
      'SHA-256; leaves sorted; leaf = H(0x00 ‖ receipt), node = H(0x01 ‖ left ‖ right); an unpaired node is promoted',
  })
  tree!: string;
}
