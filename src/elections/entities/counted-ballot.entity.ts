import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ElectionEntity } from './election.entity';

/**
 * The opened ballots of an election as the tally counts them: one row per distinct content, with how
 * many ballots had it and their total weight, numbered in the order of the content's canonical JSON.
 * Written by the tally's transaction (never by a voter's), in that order, so neither the
 * transaction id, the row order nor a dump links a row to a voter. Append-only.
 */
@Entity('counted_ballot')
@Check('counted_ballot_ballots_check', `"ballots" >= 1`)
@Check('counted_ballot_weight_check', `"weight" >= "ballots"`)
export class CountedBallotEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'counted_ballot_pk' })
  electionId!: string;

  @ManyToOne(() => ElectionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'election_id' })
  election?: ElectionEntity;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'counted_ballot_pk' })
  position!: number;

  /** The canonical engine ballot (without count or weight). */
  @Column({ type: 'jsonb' })
  content!: Record<string, unknown>;

  @Column({ type: 'integer' })
  ballots!: number;

  /** Sum of the ballots' weights (equal to `ballots` when every weight is 1). */
  @Column({ type: 'integer' })
  weight!: number;
}
