import { createHash } from 'node:crypto';
import {
  ChainedEvent,
  checkLinks,
  eventHash,
  fieldCommitment,
  fieldSalt,
  GENESIS_HASH,
  sealedContent,
} from './audit-chain';

const saltOf = (seq: string): string => createHash('sha256').update(`salt-${seq}`).digest('hex');

/** Builds a valid chain of `n` events, each of its own subject unless `subject` is given. */
function chain(n: number, start = 1, prevHash = GENESIS_HASH, subject?: string): ChainedEvent[] {
  const events: ChainedEvent[] = [];
  let prev = prevHash;
  const last = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const seq = String(start + i);
    const subjectId = subject ?? `m-${seq}`;
    const content = {
      seq,
      occurredAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)),
      actorKind: 'user' as const,
      actorId: '11111111-1111-4111-8111-111111111111',
      action: 'member.created',
      subjectType: 'member',
      subjectId,
      data: { memberNumber: `M-${seq}`, nested: { b: 2, a: 1 } },
      prevHash: prev,
      salt: saltOf(seq),
      subjectPrev: last.get(subjectId) ?? null,
    };
    const event = { ...content, hash: eventHash(content) };
    events.push(event);
    last.set(subjectId, event.hash);
    prev = event.hash;
  }
  return events;
}

describe('eventHash', () => {
  it('is a SHA-256 hex digest that depends on every field', () => {
    const [event] = chain(1);
    expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    const variants: Partial<ChainedEvent>[] = [
      { seq: '2' },
      { occurredAt: new Date(event.occurredAt.getTime() + 1) },
      { actorKind: 'system' },
      { actorId: null },
      { action: 'member.deleted' },
      { subjectType: 'user' },
      { subjectId: null },
      { data: { ...event.data, extra: true } },
      { prevHash: 'f'.repeat(64) },
      { subjectPrev: 'e'.repeat(64) },
      { salt: 'd'.repeat(64) },
      { salt: null },
    ];
    for (const change of variants) {
      expect(eventHash({ ...event, ...change })).not.toBe(event.hash);
    }
  });

  it('does not depend on the key order of the data', () => {
    const [event] = chain(1);
    expect(eventHash({ ...event, data: { nested: { a: 1, b: 2 }, memberNumber: 'M-1' } })).toBe(
      event.hash,
    );
  });
});

describe('sealed content', () => {
  it('commits to each field with its own salt, and to the same account differently per event', () => {
    const [a, b] = chain(2);
    const sealed = sealedContent({ ...a, salt: a.salt! });
    expect(JSON.stringify(sealed)).not.toContain(a.actorId!);
    expect(JSON.stringify(sealed)).not.toContain('M-1');
    expect(sealed.data.memberNumber).toBe(
      fieldCommitment(fieldSalt(a.salt!, 'data.memberNumber'), 'M-1'),
    );
    expect(sealed.actor).not.toBe(sealedContent({ ...b, salt: b.salt! }).actor);
    expect(fieldSalt(a.salt!, 'data.memberNumber')).not.toBe(fieldSalt(a.salt!, 'data.nested'));
  });

  it('hashes an event without a salt over its plain content, as before commitments', () => {
    const [event] = chain(1);
    const legacy = { ...event, salt: null, subjectPrev: null };
    const plain = JSON.stringify({
      action: legacy.action,
      actorId: legacy.actorId,
      actorKind: legacy.actorKind,
      data: { memberNumber: 'M-1', nested: { a: 1, b: 2 } },
      occurredAt: legacy.occurredAt.toISOString(),
      seq: legacy.seq,
      subjectId: legacy.subjectId,
      subjectType: legacy.subjectType,
    });
    expect(eventHash(legacy)).toBe(
      createHash('sha256')
        .update(legacy.prevHash + plain)
        .digest('hex'),
    );
  });
});

describe('checkLinks', () => {
  it('accepts a well-formed chain from the genesis hash', () => {
    const events = chain(5);
    expect(checkLinks(events, GENESIS_HASH, 0n)).toEqual({
      valid: true,
      checked: 5,
      head: events[4].hash,
      lastSeq: 5n,
    });
  });

  it('continues a chain checked in batches', () => {
    const events = chain(6);
    const first = checkLinks(events.slice(0, 3), GENESIS_HASH, 0n);
    const second = checkLinks(events.slice(3), first.head, first.lastSeq);
    expect(second).toEqual({ valid: true, checked: 3, head: events[5].hash, lastSeq: 6n });
  });

  it('reports an event whose data was changed', () => {
    const events = chain(4);
    events[2] = { ...events[2], data: { memberNumber: 'FORGED' } };
    expect(checkLinks(events, GENESIS_HASH, 0n)).toMatchObject({
      valid: false,
      checked: 2,
      brokenAtSeq: '3',
      head: events[1].hash,
      reason: 'event content does not match its hash',
    });
  });

  it('reports the following event when a changed event was re-hashed', () => {
    const events = chain(4);
    const forged = { ...events[1], data: { memberNumber: 'FORGED' } };
    events[1] = { ...forged, hash: eventHash(forged) };
    expect(checkLinks(events, GENESIS_HASH, 0n)).toMatchObject({
      valid: false,
      brokenAtSeq: '3',
      reason: 'previous hash does not link',
    });
  });

  it('reports a removed event as a sequence gap', () => {
    const events = chain(4);
    events.splice(1, 1);
    expect(checkLinks(events, GENESIS_HASH, 0n)).toMatchObject({
      valid: false,
      brokenAtSeq: '3',
      checked: 1,
      reason: 'sequence gap before 3',
    });
  });

  it('reports a chain that does not start from the expected hash', () => {
    const events = chain(2, 1, 'a'.repeat(64));
    expect(checkLinks(events, GENESIS_HASH, 0n)).toMatchObject({
      valid: false,
      brokenAtSeq: '1',
      checked: 0,
    });
  });

  it('reports swapped events', () => {
    const events = chain(3);
    [events[1], events[2]] = [events[2], events[1]];
    expect(checkLinks(events, GENESIS_HASH, 0n)).toMatchObject({ valid: false, brokenAtSeq: '3' });
  });

  it("checks that each event names its subject's previous event", () => {
    const events = chain(4, 1, GENESIS_HASH, 'one-subject');
    expect(events[3].subjectPrev).toBe(events[2].hash);
    expect(checkLinks(events, GENESIS_HASH, 0n).valid).toBe(true);
    const forged = { ...events[2], subjectPrev: events[0].hash };
    events[2] = { ...forged, hash: eventHash(forged) };
    // Re-link the next event so only the subject link is wrong at event 3.
    const next = { ...events[3], prevHash: events[2].hash, subjectPrev: events[2].hash };
    events[3] = { ...next, hash: eventHash(next) };
    expect(checkLinks(events, GENESIS_HASH, 0n)).toMatchObject({
      valid: false,
      brokenAtSeq: '3',
      reason: 'subject link does not name the previous event of its subject',
    });
  });

  it('accepts an empty batch and keeps the head', () => {
    expect(checkLinks([], 'b'.repeat(64), 7n)).toEqual({
      valid: true,
      checked: 0,
      head: 'b'.repeat(64),
      lastSeq: 7n,
    });
  });
});
