import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsUUID,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsText } from 'src/common/validation/validators';
import type { CollectedShare, CustodyStatus } from 'src/elections/custody.service';
import { MAX_COMMISSION } from 'src/elections/custody.service';
import { CUSTODY_MODES, CustodyMode } from 'src/elections/entities/election.entity';

export class SetCustodyDto {
  @ApiProperty({
    enum: CUSTODY_MODES,
    description:
      'commission: the key is split among the counting commission (threshold of holders open the ballots); custodial: the server keeps it wrapped until certification',
  })
  @IsIn(CUSTODY_MODES)
  mode!: CustodyMode;

  @ApiPropertyOptional({
    minimum: 2,
    maximum: MAX_COMMISSION,
    description: 'commission: shares needed',
  })
  @ValidateIf((o: SetCustodyDto) => o.mode === 'commission' || o.threshold !== undefined)
  @IsInt()
  @Min(2)
  @Max(MAX_COMMISSION)
  threshold?: number;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'commission: the user accounts of its members, in share order',
  })
  @ValidateIf((o: SetCustodyDto) => o.mode === 'commission' || o.holders !== undefined)
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(MAX_COMMISSION)
  @IsUUID('4', { each: true })
  holders?: string[];
}

export class SubmitShareDto {
  @IsText(400)
  share!: string;
}

export class ShareHolderDto {
  @ApiProperty() index!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) collectedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) submittedAt!: string | null;
}

export class CustodyStatusDto {
  @ApiProperty({ format: 'uuid' }) electionId!: string;
  @ApiProperty({ enum: CUSTODY_MODES }) mode!: CustodyMode;
  @ApiProperty({
    enum: ['awaiting_collection', 'ready', 'awaiting_shares', 'opened', 'key_destroyed'],
    description:
      'awaiting_collection: commission members still have to collect their shares (the election cannot open); awaiting_shares: closed, waiting for the commission to hand shares back',
  })
  state!: CustodyStatus['state'];
  @ApiProperty({ type: Number, nullable: true }) threshold!: number | null;
  @ApiProperty() sharesSubmitted!: number;
  @ApiProperty({ type: [ShareHolderDto] }) holders!: ShareHolderDto[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) keyDestroyedAt!:
    string | null;
}

export class CollectedShareDto {
  @ApiProperty({ format: 'uuid' }) electionId!: string;
  @ApiProperty() office!: string;
  @ApiProperty() holderIndex!: number;
  @ApiProperty() threshold!: number;
  @ApiProperty() holders!: number;
  @ApiProperty({
    description:
      'Keep this text (or the file) safe: the server does not keep it, and it is asked for after the close',
  })
  share!: string;
  @ApiProperty({ description: 'A file name to save the share under' }) fileName!: string;
}

export function toCustodyStatusResponse(s: CustodyStatus): CustodyStatusDto {
  return {
    electionId: s.electionId,
    mode: s.mode,
    state: s.state,
    threshold: s.threshold,
    sharesSubmitted: s.sharesSubmitted,
    holders: s.holders.map((h) => ({
      index: h.holderIndex,
      name: h.displayName,
      userId: h.userId,
      collectedAt: h.collectedAt?.toISOString() ?? null,
      submittedAt: h.submittedAt?.toISOString() ?? null,
    })),
    keyDestroyedAt: s.keyDestroyedAt?.toISOString() ?? null,
  };
}

export function toCollectedShareResponse(s: CollectedShare): CollectedShareDto {
  return { ...s, fileName: `key-share-${s.electionId}-${s.holderIndex}.txt` };
}
