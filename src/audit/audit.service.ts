import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Database } from 'src/database/database';
import { checkLinks, ChainCheck, eventHash, GENESIS_HASH } from './audit-chain';
import { AuditListFilter, AuditRepository } from './audit.repository';
import { AuditEventEntity } from './entities/audit-event.entity';

export type Actor = { kind: 'user'; id: string } | { kind: 'system' } | { kind: 'anonymous' };

const PAGE = 2000;

export const SYSTEM: Actor = { kind: 'system' };
export const ANONYMOUS: Actor = { kind: 'anonymous' };

export interface AuditEntry {
  actor: Actor;
  action: string;
  subjectType: string;
  subjectId?: string | null;
  data?: Record<string, unknown>;
}

@Injectable()
export class AuditService {
  constructor(
    private readonly db: Database,
    private readonly events: AuditRepository,
  ) {}

  /**
   * Appends an event to the chain inside the caller's transaction (or its own), so the event exists
   * exactly when the change it records does. Appends are serialised to keep the chain linear.
   */
  async record(entry: AuditEntry): Promise<AuditEventEntity> {
    return this.db.transaction(async () => {
      await this.db.lock('audit', 'chain');
      const head = await this.events.findHead();
      const seq = head ? (BigInt(head.seq) + 1n).toString() : '1';
      const subjectId = entry.subjectId ?? null;
      const event: Omit<AuditEventEntity, 'hash'> = {
        seq,
        occurredAt: new Date(),
        actorKind: entry.actor.kind,
        actorId: entry.actor.kind === 'user' ? entry.actor.id : null,
        action: entry.action,
        subjectType: entry.subjectType,
        subjectId,
        data: entry.data ?? {},
        prevHash: head?.hash ?? GENESIS_HASH,
        salt: randomBytes(32).toString('hex'),
        subjectPrev: await this.events.findSubjectHead(entry.subjectType, subjectId),
      };
      const stored = { ...event, hash: eventHash(event) };
      await this.events.insert(stored);
      return stored;
    });
  }

  list(filter: AuditListFilter): Promise<AuditEventEntity[]> {
    return this.events.findPage(filter);
  }

  /** Every event matching the filter, read page by page. */
  async listAll(filter: Omit<AuditListFilter, 'limit'>): Promise<AuditEventEntity[]> {
    const events: AuditEventEntity[] = [];
    let afterSeq = filter.afterSeq;
    for (;;) {
      const page = await this.events.findPage({ ...filter, afterSeq, limit: PAGE });
      events.push(...page);
      if (page.length < PAGE) {
        return events;
      }
      afterSeq = page[page.length - 1].seq;
    }
  }

  async head(): Promise<{ seq: string; hash: string }> {
    return (await this.events.findHead()) ?? { seq: '0', hash: GENESIS_HASH };
  }

  /** Recomputes the whole chain from the first event, and every subject's own links. */
  async verify(): Promise<ChainCheck> {
    let prevHash = GENESIS_HASH;
    let prevSeq: bigint | null = 0n;
    let checked = 0;
    const subjects = new Map<string, string>();
    for (;;) {
      const batch = await this.events.findBatchInOrder(
        prevSeq === null ? null : prevSeq.toString(),
        2000,
      );
      if (batch.length === 0) {
        return { valid: true, checked, head: prevHash };
      }
      const result = checkLinks(batch, prevHash, prevSeq, subjects);
      checked += result.checked;
      if (!result.valid) {
        return {
          valid: false,
          checked,
          head: result.head,
          brokenAtSeq: result.brokenAtSeq,
          reason: result.reason,
        };
      }
      prevHash = result.head;
      prevSeq = result.lastSeq;
    }
  }
}
