import { canonicalJson, digest } from 'src/tally/digest';
import type { Ballot } from 'src/tally';

/** SHA-256 over the canonical ballot list, sorted by each ballot's canonical JSON. */
export function inputDigest(ballots: readonly Ballot[]): string {
  return digest(ballots.map((b) => canonicalJson(b)).sort());
}
