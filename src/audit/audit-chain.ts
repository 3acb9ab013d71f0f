import { canonicalJson, sha256Hex } from 'src/common/canonical-json';
import type { ActorKind } from './entities/audit-event.entity';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedEvent {
  seq: string;
  occurredAt: Date;
  actorKind: ActorKind;
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** hash = SHA-256(prevHash ‖ canonical JSON of the event's content). Pure, shared with the verifier. */
export function eventHash(event: Omit<ChainedEvent, 'hash'>): string {
  const content = canonicalJson({
    seq: event.seq,
    occurredAt: event.occurredAt.toISOString(),
    actorKind: event.actorKind,
    actorId: event.actorId,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    data: event.data,
  });
  return sha256Hex(event.prevHash + content);
}

export interface ChainCheck {
  valid: boolean;
  checked: number;
  head: string;
  brokenAtSeq?: string;
  reason?: string;
}

/** Walks events in order from `prevHash`; stops at the first event that does not link or hash. */
export function checkLinks(
  events: ChainedEvent[],
  prevHash: string,
  prevSeq: bigint | null,
): ChainCheck & { lastSeq: bigint | null } {
  let head = prevHash;
  let lastSeq = prevSeq;
  let checked = 0;
  for (const event of events) {
    const seq = BigInt(event.seq);
    if (lastSeq !== null && seq !== lastSeq + 1n) {
      return { valid: false, checked, head, lastSeq, brokenAtSeq: event.seq, reason: `sequence gap before ${event.seq}` };
    }
    if (event.prevHash !== head) {
      return { valid: false, checked, head, lastSeq, brokenAtSeq: event.seq, reason: 'previous hash does not link' };
    }
    if (eventHash(event) !== event.hash) {
      return { valid: false, checked, head, lastSeq, brokenAtSeq: event.seq, reason: 'event content does not match its hash' };
    }
    head = event.hash;
    lastSeq = seq;
    checked++;
  }
  return { valid: true, checked, head, lastSeq };
}
