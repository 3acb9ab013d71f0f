import { randomBytes } from 'node:crypto';
import {
  combineShares,
  newElectionKeyPair,
  openBallot,
  parseShareText,
  publicKeyOf,
  sealBallot,
  sealedDigest,
  shareDigest,
  shareText,
  splitKey,
  unwrapSecret,
  wrapSecret,
} from './ballot-sealing';

const ELECTION = '6f1c0c8e-3f7a-4b8e-9a65-2d7c1e0b9a11';

describe('ballot sealing', () => {
  const content = { ballot: { ranking: [['a'], ['b']] }, nonce: 'n'.repeat(64) };

  it('opens a sealed ballot only with the election key, and never seals the same ballot twice alike', () => {
    const keys = newElectionKeyPair();
    const a = sealBallot(content, keys.publicKey);
    const b = sealBallot(content, keys.publicKey);
    expect(a.equals(b)).toBe(false);
    expect(a.toString('latin1')).not.toContain('ranking');
    expect(openBallot(a, keys)).toEqual(content);
    expect(openBallot(a, newElectionKeyPair())).toBeNull();
    const changed = Buffer.from(a);
    changed[changed.length - 1] ^= 1;
    expect(openBallot(changed, keys)).toBeNull();
    expect(openBallot(Buffer.alloc(10), keys)).toBeNull();
  });

  it('unwraps a secret only with the server key, for the purpose and election it was wrapped for', () => {
    const server = randomBytes(32);
    const secret = randomBytes(32);
    const wrapped = wrapSecret(secret, server, 'election-key', ELECTION);
    expect(unwrapSecret(wrapped, server, 'election-key', ELECTION)?.equals(secret)).toBe(true);
    expect(unwrapSecret(wrapped, randomBytes(32), 'election-key', ELECTION)).toBeNull();
    expect(unwrapSecret(wrapped, server, 'commission-share', ELECTION)).toBeNull();
    expect(unwrapSecret(wrapped, server, 'election-key', ELECTION.replace('6f', '70'))).toBeNull();
  });

  it('rebuilds the election key from any k of n shares and from no fewer', async () => {
    const keys = newElectionKeyPair();
    const shares = await splitKey(keys.secretKey, 3, 2);
    for (const pair of [
      [shares[0], shares[1]],
      [shares[1], shares[2]],
      [shares[2], shares[0]],
    ]) {
      const rebuilt = await combineShares(pair);
      expect(publicKeyOf(rebuilt).equals(keys.publicKey)).toBe(true);
    }
    const alone = await combineShares([shares[0], shares[0]]).catch(() => null);
    expect(alone === null || !publicKeyOf(alone).equals(keys.publicKey)).toBe(true);
  });

  it('reads back the share text it writes, and recognises the share by its digest', async () => {
    const [share] = await splitKey(newElectionKeyPair().secretKey, 2, 2);
    const text = shareText(ELECTION, 1, share);
    const parsed = parseShareText(` ${text}\n`)!;
    expect(parsed.electionId).toBe(ELECTION);
    expect(parsed.index).toBe(1);
    expect(shareDigest(parsed.share)).toBe(shareDigest(share));
    expect(parseShareText('hello')).toBeNull();
    expect(parseShareText(text.replace('abks1', 'abks2'))).toBeNull();
    expect(parseShareText(`${text}:x`)).toBeNull();
  });

  it('fixes the sealed ballots in a digest that any change, addition or removal alters', () => {
    const rows = [
      { receipt: 'b'.repeat(64), sealed: Buffer.from('two') },
      { receipt: 'a'.repeat(64), sealed: Buffer.from('one') },
    ];
    const frozen = sealedDigest(rows);
    expect(sealedDigest([...rows].reverse())).toBe(frozen);
    expect(sealedDigest([rows[0], { ...rows[1], sealed: Buffer.from('onf') }])).not.toBe(frozen);
    expect(sealedDigest(rows.slice(1))).not.toBe(frozen);
    expect(sealedDigest([...rows, { receipt: 'c'.repeat(64), sealed: Buffer.from('3') }])).not.toBe(
      frozen,
    );
  });
});
