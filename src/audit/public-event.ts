import {
  type ChainedEvent,
  contentDigest,
  dataField,
  fieldCommitment,
  fieldSalt,
  type SealedContent,
  sealedHash,
  storedKeys,
} from './audit-chain';
import type { ActorKind } from './entities/audit-event.entity';

/**
 * An audit event as public material shows it: what happened, to which subject and when, the data
 * fields that can never name a person opened with their field salts, and everything else (the
 * acting account, any other data field) as bare commitments. Its hash can be recomputed from
 * this alone (see SealedContent), so the event is proved against the chain without the ids.
 */
export interface PublicEvent {
  seq: string;
  occurredAt: string;
  actorKind: ActorKind;
  /** Commitment to the acting account; never opened in public. Null when no account acted. */
  actor: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  subjectPrev: string | null;
  /** The fields shown, with their values. */
  data: Record<string, unknown>;
  /** For each field shown, the salt that opens its commitment. */
  salts: Record<string, string>;
  /** Commitments to the fields withheld. */
  withheld: Record<string, string>;
  prevHash: string;
  hash: string;
}

/**
 * Data fields that are shown in public material: by name, none of them ever holds an account id
 * or a member id. Every other field is withheld, so an event type added later is withheld
 * until someone decides here that it is safe.
 */
const PUBLIC_FIELDS: ReadonlySet<string> = new Set([
  // contests: settings, schedule, candidates and nominees (their own ids, not members' or users')
  'office',
  'method',
  'methodConfig',
  'seats',
  'thresholdRule',
  'blankAllowed',
  'registeredOnly',
  'meetingId',
  'categoryId',
  'number',
  'kind',
  'tieBreakSeed',
  'rollDate',
  'opensAt',
  'closesAt',
  'candidateId',
  'candidates',
  'name',
  'consented',
  'nomineeIds',
  'nomineeId',
  // closing and counting
  'merkleRoot',
  'rollSize',
  'rollWeight',
  'participations',
  'ballots',
  'registered',
  'quorum',
  'inputDigest',
  'outputDigest',
  'submitted',
  'draftsNotCounted',
  'revision',
  'runId',
  'engineVersion',
  'elected',
  'code',
  // ties and their decisions
  'between',
  'chosen',
  'selected',
  // certification and publication
  'publicationId',
  'manifestDigest',
  'publishAt',
  'publishedAt',
  'keyId',
  'winners',
  'decision',
  'wasStatus',
  'identical',
  'storedOutputDigest',
  'recomputedOutputDigest',
]);

/** Free-text reasons are shown only where they are the public rationale of a decision. */
const PUBLIC_FIELDS_OF_ACTION: Readonly<Record<string, readonly string[]>> = {
  'award.round_tie_resolved': ['reason'],
  'result.withdrawn': ['reason'],
};

export function isPublicField(action: string, key: string): boolean {
  return PUBLIC_FIELDS.has(key) || (PUBLIC_FIELDS_OF_ACTION[action]?.includes(key) ?? false);
}

/** The public form of an event that has a salt (events hashed before commitments have none). */
export function toPublicEvent(event: ChainedEvent & { salt: string }): PublicEvent {
  const data: Record<string, unknown> = {};
  const salts: Record<string, string> = {};
  const withheld: Record<string, string> = {};
  for (const key of storedKeys(event.data)) {
    const salt = fieldSalt(event.salt, dataField(key));
    if (isPublicField(event.action, key)) {
      data[key] = event.data[key];
      salts[key] = salt;
    } else {
      withheld[key] = fieldCommitment(salt, event.data[key]);
    }
  }
  return {
    seq: event.seq,
    occurredAt: event.occurredAt.toISOString(),
    actorKind: event.actorKind,
    actor:
      event.actorId === null
        ? null
        : fieldCommitment(fieldSalt(event.salt, 'actorId'), event.actorId),
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    subjectPrev: event.subjectPrev,
    data,
    salts,
    withheld,
    prevHash: event.prevHash,
    hash: event.hash,
  };
}

/**
 * Recomputes the chain hash of a public event: opened fields are committed again from their
 * value and salt, withheld ones taken as given. Throws when the event is malformed (a field
 * both shown and withheld, a shown field without its salt).
 */
export function publicEventHash(e: PublicEvent): string {
  const data: Record<string, string> = {};
  const shown = Object.keys(e.data);
  if (shown.length !== Object.keys(e.salts).length || shown.some((k) => !(k in e.salts))) {
    throw new TypeError(`event ${e.seq}: every shown field needs exactly its salt`);
  }
  for (const key of shown) {
    if (key in e.withheld) {
      throw new TypeError(`event ${e.seq}: field ${key} is both shown and withheld`);
    }
    data[key] = fieldCommitment(e.salts[key], e.data[key]);
  }
  for (const [key, commitment] of Object.entries(e.withheld)) {
    data[key] = commitment;
  }
  const sealed: SealedContent = {
    v: 2,
    seq: e.seq,
    occurredAt: e.occurredAt,
    actorKind: e.actorKind,
    actor: e.actor,
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    subjectPrev: e.subjectPrev,
    data,
  };
  return sealedHash(e.prevHash, contentDigest(sealed));
}
