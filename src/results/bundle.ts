import type { ResultManifest } from 'src/audit/manifest';
import type { PublicEvent } from 'src/audit/public-event';
import type { Ballot, TallyResult } from 'src/tally';
import type { PublishedResult } from './decision';

export const BUNDLE_FORMAT = 'association-ballot/audit-bundle@2';

/**
 * An event of the chain shown by its links only: another subject's event between two of the
 * contest's (or one of the contest's events written before field commitments). With a content
 * digest, hash = SHA-256(prevHash ‖ contentDigest) can be rechecked; without, it cannot.
 */
export interface BundleLink {
  seq: string;
  prevHash: string;
  hash: string;
  contentDigest?: string;
  withheld: true;
}

export type BundleChainEntry = PublicEvent | BundleLink;

export interface BundleParticipant {
  memberNumber: string;
  name: string;
}

/** The report as published, and the count behind it when a decision changed it. */
export interface BundleReport {
  /** The result as published: the count with the signed decision applied. */
  result: PublishedResult;
  outcome: Record<string, unknown>;
  /**
   * With a decision: the engine's own output before it, which the verifier replays and the
   * output digest covers. Null when the published result is the count itself.
   */
  counted: { result: TallyResult; outcome: Record<string, unknown> } | null;
}

/**
 * Everything needed to check a published result offline. Built once, at certification, and
 * served as stored: later events of the chain never change it.
 */
export interface AuditBundle {
  format: typeof BUNDLE_FORMAT;
  manifest: ResultManifest;
  /** Ed25519 signature (base64) over the canonical JSON of the manifest. */
  signature: string;
  publicKey: string;
  publication: { id: string; certifiedAt: string; publishAt: string };
  candidates: { id: string; name: string }[];
  /**
   * The ballots in engine form, one entry per distinct content with its count (and, in a
   * weighted contest, the weight that makes count × weight the content's total weight), sorted by
   * canonical JSON. Jurors appear as `juror-N`.
   */
  ballots: Ballot[];
  /** Sorted receipts (elections); null where the contest has none. */
  receipts: string[] | null;
  participation: { count: number; voters: BundleParticipant[] | null };
  report: BundleReport;
  /**
   * The contest's events up to the signed head (the certification's own event), each naming the
   * one before it (`subjectPrev`), with no account or member id in them.
   */
  audit: { entries: BundleChainEntry[] };
}

export function isWithheld(entry: BundleChainEntry): entry is BundleLink {
  return (entry as BundleLink).withheld === true;
}
