import { createHash } from 'node:crypto';
import { combine, split } from 'shamir-secret-sharing';
import * as sodium from 'sodium-native';
import { canonicalJson } from 'src/common/canonical-json';

/**
 * The cryptography of secret ballots, all of it from libsodium (sodium-native; the same formats
 * open in a browser with libsodium.js) and an audited Shamir secret sharing library:
 * - a ballot is a sealed box (X25519 + XSalsa20-Poly1305, anonymous sender) to the election's key;
 * - the server key wraps an election key or a commission share with XChaCha20-Poly1305, the
 *   election id and purpose as associated data, so a wrapped secret cannot be moved elsewhere;
 * - a commission's key is split k-of-n with Shamir's scheme.
 */

export interface ElectionKeyPair {
  publicKey: Buffer;
  secretKey: Buffer;
}

/** What a ballot's seal holds: the ballot and the voter's nonce, so its receipt can be rechecked. */
export interface SealedContent {
  ballot: Record<string, unknown>;
  nonce: string;
}

export type WrapPurpose = 'election-key' | 'commission-share';

export const SHARE_TEXT_PREFIX = 'abks1';

export function newElectionKeyPair(): ElectionKeyPair {
  const publicKey = Buffer.alloc(sodium.crypto_box_PUBLICKEYBYTES);
  const secretKey = Buffer.alloc(sodium.crypto_box_SECRETKEYBYTES);
  sodium.crypto_box_keypair(publicKey, secretKey);
  return { publicKey, secretKey };
}

export function publicKeyOf(secretKey: Buffer): Buffer {
  const publicKey = Buffer.alloc(sodium.crypto_box_PUBLICKEYBYTES);
  sodium.crypto_scalarmult_base(publicKey, secretKey);
  return publicKey;
}

export function sealBallot(content: SealedContent, publicKey: Buffer): Buffer {
  const message = Buffer.from(canonicalJson(content), 'utf8');
  const sealed = Buffer.alloc(message.length + sodium.crypto_box_SEALBYTES);
  sodium.crypto_box_seal(sealed, message, publicKey);
  return sealed;
}

/** Null when the seal does not open with this key (a wrong key or a changed ciphertext). */
export function openBallot(sealed: Buffer, keys: ElectionKeyPair): SealedContent | null {
  if (sealed.length <= sodium.crypto_box_SEALBYTES) {
    return null;
  }
  const message = Buffer.alloc(sealed.length - sodium.crypto_box_SEALBYTES);
  if (!sodium.crypto_box_seal_open(message, sealed, keys.publicKey, keys.secretKey)) {
    return null;
  }
  return JSON.parse(message.toString('utf8')) as SealedContent;
}

function associatedData(purpose: WrapPurpose, electionId: string): Buffer {
  return Buffer.from(`association-ballot/${purpose}/${electionId}`, 'utf8');
}

/** nonce ‖ ciphertext, under the server key. */
export function wrapSecret(
  secret: Buffer,
  serverKey: Buffer,
  purpose: WrapPurpose,
  electionId: string,
): Buffer {
  const nonce = Buffer.alloc(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  sodium.randombytes_buf(nonce);
  const ciphertext = Buffer.alloc(secret.length + sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES);
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    ciphertext,
    secret,
    associatedData(purpose, electionId),
    null,
    nonce,
    serverKey,
  );
  return Buffer.concat([nonce, ciphertext]);
}

/** Null when the server key, the purpose or the election differ from the wrapping's. */
export function unwrapSecret(
  wrapped: Buffer,
  serverKey: Buffer,
  purpose: WrapPurpose,
  electionId: string,
): Buffer | null {
  const n = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  const a = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (wrapped.length <= n + a) {
    return null;
  }
  const secret = Buffer.alloc(wrapped.length - n - a);
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      secret,
      null,
      wrapped.subarray(n),
      associatedData(purpose, electionId),
      wrapped.subarray(0, n),
      serverKey,
    );
  } catch {
    return null;
  }
  return secret;
}

export async function splitKey(
  secretKey: Buffer,
  holders: number,
  threshold: number,
): Promise<Buffer[]> {
  return (await split(new Uint8Array(secretKey), holders, threshold)).map((s) => Buffer.from(s));
}

export async function combineShares(shares: readonly Buffer[]): Promise<Buffer> {
  return Buffer.from(await combine(shares.map((s) => new Uint8Array(s))));
}

/** Lets a submitted share be recognised as the one handed out, without keeping the share. */
export function shareDigest(share: Buffer): string {
  return createHash('sha256').update(share).digest('hex');
}

/** The form a commission member keeps and pastes back: prefix, election, holder number, share. */
export function shareText(electionId: string, index: number, share: Buffer): string {
  return [SHARE_TEXT_PREFIX, electionId, String(index), share.toString('base64url')].join(':');
}

export function parseShareText(
  text: string,
): { electionId: string; index: number; share: Buffer } | null {
  const parts = text.trim().split(':');
  if (parts.length !== 4 || parts[0] !== SHARE_TEXT_PREFIX || !/^\d{1,3}$/.test(parts[2])) {
    return null;
  }
  if (!/^[A-Za-z0-9_-]{40,120}$/.test(parts[3])) {
    return null;
  }
  return {
    electionId: parts[1],
    index: Number(parts[2]),
    share: Buffer.from(parts[3], 'base64url'),
  };
}

/**
 * Fixes at close exactly which sealed ballots the tally will open: SHA-256 over each ballot's
 * receipt and the SHA-256 of its seal, in receipt order.
 */
export function sealedDigest(rows: readonly { receipt: string; sealed: Buffer }[]): string {
  const hash = createHash('sha256');
  for (const row of [...rows].sort((a, b) => (a.receipt < b.receipt ? -1 : 1))) {
    hash.update(`${row.receipt} ${createHash('sha256').update(row.sealed).digest('hex')}\n`);
  }
  return hash.digest('hex');
}

export function forget(secret: Buffer): void {
  sodium.sodium_memzero(secret);
}
