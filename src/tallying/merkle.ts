import { createHash } from 'node:crypto';

/**
 * The receipt tree fixed at close. SHA-256 throughout; leaves are the receipts sorted ascending
 * (lower-case hex), leaf = H(0x00 ‖ receipt bytes), node = H(0x01 ‖ left ‖ right), and a node
 * without a partner at the end of a level is promoted unchanged. The root of no receipts is H("").
 */
export interface ProofStep {
  /** Where the sibling sits: hash(sibling ‖ current) for `left`, hash(current ‖ sibling) for `right`. */
  side: 'left' | 'right';
  hash: string;
}

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

function h(...parts: Buffer[]): Buffer {
  const hash = createHash('sha256');
  for (const p of parts) {
    hash.update(p);
  }
  return hash.digest();
}

export function leafHash(receipt: string): Buffer {
  return h(LEAF, Buffer.from(receipt, 'hex'));
}

function levels(receipts: readonly string[]): Buffer[][] {
  const sorted = [...receipts].sort();
  const out: Buffer[][] = [sorted.map(leafHash)];
  while (out[out.length - 1].length > 1) {
    const level = out[out.length - 1];
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? h(NODE, level[i], level[i + 1]) : level[i]);
    }
    out.push(next);
  }
  return out;
}

export function merkleRoot(receipts: readonly string[]): string {
  if (receipts.length === 0) {
    return h().toString('hex');
  }
  const all = levels(receipts);
  return all[all.length - 1][0].toString('hex');
}

/** The path from a receipt's leaf to the root, or null when the receipt is not in the tree. */
export function merkleProof(
  receipts: readonly string[],
  receipt: string,
): { index: number; path: ProofStep[] } | null {
  const sorted = [...receipts].sort();
  let index = sorted.indexOf(receipt);
  if (index < 0) {
    return null;
  }
  const leafIndex = index;
  const path: ProofStep[] = [];
  const all = levels(sorted);
  for (const level of all.slice(0, -1)) {
    const sibling = index % 2 === 0 ? index + 1 : index - 1;
    if (sibling < level.length) {
      path.push({ side: index % 2 === 0 ? 'right' : 'left', hash: level[sibling].toString('hex') });
    }
    index = Math.floor(index / 2);
  }
  return { index: leafIndex, path };
}

/** Recomputes the root from a receipt and its path. */
export function verifyMerkleProof(
  receipt: string,
  path: readonly ProofStep[],
  root: string,
): boolean {
  let current = leafHash(receipt);
  for (const step of path) {
    const sibling = Buffer.from(step.hash, 'hex');
    current = step.side === 'left' ? h(NODE, sibling, current) : h(NODE, current, sibling);
  }
  return current.toString('hex') === root;
}
