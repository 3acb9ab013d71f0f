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
import { AwardEditionEntity } from './award-edition.entity';

export const AWARD_METHODS = ['score', 'borda', 'schulze', 'irv'] as const;
export type AwardMethod = (typeof AWARD_METHODS)[number];
export const RESULTS_DISPLAYS = ['anonymised_jurors', 'aggregates_only'] as const;
export type ResultsDisplay = (typeof RESULTS_DISPLAYS)[number];

/** A scoring criterion: scores are numbers in [min, max]; weights are relative. */
export interface Criterion {
  id: string;
  title: string;
  weight: number;
  min: number;
  max: number;
}

/** Engine options besides seats and criteria (score: aggregate, trim, normalise, minScores). */
export interface CategoryMethodConfig {
  aggregate?: 'mean' | 'trimmed_mean';
  trim?: number;
  normalise?: 'zscore';
  minScores?: number;
  points?: 'borda' | 'dowdall';
  strength?: 'winning' | 'margin' | 'ratio';
}

@Entity('award_category')
@Check('award_category_method_check', `"method" IN ('score', 'borda', 'schulze', 'irv')`)
@Check('award_category_winners_check', `"winners" >= 1 AND "winners" <= 20`)
@Check(
  'award_category_short_list_check',
  `"short_list_size" IS NULL OR ("short_list_size" >= 1 AND "short_list_size" <= 100)`,
)
@Check('award_category_limit_check', `"nominations_per_member" >= 1`)
@Check(
  'award_category_display_check',
  `"results_display" IN ('anonymised_jurors', 'aggregates_only')`,
)
@Index('award_category_edition_idx', ['editionId'])
export class AwardCategoryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  editionId!: string;

  @ManyToOne(() => AwardEditionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'edition_id' })
  edition?: AwardEditionEntity;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'text' })
  method!: AwardMethod;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  methodConfig!: CategoryMethodConfig;

  @Column({ type: 'integer', default: 1 })
  winners!: number;

  /** Set: the first round selects this many for a short list; unset: one round picks winners. */
  @Column({ type: 'integer', nullable: true })
  shortListSize!: number | null;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  criteria!: Criterion[];

  @Column({ type: 'integer', default: 1 })
  nominationsPerMember!: number;

  @Column({ type: 'boolean', default: false })
  selfNominationAllowed!: boolean;

  /** An admin may close one category's nominations before the edition's window ends. */
  @Column({ type: 'boolean', default: false })
  nominationsClosed!: boolean;

  /** How per-juror scores appear once published: as Juror A, B… or not at all. */
  @Column({ type: 'text', default: 'anonymised_jurors' })
  resultsDisplay!: ResultsDisplay;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
