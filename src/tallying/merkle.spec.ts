import { createHash } from 'node:crypto';
import { merkleProof, merkleRoot, verifyMerkleProof } from './merkle';

const receipt = (n: number): string => createHash('sha256').update(`receipt-${n}`).digest('hex');
const sha = (...parts: Buffer[]): string =>
  createHash('sha256').update(Buffer.concat(parts)).digest('hex');

describe('merkle tree of receipts', () => {
  it('hashes one receipt as a 0x00-prefixed leaf', () => {
    const r = receipt(1);
    expect(merkleRoot([r])).toBe(sha(Buffer.from([0]), Buffer.from(r, 'hex')));
  });

  it('combines two sorted leaves with a 0x01 prefix, whatever the input order', () => {
    const [a, b] = [receipt(1), receipt(2)].sort();
    const leaf = (x: string): Buffer =>
      Buffer.from(sha(Buffer.from([0]), Buffer.from(x, 'hex')), 'hex');
    const expected = sha(Buffer.from([1]), leaf(a), leaf(b));
    expect(merkleRoot([a, b])).toBe(expected);
    expect(merkleRoot([b, a])).toBe(expected);
  });

  it('proves every receipt of odd and even trees against the root', () => {
    for (const size of [1, 2, 3, 5, 8, 13, 100]) {
      const receipts = Array.from({ length: size }, (_, i) => receipt(i));
      const root = merkleRoot(receipts);
      for (const r of receipts) {
        const proof = merkleProof(receipts, r);
        expect(proof).not.toBeNull();
        expect(verifyMerkleProof(r, proof!.path, root)).toBe(true);
      }
    }
  });

  it('has no proof for an unknown receipt and rejects a tampered path', () => {
    const receipts = Array.from({ length: 7 }, (_, i) => receipt(i));
    expect(merkleProof(receipts, receipt(99))).toBeNull();
    const proof = merkleProof(receipts, receipts[3])!;
    const bad = proof.path.map((s, i) => (i === 0 ? { ...s, hash: receipt(42) } : s));
    expect(verifyMerkleProof(receipts[3], bad, merkleRoot(receipts))).toBe(false);
    expect(verifyMerkleProof(receipt(99), proof.path, merkleRoot(receipts))).toBe(false);
  });
});
