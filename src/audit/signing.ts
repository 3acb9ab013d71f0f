import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { sha256Hex } from 'src/common/canonical-json';

/** Ed25519 over raw bytes (the algorithm takes no separate digest). Pure: no Nest, no I/O. */
export function signBytes(bytes: Buffer, privateKey: KeyObject): string {
  return sign(null, bytes, privateKey).toString('base64');
}

export function verifyBytes(bytes: Buffer, signatureBase64: string, publicKeyPem: string): boolean {
  try {
    const key = createPublicKey(publicKeyPem);
    if (key.asymmetricKeyType !== 'ed25519') {
      return false;
    }
    return verify(null, bytes, key, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

export function parsePrivateKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`the signing key is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`);
  }
  return key;
}

export function generateSigningKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

export interface PublicKeyInfo {
  pem: string;
  /** The 32 raw key bytes, base64. */
  raw: string;
  keyId: string;
}

export function publicKeyInfo(key: KeyObject): PublicKeyInfo {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const pem = pub.export({ type: 'spki', format: 'pem' }).toString();
  // An Ed25519 SPKI DER is a fixed 12-byte header followed by the 32 key bytes.
  const raw = pub.export({ type: 'spki', format: 'der' }).subarray(-32);
  return { pem, raw: raw.toString('base64'), keyId: sha256Hex(raw).slice(0, 16) };
}
