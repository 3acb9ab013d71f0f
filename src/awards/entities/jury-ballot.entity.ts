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
import { UserEntity } from 'src/auth/entities/user.entity';
import { AwardRoundEntity } from './award-round.entity';

export const JURY_BALLOT_STATUSES = ['draft', 'submitted'] as const;
export type JuryBallotStatus = (typeof JURY_BALLOT_STATUSES)[number];

/** Scores (nominee → criterion → score) or a ranking (nominee ids, best first). */
export interface JuryBallotContent {
  scores?: Record<string, Record<string, number>>;
  ranking?: string[];
}

/** One juror's ballot for one round; drafts are never counted. */
@Entity('award_jury_ballot')
@Check('award_jury_ballot_status_check', `"status" IN ('draft', 'submitted')`)
@Check(
  'award_jury_ballot_submitted_check',
  `("status" = 'submitted') = ("submitted_at" IS NOT NULL)`,
)
@Index('award_jury_ballot_round_juror_uq', ['roundId', 'userId'], { unique: true })
export class JuryBallotEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  roundId!: string;

  @ManyToOne(() => AwardRoundEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'round_id' })
  round?: AwardRoundEntity;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ type: 'jsonb' })
  content!: JuryBallotContent;

  @Column({ type: 'text', default: 'draft' })
  status!: JuryBallotStatus;

  @Column({ type: 'timestamptz', nullable: true })
  submittedAt!: Date | null;

  /** Saves so far; a revision after submit increments it too. */
  @Column({ type: 'integer', default: 1 })
  revision!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
