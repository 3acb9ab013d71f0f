import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { ResultManifest } from 'src/audit/manifest';
import { UserEntity } from 'src/auth/entities/user.entity';
import { TallyRunEntity } from 'src/tallying/entities/tally-run.entity';

export const PUBLICATION_STATUSES = ['certified', 'published', 'withdrawn'] as const;
export type PublicationStatus = (typeof PUBLICATION_STATUSES)[number];

/**
 * A certified result of one tally run: the signed manifest, fixed at certification, and where it
 * stands (embargoed, public, withdrawn). A withdrawn publication stays, with its manifest.
 */
@Entity('result_publication')
@Check('result_publication_status_check', `"status" IN ('certified', 'published', 'withdrawn')`)
@Check(
  'result_publication_withdrawal_check',
  `"status" <> 'withdrawn' OR ("withdrawal_reason" IS NOT NULL AND "withdrawn_at" IS NOT NULL)`,
)
@Index('result_publication_live_uq', ['contestKind', 'contestId'], {
  unique: true,
  where: `"status" <> 'withdrawn'`,
})
@Index('result_publication_due_idx', ['status', 'publishAt'])
export class ResultPublicationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  contestKind!: string;

  @Column({ type: 'uuid' })
  contestId!: string;

  @Column({ type: 'uuid' })
  runId!: string;

  @ManyToOne(() => TallyRunEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'result_publication_run_fk' })
  run?: TallyRunEntity;

  @Column({ type: 'text', default: 'certified' })
  status!: PublicationStatus;

  @Column({ type: 'jsonb' })
  manifest!: ResultManifest;

  /** Ed25519 signature (base64) over the canonical manifest. */
  @Column({ type: 'text' })
  signature!: string;

  /** The public key (PEM) that checks the signature. */
  @Column({ type: 'text' })
  publicKey!: string;

  /**
   * The audit bundle (JSON bytes), frozen at certification and served as stored; fixed like the
   * manifest. Null only for publications certified before bundles were frozen. Read on its own.
   */
  @Column({ type: 'bytea', nullable: true, select: false })
  bundle!: Buffer | null;

  @Column({ type: 'uuid' })
  certifiedBy!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({
    name: 'certified_by',
    foreignKeyConstraintName: 'result_publication_certified_by_fk',
  })
  certifier?: UserEntity;

  @Column({ type: 'timestamptz' })
  certifiedAt!: Date;

  /** The embargo, or the certification time when there is none. */
  @Column({ type: 'timestamptz' })
  publishAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  withdrawnAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  withdrawnBy!: string | null;

  @Column({ type: 'text', nullable: true })
  withdrawalReason!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
