import { createHmac } from 'node:crypto';
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
  /**
   * The event's secret salt (hex), from which each field's commitment salt is derived. Null on an
   * event hashed before commitments existed (its hash covers the plain content).
   */
  salt: string | null;
  /** Hash of the previous event of the same subject, or null for a subject's first event. */
  subjectPrev: string | null;
}

/**
 * What the chain hashes of an event. Every field that could identify a person (the acting
 * account, each data field) is a salted commitment, so public material can show an event with
 * some fields withheld and anyone can still recompute its hash: a shown field is opened with its
 * field salt, a withheld one is given as its commitment. The field salts are derived from the
 * event's secret salt with HMAC, so opening one field reveals nothing about the others, and the
 * same account commits differently in every event. `subjectPrev` chains a subject's own events,
 * so they prove each other without the rest of the chain.
 */
export interface SealedContent {
  v: 2;
  seq: string;
  occurredAt: string;
  actorKind: ActorKind;
  /** Commitment to the acting account, null when no account acted. */
  actor: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  subjectPrev: string | null;
  /** Data field → commitment to its value. */
  data: Record<string, string>;
}

/** The salt of one field of an event: HMAC-SHA256 keyed with the event's salt. */
export function fieldSalt(eventSalt: string, field: string): string {
  return createHmac('sha256', Buffer.from(eventSalt, 'hex')).update(field, 'utf8').digest('hex');
}

/** A hiding, binding commitment to a value: SHA-256(field salt ‖ canonical JSON of the value). */
export function fieldCommitment(salt: string, value: unknown): string {
  return sha256Hex(salt + canonicalJson(value));
}

export const ACTOR_FIELD = 'actorId';
export const dataField = (key: string): string => `data.${key}`;

/** Data keys as stored: a key whose value is undefined is not stored (JSON drops it). */
export function storedKeys(data: Record<string, unknown>): string[] {
  return Object.keys(data).filter((k) => data[k] !== undefined);
}

export function sealedContent(event: Omit<ChainedEvent, 'hash'> & { salt: string }): SealedContent {
  const data: Record<string, string> = {};
  for (const key of storedKeys(event.data)) {
    data[key] = fieldCommitment(fieldSalt(event.salt, dataField(key)), event.data[key]);
  }
  return {
    v: 2,
    seq: event.seq,
    occurredAt: event.occurredAt.toISOString(),
    actorKind: event.actorKind,
    actor:
      event.actorId === null
        ? null
        : fieldCommitment(fieldSalt(event.salt, ACTOR_FIELD), event.actorId),
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    subjectPrev: event.subjectPrev,
    data,
  };
}

export function contentDigest(sealed: SealedContent): string {
  return sha256Hex(canonicalJson(sealed));
}

/** hash = SHA-256(prevHash ‖ SHA-256(canonical sealed content)). */
export function sealedHash(prevHash: string, digestOfContent: string): string {
  return sha256Hex(prevHash + digestOfContent);
}

/**
 * The event's hash. Events with a salt: over the sealed content (see SealedContent). Events
 * without one (written before commitments): SHA-256(prevHash ‖ canonical JSON of the content).
 * Pure, shared with the verifier.
 */
export function eventHash(event: Omit<ChainedEvent, 'hash'>): string {
  if (event.salt !== null) {
    return sealedHash(event.prevHash, contentDigest(sealedContent({ ...event, salt: event.salt })));
  }
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

export const subjectKey = (subjectType: string, subjectId: string | null): string =>
  JSON.stringify([subjectType, subjectId]);

export interface ChainCheck {
  valid: boolean;
  checked: number;
  head: string;
  brokenAtSeq?: string;
  reason?: string;
}

/**
 * Walks events in order from `prevHash`; stops at the first event that does not link or hash.
 * `subjects` holds the last hash of each subject seen so far (carried across batches), against
 * which every salted event's `subjectPrev` is checked.
 */
export function checkLinks(
  events: ChainedEvent[],
  prevHash: string,
  prevSeq: bigint | null,
  subjects: Map<string, string> = new Map(),
): ChainCheck & { lastSeq: bigint | null } {
  let head = prevHash;
  let lastSeq = prevSeq;
  let checked = 0;
  const broken = (event: ChainedEvent, reason: string) => ({
    valid: false,
    checked,
    head,
    lastSeq,
    brokenAtSeq: event.seq,
    reason,
  });
  for (const event of events) {
    const seq = BigInt(event.seq);
    if (lastSeq !== null && seq !== lastSeq + 1n) {
      return broken(event, `sequence gap before ${event.seq}`);
    }
    if (event.prevHash !== head) {
      return broken(event, 'previous hash does not link');
    }
    if (eventHash(event) !== event.hash) {
      return broken(event, 'event content does not match its hash');
    }
    const key = subjectKey(event.subjectType, event.subjectId);
    if (event.salt !== null && event.subjectPrev !== (subjects.get(key) ?? null)) {
      return broken(event, 'subject link does not name the previous event of its subject');
    }
    subjects.set(key, event.hash);
    head = event.hash;
    lastSeq = seq;
    checked++;
  }
  return { valid: true, checked, head, lastSeq };
}
