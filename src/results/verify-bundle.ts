import { eventHash } from 'src/audit/audit-chain';
import { MANIFEST_FORMAT, manifestBytes } from 'src/audit/manifest';
import { publicKeyInfo, verifyBytes } from 'src/audit/signing';
import { createPublicKey } from 'node:crypto';
import { canonicalJson, digest } from 'src/tally/digest';
import { ENGINE_VERSION, tally, type Method } from 'src/tally';
import { inputDigest } from 'src/tallying/input-digest';
import { merkleRoot } from 'src/tallying/merkle';
import { type AuditBundle, BUNDLE_FORMAT, type BundleChainEntry, isWithheld } from './bundle';

export type CheckName =
  | 'bundle format'
  | 'public key'
  | 'signature'
  | 'input digest'
  | 'merkle root'
  | 'ballot count'
  | 'tally replay'
  | 'output digest'
  | 'audit chain'
  | 'receipt';

export interface CheckResult {
  name: CheckName;
  status: 'pass' | 'fail' | 'skip';
  detail: string;
}

export interface VerifyOptions {
  /** A public key obtained independently (PEM); the bundle's own key must then match it. */
  expectedPublicKey?: string;
  /** A voter's receipt, which must be among the receipts the Merkle root covers. */
  receipt?: string;
}

/**
 * Checks an audit bundle with nothing but its own content (and optionally a trusted public key).
 * Pure and offline; every check runs even when an earlier one fails, so a report names them all.
 */
export function verifyBundle(bundle: AuditBundle, options: VerifyOptions = {}): CheckResult[] {
  const results: CheckResult[] = [];
  const run = (name: CheckName, check: () => Omit<CheckResult, 'name'>): void => {
    try {
      results.push({ name, ...check() });
    } catch (error) {
      results.push({ name, status: 'fail', detail: `could not be checked: ${String(error)}` });
    }
  };
  run('bundle format', () => checkFormat(bundle));
  run('public key', () => checkPublicKey(bundle, options.expectedPublicKey));
  run('signature', () =>
    verifyBytes(manifestBytes(bundle.manifest), bundle.signature, bundle.publicKey)
      ? pass('Ed25519 signature over the manifest is valid')
      : fail('the signature does not match the manifest and public key'),
  );
  run('input digest', () => {
    const actual = inputDigest(bundle.ballots);
    const published = bundle.manifest.publishedInputDigest ?? null;
    const expected = published ?? bundle.manifest.inputDigest;
    const over = published
      ? `the ${bundle.ballots.length} ballots as published (jurors pseudonymised; counted ballots ${bundle.manifest.inputDigest})`
      : `${bundle.ballots.length} ballot entries`;
    return actual === expected
      ? pass(`${actual} over ${over}`)
      : fail(`ballots hash to ${actual}, manifest says ${expected}`);
  });
  run('merkle root', () => checkMerkle(bundle));
  run('ballot count', () => checkCounts(bundle));
  run('tally replay', () => checkReplay(bundle));
  run('output digest', () => {
    const actual = digest({ result: bundle.report.result, outcome: bundle.report.outcome });
    return actual === bundle.manifest.outputDigest
      ? pass(actual)
      : fail(`the report hashes to ${actual}, manifest says ${bundle.manifest.outputDigest}`);
  });
  run('audit chain', () => checkChain(bundle));
  if (options.receipt !== undefined) {
    const receipt = options.receipt.trim().toLowerCase();
    run('receipt', () =>
      bundle.receipts?.includes(receipt)
        ? pass(
            `receipt ${receipt.slice(0, 12)}… is among the ${bundle.receipts.length} counted receipts`,
          )
        : fail(`receipt ${receipt.slice(0, 12)}… is not in this bundle`),
    );
  }
  return results;
}

export function allPassed(results: readonly CheckResult[]): boolean {
  return results.every((r) => r.status !== 'fail');
}

const pass = (detail: string) => ({ status: 'pass' as const, detail });
const fail = (detail: string) => ({ status: 'fail' as const, detail });
const skip = (detail: string) => ({ status: 'skip' as const, detail });

function checkFormat(bundle: AuditBundle) {
  const missing = (
    ['manifest', 'signature', 'publicKey', 'ballots', 'participation', 'report', 'audit'] as const
  ).filter((k) => bundle[k] === undefined || bundle[k] === null);
  if (missing.length > 0) {
    return fail(`missing: ${missing.join(', ')}`);
  }
  if (bundle.format !== BUNDLE_FORMAT || bundle.manifest.format !== MANIFEST_FORMAT) {
    return fail(
      `unknown format ${bundle.format} / ${bundle.manifest.format}; this verifier reads ${BUNDLE_FORMAT}`,
    );
  }
  return pass(`${bundle.format}, manifest ${bundle.manifest.format}`);
}

function checkPublicKey(bundle: AuditBundle, expected: string | undefined) {
  const keyId = publicKeyInfo(createPublicKey(bundle.publicKey)).keyId;
  if (keyId !== bundle.manifest.keyId) {
    return fail(`the bundle's key is ${keyId}, the manifest names ${bundle.manifest.keyId}`);
  }
  if (expected === undefined) {
    return skip(`key ${keyId} taken from the bundle; pass --key to pin the association's key`);
  }
  const trusted = publicKeyInfo(createPublicKey(expected)).keyId;
  return trusted === keyId
    ? pass(`key ${keyId} matches the trusted key`)
    : fail(`the bundle is signed by ${keyId}, the trusted key is ${trusted}`);
}

