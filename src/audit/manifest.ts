import { canonicalJson, sha256Hex } from 'src/common/canonical-json';

export const MANIFEST_FORMAT = 'association-ballot/manifest@1';

/**
 * What certification fixes about a result. Signed as the UTF-8 bytes of its canonical JSON, so
 * anyone can check it with the public key and nothing else.
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
  /** SHA-256 of the canonical, sorted ballot list. */
  inputDigest: string;
  /**
   * SHA-256 of the ballots as published, when they differ from those counted (jurors
   * pseudonymised); the count over either is the same. Null when the published ballots are the
   * counted ones.
   */
  publishedInputDigest: string | null;
  /** Merkle root of the receipts (elections); null where a contest has no receipts. */
  merkleRoot: string | null;
  ballotCount: number;
  participationCount: number;
  /** SHA-256 of the canonical { result, outcome }. */
  outputDigest: string;
  /** The last audit event before certification. */
  auditHead: { seq: string; hash: string };
  certifiedAt: string;
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
