import { canonicalJson, sha256Hex } from 'src/common/canonical-json';

export const MANIFEST_FORMAT = 'association-ballot/manifest@2';

/**
 * A tie the count could only have settled by lot, settled instead by a recorded decision. Who
 * decided is a role, never an account.
 */
export interface TieDecision {
  /** Places at stake in the tie. */
  seats: number;
  /** The tied candidates (sorted). */
  between: string[];
  /** Whom the lot drawn from the signed seed picked; the decision replaces them. */
  drawnByLot: string[];
  /** Whom the decision gave the places to. */
  chosen: string[];
  reason: string;
  decidedBy: string;
  decidedAt: string;
}

/**
 * What certification fixes about a result. Signed as the UTF-8 bytes of its canonical JSON, so
 * anyone can check it with the public key and nothing else. It names no account or member.
 */
export interface ResultManifest {
  format: typeof MANIFEST_FORMAT;
  publicationId: string;
  contest: { kind: string; id: string; title: string };
  runId: string;
  method: string;
  config: Record<string, unknown>;
  /** Candidate ids in the order the engine received them. */
  candidates: string[];
  engineVersion: string;
  seed: string;
  /** SHA-256 of the canonical, sorted ballot list as counted. */
  inputDigest: string;
  /**
   * SHA-256 of the ballots as published, when they differ from those counted (jurors
   * pseudonymised, identical ballots aggregated); the count over either is the same. Null when
   * the published ballots are the counted ones.
   */
  publishedInputDigest: string | null;
  /** Merkle root of the receipts (elections); null where a contest has no receipts. */
  merkleRoot: string | null;
  ballotCount: number;
  participationCount: number;
  /** SHA-256 of the canonical { result, outcome } of the count (before any decision). */
  outputDigest: string;
  /** Who won as published: the count, with the decision applied when there is one. */
  winners: string[];
  /** The decision that settled a tie the count left to the lot, or null. */
  decision: TieDecision | null;
  /**
   * The certification's own audit event: it is the contest's last event in the chain and, through
   * its previous hash, commits to the whole chain before it.
   */
  auditHead: { seq: string; hash: string };
  certifiedAt: string;
  /** The role that certified (an account id stays in the database). */
  certifiedBy: string;
  /** When the result becomes public: the embargo, or the certification time. */
  publishAt: string;
  /** First 16 hex digits of SHA-256 of the raw public key. */
  keyId: string;
}

export function manifestBytes(manifest: ResultManifest): Buffer {
  return Buffer.from(canonicalJson(manifest), 'utf8');
}

export function manifestDigest(manifest: ResultManifest): string {
  return sha256Hex(manifestBytes(manifest));
}
