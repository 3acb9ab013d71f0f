import type { ResultManifest } from 'src/audit/manifest';
import type { ChainedEvent } from 'src/audit/audit-chain';
import type { Ballot, TallyResult } from 'src/tally';

export const BUNDLE_FORMAT = 'association-ballot/audit-bundle@1';

/** An audit event of the contest, complete (time as ISO text), so its hash can be recomputed. */
export type BundleEvent = Omit<ChainedEvent, 'occurredAt'> & { occurredAt: string };

/** Another subject's event between the contest's events: only its links, not its content. */
export interface BundleLink {
  seq: string;
  prevHash: string;
  hash: string;
  withheld: true;
}

export type BundleChainEntry = BundleEvent | BundleLink;

export interface BundleParticipant {
  memberNumber: string;
  name: string;
}

/** Everything needed to check a published result offline. */
export interface AuditBundle {
  format: typeof BUNDLE_FORMAT;
  manifest: ResultManifest;
  /** Ed25519 signature (base64) over the canonical JSON of the manifest. */
  signature: string;
  publicKey: string;
  publication: {
    id: string;
    status: string;
    certifiedAt: string;
    publishedAt: string | null;
    withdrawnAt: string | null;
    withdrawalReason: string | null;
  };
  candidates: { id: string; name: string }[];
  /** Anonymised ballots in engine form, sorted by their canonical JSON. */
  ballots: Ballot[];
  /** Sorted receipts (elections); null where the contest has none. */
  receipts: string[] | null;
  participation: { count: number; voters: BundleParticipant[] | null };
  report: { result: TallyResult; outcome: Record<string, unknown> };
  /** From the contest's first event to the chain head when the bundle was made, in order. */
  audit: { entries: BundleChainEntry[] };
}

export function isWithheld(entry: BundleChainEntry): entry is BundleLink {
  return (entry as BundleLink).withheld === true;
}