function checkMerkle(bundle: AuditBundle) {
  const expected = bundle.manifest.merkleRoot;
  if (expected === null) {
    return skip('this kind of contest issues no receipts');
  }
  if (!bundle.receipts) {
    return fail('the manifest has a Merkle root but the bundle has no receipts');
  }
  const actual = merkleRoot(bundle.receipts);
  return actual === expected
    ? pass(`${actual} over ${bundle.receipts.length} receipts`)
    : fail(`receipts give ${actual}, manifest says ${expected}`);
}

function checkCounts(bundle: AuditBundle) {
  const ballots = bundle.ballots.reduce((n, b) => n + (b.count ?? 1), 0);
  const figures: [string, number][] = [
    ['ballots in the bundle', ballots],
    ['manifest ballot count', bundle.manifest.ballotCount],
    ['participations', bundle.participation.count],
    ['manifest participation count', bundle.manifest.participationCount],
  ];
  if (bundle.receipts) {
    figures.push(['receipts', bundle.receipts.length]);
  }
  if (bundle.participation.voters) {
    figures.push(['published voters', bundle.participation.voters.length]);
  }
  const text = figures.map(([k, v]) => `${k} ${v}`).join(', ');
  return figures.every(([, v]) => v === ballots) ? pass(text) : fail(text);
}

function checkReplay(bundle: AuditBundle) {
  const m = bundle.manifest;
  const replayed = tally({
    method: m.method as Method,
    config: m.config,
    candidates: m.candidates,
    ballots: bundle.ballots,
    seed: m.seed,
  });
  const notes: string[] = [];
  if (m.engineVersion !== ENGINE_VERSION) {
    notes.push(`engine ${ENGINE_VERSION} replays a result of engine ${m.engineVersion}`);
  }
  const differences = diff(
    JSON.parse(canonicalJson(replayed)) as unknown,
    JSON.parse(canonicalJson(bundle.report.result)) as unknown,
    'result',
  );
  if (differences.length > 0) {
    const shown = differences.slice(0, 5).join('; ');
    const more = differences.length > 5 ? ` and ${differences.length - 5} more` : '';
    return fail([`replayed result differs at ${shown}${more}`, ...notes].join('; '));
  }
  return pass(
    [
      `${m.method}: winners ${replayed.winners.join(', ') || '(none)'}, every figure equal`,
      ...notes,
    ].join('; '),
  );
}

/** Paths where two JSON values differ, with both values. */
function diff(actual: unknown, reported: unknown, path: string, out: string[] = []): string[] {
  if (out.length > 20) {
    return out;
  }
  if (
    actual !== null &&
    reported !== null &&
    typeof actual === 'object' &&
    typeof reported === 'object' &&
    Array.isArray(actual) === Array.isArray(reported)
  ) {
    const a = actual as Record<string, unknown>;
    const r = reported as Record<string, unknown>;
    for (const key of new Set([...Object.keys(a), ...Object.keys(r)])) {
      diff(a[key], r[key], Array.isArray(actual) ? `${path}[${key}]` : `${path}.${key}`, out);
    }
    return out;
  }
  if (canonicalJson(actual ?? null) !== canonicalJson(reported ?? null)) {
    out.push(
      `${path} (replay ${canonicalJson(actual ?? null)}, report ${canonicalJson(reported ?? null)})`,
    );
  }
  return out;
}

function checkChain(bundle: AuditBundle) {
  const entries: BundleChainEntry[] = bundle.audit.entries;
  if (entries.length === 0) {
    return fail('the bundle holds no audit events');
  }
  const { kind, id } = bundle.manifest.contest;
  let previous: BundleChainEntry | null = null;
  let own = 0;
  for (const entry of entries) {
    if (previous) {
      if (BigInt(entry.seq) !== BigInt(previous.seq) + 1n) {
        return fail(`sequence gap between ${previous.seq} and ${entry.seq}`);
      }
      if (entry.prevHash !== previous.hash) {
        return fail(`event ${entry.seq} does not link to event ${previous.seq}`);
      }
    }
    if (!isWithheld(entry)) {
      const recomputed = eventHash({ ...entry, occurredAt: new Date(entry.occurredAt) });
      if (recomputed !== entry.hash) {
        return fail(`event ${entry.seq} (${entry.action}) does not match its hash`);
      }
      if (entry.subjectType !== kind || entry.subjectId !== id) {
        return fail(`event ${entry.seq} is shown in full but belongs to another subject`);
      }
      own++;
    }
    previous = entry;
  }
  const head = bundle.manifest.auditHead;
  const anchored = entries.find((e) => e.seq === head.seq);
  if (!anchored || anchored.hash !== head.hash) {
    return fail(
      `the signed chain head ${head.seq}:${head.hash.slice(0, 12)}… is not on this chain`,
    );
  }
  const tallied = entries.some(
    (e) =>
      !isWithheld(e) &&
      e.action === 'tally.completed' &&
      e.data.inputDigest === bundle.manifest.inputDigest &&
      e.data.outputDigest === bundle.manifest.outputDigest,
  );
  if (!tallied) {
    return fail('no tally.completed event records this input and output digest');
  }
  return pass(
    `${entries.length} linked events (${own} of this contest), signed head ${head.seq} on the chain`,
  );
}
