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
import { AwardProgramEntity } from './award-program.entity';

export const EDITION_PHASES = [
  'draft',
  'nominations',
  'screening',
  'jury',
  'results',
  'closed',
] as const;
export type EditionPhase = (typeof EDITION_PHASES)[number];

/** One year of a program, moving through its phases by admin action or on schedule. */
@Entity('award_edition')
@Check(
  'award_edition_phase_check',
  `"phase" IN ('draft', 'nominations', 'screening', 'jury', 'results', 'closed')`,
)
@Check('award_edition_year_check', `"year" >= 1900 AND "year" <= 3000`)
@Check(
  'award_edition_window_check',
  `"nominations_open_at" IS NULL OR "nominations_close_at" IS NULL OR "nominations_open_at" < "nominations_close_at"`,
)
@Index('award_edition_program_year_uq', ['programId', 'year'], { unique: true })
export class AwardEditionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  programId!: string;

  @ManyToOne(() => AwardProgramEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'program_id' })
  program?: AwardProgramEntity;

  @Column({ type: 'integer' })
  year!: number;

  /** As the association says it: "9th". */
  @Column({ type: 'text' })
  ordinal!: string;

  @Column({ type: 'text', default: 'draft' })
  phase!: EditionPhase;

  @Column({ type: 'timestamptz', nullable: true })
  nominationsOpenAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  nominationsCloseAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  ceremonyAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
