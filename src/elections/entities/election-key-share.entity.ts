import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from 'src/auth/entities/user.entity';
import { ElectionEntity } from './election.entity';

/**
 * One counting-commission member's share of an election key. The share itself is here only twice
 * and briefly, wrapped under the server key: from the set-up until its holder collects it (opening
 * needs every share collected), and from its submission after the close until the tally has opened
 * the ballots. The digest recognises the share when it comes back without keeping it.
 */
@Entity('election_key_share')
@Index('election_key_share_holder_uq', ['electionId', 'userId'], { unique: true })
export class ElectionKeyShareEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'election_key_share_pk' })
  electionId!: string;

  @ManyToOne(() => ElectionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'election_id' })
  election?: ElectionEntity;

  /** 1…n, as printed on the share. */
  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'election_key_share_pk' })
  holderIndex!: number;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ type: 'char', length: 64 })
  shareDigest!: string;

  @Column({ type: 'bytea', nullable: true })
  wrappedShare!: Buffer | null;

  @Column({ type: 'timestamptz', nullable: true })
  collectedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  submittedAt!: Date | null;
}
