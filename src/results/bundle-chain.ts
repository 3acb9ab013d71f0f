import { type ChainedEvent, contentDigest, sealedContent } from 'src/audit/audit-chain';
import { toPublicEvent } from 'src/audit/public-event';
import type { BundleChainEntry, BundleLink } from './bundle';

/** Reads the global chain strictly between two sequence numbers, in order. */
export type ChainRange = (afterSeq: string, beforeSeq: string) => Promise<ChainedEvent[]>;

export function linkOf(event: ChainedEvent): BundleLink {
  return {
    seq: event.seq,
    prevHash: event.prevHash,
    hash: event.hash,
    ...(event.salt === null
      ? {}
      : { contentDigest: contentDigest(sealedContent({ ...event, salt: event.salt })) }),
    withheld: true,
  };
}

/**
 * The audit part of a bundle: the contest's own events up to the signed head, in public form.
 * Each names the one before it (`subjectPrev`), so nothing else of the chain is needed and the
 * bundle stays the size of the contest. Only where that link is missing (events written before
 * field commitments, or a head that is not the contest's own event) the other events in between
 * are included as links, and an event written before commitments is itself shown as a link,
 * since its hash covers its ids.
 */
export async function bundleChain(
  own: readonly ChainedEvent[],
  head: { seq: string; hash: string },
  range: ChainRange,
): Promise<BundleChainEntry[]> {
  const entries: BundleChainEntry[] = [];
  const fill = async (after: string, before: string): Promise<void> => {
    for (const event of await range(after, before)) {
      entries.push(linkOf(event));
    }
  };
  for (const event of own) {
    if (BigInt(event.seq) > BigInt(head.seq)) {
      break;
    }
    const last = entries.at(-1);
    if (last && !(event.salt !== null && event.subjectPrev === last.hash)) {
      await fill(last.seq, event.seq);
    }
    entries.push(
      event.salt === null ? linkOf(event) : toPublicEvent({ ...event, salt: event.salt }),
    );
  }
  const last = entries.at(-1);
  if (last && last.seq !== head.seq) {
    await fill(last.seq, (BigInt(head.seq) + 1n).toString());
  }
  return entries;
}
