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
import { UserEntity } from 'src/auth/entities/user.entity';
import { AwardCategoryEntity } from './award-category.entity';

export const JURY_ROLES = ['juror', 'chair'] as const;
export type JuryRole = (typeof JURY_ROLES)[number];

/** A juror on a category's panel. */
@Entity('award_jury_assignment')
@Check('award_jury_assignment_role_check', `"role" IN ('juror', 'chair')`)
@Index('award_jury_assignment_uq', ['categoryId', 'userId'], { unique: true })
@Index('award_jury_assignment_chair_uq', ['categoryId'], {
  unique: true,
  where: `"role" = 'chair'`,
})
@Index('award_jury_assignment_user_idx', ['userId'])
export class JuryAssignmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  categoryId!: string;

  @ManyToOne(() => AwardCategoryEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'category_id' })
  category?: AwardCategoryEntity;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ type: 'text', default: 'juror' })
  role!: JuryRole;

  /**
   * The juror's employer or affiliation as the admin records it; conflict detection also uses the
   * organisations of the members the juror acts for.
   */
  @Column({ type: 'text', nullable: true })
  organisation!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
