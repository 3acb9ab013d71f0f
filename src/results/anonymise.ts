import type { Ballot } from 'src/tally';
import { canonicalJson } from 'src/tally/digest';

/**
 * Jury ballots name their juror (scores are normalised per juror). For publication each juror
 * becomes `juror-N`, numbered in the order of the ballots' content, so the labels say nothing
 * about who is who yet keep the grouping the count relies on.
 */
export function pseudonymiseJurors(ballots: readonly Ballot[]): Ballot[] {
  const keyed = ballots.map((b) => {
    const { juror: _juror, ...rest } = b as Ballot & { juror?: string };
    return { rest, named: (b as { juror?: string }).juror !== undefined, key: canonicalJson(rest) };
  });
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k, i) => (k.named ? { ...k.rest, juror: `juror-${i + 1}` } : k.rest));
}
