import { ApiProperty } from '@nestjs/swagger';
import type { ElectionEntity } from 'src/elections/entities/election.entity';
import type { ElectionProtocol } from 'src/elections/results.service';
import type { TallyRunEntity } from 'src/tallying/entities/tally-run.entity';

export class TallyRunResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() method!: string;
  @ApiProperty() config!: Record<string, unknown>;
  @ApiProperty() engineVersion!: string;
  @ApiProperty({ description: 'SHA-256 of the canonical, sorted ballot list' })
  inputDigest!: string;
  @ApiProperty() seed!: string;
  @ApiProperty({ nullable: true, type: String }) merkleRoot!: string | null;
  @ApiProperty() ballotCount!: number;
  @ApiProperty() outputDigest!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class ElectionResultDto {
  @ApiProperty() electionId!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ description: 'Turnout, quorum, threshold, votes and who is elected' })
  outcome!: Record<string, unknown>;
  @ApiProperty({ description: "The engine's full result (rounds, ties, statistics)" })
  result!: Record<string, unknown>;
  @ApiProperty({ type: TallyRunResponseDto }) run!: TallyRunResponseDto;
}

export class ProtocolResponseDto {
  @ApiProperty() electionId!: string;
  @ApiProperty() outcome!: Record<string, unknown>;
  @ApiProperty({ description: 'Minutes-ready text' }) text!: string;
  @ApiProperty() seed!: string;
  @ApiProperty({ nullable: true, type: String }) merkleRoot!: string | null;
  @ApiProperty() inputDigest!: string;
  @ApiProperty() outputDigest!: string;
  @ApiProperty() engineVersion!: string;
  @ApiProperty() runId!: string;
}

export function toResultResponse(election: ElectionEntity, run: TallyRunEntity): ElectionResultDto {
  return {
    electionId: election.id,
    status: election.status,
    outcome: run.outcome,
    result: run.result,
    run: {
      id: run.id,
      method: run.method,
      config: run.config,
      engineVersion: run.engineVersion,
      inputDigest: run.inputDigest,
      seed: run.seed,
      merkleRoot: run.merkleRoot,
      ballotCount: run.ballotCount,
      outputDigest: run.outputDigest,
      createdAt: run.createdAt.toISOString(),
    },
  };
}

export function toProtocolResponse(p: ElectionProtocol): ProtocolResponseDto {
  return { ...p };
}
