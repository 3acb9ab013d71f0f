import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ElectionEntity } from './election.entity';

/**
 * The content of one vote. Deliberately nothing here points at a member, a user or a participation,
 * the id is random and there is no time column: a ballot cannot be traced back to its voter.
 * The table is append-only.
 */
@Entity('ballot')
@Check('ballot_weight_check', `"weight" >= 1`)
@Index('ballot_election_idx', ['electionId'])
export class BallotEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  electionId!: string;

  @ManyToOne(() => ElectionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'election_id' })
  election?: ElectionEntity;

  /** The canonical engine ballot (without weight). */
  @Column({ type: 'jsonb' })
  content!: Record<string, unknown>;

  @Column({ type: 'integer', default: 1 })
  weight!: number;

  /** SHA-256 over election id, canonical ballot and the voter's nonce; the nonce is not kept. */
  @Column({ type: 'char', length: 64, unique: true })
  receipt!: string;
}
