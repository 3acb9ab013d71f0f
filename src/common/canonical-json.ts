import { createHash } from 'node:crypto';

/** The tally library's canonical JSON, so ballots, results and audit events share one definition. */
export { canonicalJson } from 'src/tally/digest';

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
