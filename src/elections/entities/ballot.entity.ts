import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ElectionEntity } from './election.entity';

/**
 * One vote as cast: sealed to the election's public key before it reaches SQL, so this row says
 * nothing of how anyone voted, whatever else in the database it can be linked to (it is written in
 * the same transaction as the voter's participation). Nothing here points at a member, a user or a
 * participation, the id is random and there is no time column. The table is append-only. The
 * tally opens the seals and stores what it counts in `counted_ballot`.
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

  /** libsodium sealed box of the canonical { ballot, nonce }; null only for ballots cast before sealing. */
  @Column({ type: 'bytea', nullable: true })
  sealed!: Buffer | null;

  @Column({ type: 'integer', default: 1 })
  weight!: number;

  /** SHA-256 over election id, canonical ballot and the voter's nonce; the nonce is not kept. */
  @Column({ type: 'char', length: 64, unique: true })
  receipt!: string;
}
