import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { AwardCategoryEntity } from './award-category.entity';

export const ROUND_KINDS = ['shortlist', 'final'] as const;
export type RoundKind = (typeof ROUND_KINDS)[number];
export const ROUND_STATUSES = ['draft', 'open', 'closed', 'tie_pending', 'decided'] as const;
export type RoundStatus = (typeof ROUND_STATUSES)[number];

/** What the round decided: who advances (short list) or wins, and how a tie at the cut was settled. */
export interface RoundOutcome {
  runId: string;
  selected: string[];
  tie: { seats: number; between: string[]; drawnByLot: string[] } | null;
  decision: { chosen: string[]; reason: string; by: string; at: string } | null;
}

/** One voting pass of a category's jury. */
@Entity('award_round')
@Check('award_round_kind_check', `"kind" IN ('shortlist', 'final')`)
@Check(
  'award_round_status_check',
  `"status" IN ('draft', 'open', 'closed', 'tie_pending', 'decided')`,
)
@Check('award_round_seats_check', `"seats" >= 1`)
@Check(
  'award_round_schedule_check',
  `"opens_at" IS NULL OR "closes_at" IS NULL OR "opens_at" < "closes_at"`,
)
@Index('award_round_category_number_uq', ['categoryId', 'number'], { unique: true })
@Index('award_round_due_idx', ['status', 'opensAt', 'closesAt'])
export class AwardRoundEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  categoryId!: string;

  @ManyToOne(() => AwardCategoryEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'category_id' })
  category?: AwardCategoryEntity;

  @Column({ type: 'integer' })
  number!: number;

  @Column({ type: 'text' })
  kind!: RoundKind;

  /** How many the round selects: the short-list size or the number of winners. */
  @Column({ type: 'integer' })
  seats!: number;

  @Column({ type: 'text', default: 'draft' })
  status!: RoundStatus;

  /** Nominee ids in the round, fixed when it opens. */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  nomineeIds!: string[];

  /** Fixed when the round is created, before anyone votes: the only source of a lot. */
  @Column({ type: 'text' })
  tieBreakSeed!: string;

  @Column({ type: 'timestamptz', nullable: true })
  opensAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closesAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  openedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ type: 'char', length: 64, nullable: true })
  inputDigest!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  outcome!: RoundOutcome | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
