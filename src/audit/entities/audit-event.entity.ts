import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const ACTOR_KINDS = ['user', 'system', 'anonymous'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/**
 * One append-only, hash-chained event. `seq` orders the chain; `hash` = SHA-256(prevHash ‖ digest
 * of the event's sealed content), see audit-chain.ts. The database refuses UPDATE, DELETE and
 * TRUNCATE on this table.
 */
@Entity('audit_event')
@Check('audit_event_actor_kind_check', `"actor_kind" IN ('user', 'system', 'anonymous')`)
@Index('audit_event_subject_idx', ['subjectType', 'subjectId', 'seq'])
export class AuditEventEntity {
  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'text' })
  actorKind!: ActorKind;

  @Column({ type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  subjectType!: string;

  @Column({ type: 'text', nullable: true })
  subjectId!: string | null;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ type: 'char', length: 64 })
  prevHash!: string;

  @Column({ type: 'char', length: 64, unique: true })
  hash!: string;

  /** Secret salt behind the event's field commitments (never published); null before them. */
  @Column({ type: 'char', length: 64, nullable: true })
  salt!: string | null;

  /** Hash of the previous event of the same subject; null for its first event. */
  @Column({ type: 'char', length: 64, nullable: true })
  subjectPrev!: string | null;
}
