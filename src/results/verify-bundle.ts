import { createPublicKey } from 'node:crypto';
import { sealedHash } from 'src/audit/audit-chain';
import { MANIFEST_FORMAT, manifestBytes } from 'src/audit/manifest';
import { publicEventHash } from 'src/audit/public-event';
import { publicKeyInfo, verifyBytes } from 'src/audit/signing';
import { ENGINE_VERSION, tally, type Method, type TallyResult } from 'src/tally';
import { canonicalJson, digest } from 'src/tally/digest';
import { inputDigest } from 'src/tallying/input-digest';
import { merkleRoot } from 'src/tallying/merkle';
import { repeatedContents } from './aggregate';
import { type AuditBundle, BUNDLE_FORMAT, type BundleChainEntry, isWithheld } from './bundle';
import {
  applyDecision,
  applyDecisionToOutcome,
  countedWinners,
  decidedWinners,
  decisionProblem,
} from './decision';

export type CheckName =
  | 'bundle format'
  | 'public key'
  | 'signature'
  | 'input digest'
  | 'aggregated ballots'
  | 'merkle root'
  | 'ballot count'
  | 'tally replay'
  | 'output digest'
  | 'tie decision'
  | 'published winners'
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
  let replayed: TallyResult | undefined;
  const replay = (): TallyResult => (replayed ??= replayTally(bundle));
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
      ? `the ${bundle.ballots.length} ballot entries as published (counted ballots ${bundle.manifest.inputDigest})`
      : `${bundle.ballots.length} ballot entries`;
    return actual === expected
      ? pass(`${actual} over ${over}`)
      : fail(`ballots hash to ${actual}, manifest says ${expected}`);
  });
  run('aggregated ballots', () => {
    const repeated = repeatedContents(bundle.ballots);
    return repeated.length === 0
      ? pass(`${bundle.ballots.length} distinct ballot contents, each once with its count`)
      : fail(
          `${repeated.length} ballot content(s) appear more than once, which would show single ballots' weights: ${repeated.slice(0, 3).join('; ')}`,
        );
  });
  run('merkle root', () => checkMerkle(bundle));
  run('ballot count', () => checkCounts(bundle));
  run('tally replay', () => checkReplay(bundle, replay()));
  run('output digest', () => {
    const counted = bundle.report.counted ?? {
      result: bundle.report.result as TallyResult,
      outcome: bundle.report.outcome,
    };
    const actual = digest({ result: counted.result, outcome: counted.outcome });
    return actual === bundle.manifest.outputDigest
      ? pass(actual)
      : fail(`the count hashes to ${actual}, manifest says ${bundle.manifest.outputDigest}`);
  });
  run('tie decision', () => checkDecision(bundle, replay()));
  run('published winners', () => checkWinners(bundle, replay()));
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

function replayTally(bundle: AuditBundle): TallyResult {
  const m = bundle.manifest;
  return tally({
    method: m.method as Method,
    config: m.config,
    candidates: m.candidates,
    ballots: bundle.ballots,
    seed: m.seed,
  });
}

/** The engine's own output in the bundle: the count before any decision. */
function countedReport(bundle: AuditBundle): {
  result: TallyResult;
  outcome: Record<string, unknown>;
} {
  return (
    bundle.report.counted ?? {
      result: bundle.report.result as TallyResult,
      outcome: bundle.report.outcome,
    }
  );
}

function differences(actual: unknown, reported: unknown, path: string): string | null {
  const found = diff(
    JSON.parse(canonicalJson(actual)) as unknown,
    JSON.parse(canonicalJson(reported)) as unknown,
    path,
  );
  if (found.length === 0) {
    return null;
  }
  const more = found.length > 5 ? ` and ${found.length - 5} more` : '';
  return `${found.slice(0, 5).join('; ')}${more}`;
}

function checkReplay(bundle: AuditBundle, replayed: TallyResult) {
  const m = bundle.manifest;
  const notes: string[] = [];
  if (m.engineVersion !== ENGINE_VERSION) {
    notes.push(`engine ${ENGINE_VERSION} replays a result of engine ${m.engineVersion}`);
  }
  const differs = differences(replayed, countedReport(bundle).result, 'result');
  if (differs) {
    return fail([`replayed result differs at ${differs}`, ...notes].join('; '));
  }
  return pass(
    [
      `${m.method}: winners ${replayed.winners.join(', ') || '(none)'}, every figure equal`,
      ...notes,
    ].join('; '),
  );
}

/** A signed decision must settle a real tie of the replayed count, among exactly its candidates. */
function checkDecision(bundle: AuditBundle, replayed: TallyResult) {
  const decision = bundle.manifest.decision;
  if (!decision) {
    if (bundle.report.counted) {
      return fail('the report holds a count before a decision, but the manifest signs none');
    }
    return replayed.unresolvedTie
      ? pass(
          `no decision: the tie between ${replayed.unresolvedTie.between.join(', ')} was drawn by lot from the signed seed`,
        )
      : pass('no tie needed a decision');
  }
  const problem = decisionProblem(replayed, decision);
  if (problem) {
    return fail(problem);
  }
  return pass(
    `a tie for ${decision.seats} place(s) between ${decision.between.join(', ')} (the lot drew ${decision.drawnByLot.join(', ')}) was decided by ${decision.decidedBy} on ${decision.decidedAt} for ${decision.chosen.join(', ')}: ${decision.reason}`,
  );
}

/** Published winners, result and outcome = the count with the signed decision applied. */
function checkWinners(bundle: AuditBundle, replayed: TallyResult) {
  const m = bundle.manifest;
  const decision = m.decision;
  const counted = countedReport(bundle);
  const expected = decidedWinners(countedWinners(replayed, counted.outcome), decision);
  if (canonicalJson(m.winners) !== canonicalJson(expected)) {
    return fail(
      `the manifest names ${m.winners.join(', ') || '(none)'}, the count${decision ? ' with the decision' : ''} gives ${expected.join(', ') || '(none)'}`,
    );
  }
  if (decision) {
    if (decisionProblem(replayed, decision)) {
      return fail('the decision does not fit the count (see tie decision)');
    }
    const result = differences(applyDecision(replayed, decision), bundle.report.result, 'result');
    if (result) {
      return fail(`the published result is not the count with the decision applied: ${result}`);
    }
    const outcome = differences(
      applyDecisionToOutcome(counted.outcome, decision, expected),
      bundle.report.outcome,
      'outcome',
    );
    if (outcome) {
      return fail(`the published outcome is not the count with the decision applied: ${outcome}`);
    }
  }
  return pass(
    `${expected.join(', ') || '(none)'}${decision ? ' (the count with the decision applied)' : ''}, in the manifest, the result and the outcome`,
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

/**
 * The contest's events are proved against the signed head: each event's hash is recomputed from
 * its public form (withheld fields as commitments), each names the contest's previous event
 * (`subjectPrev`, so none is left out) or, where a link entry stands between, follows it on the
 * chain, and the last entry is the head the manifest signs.
 */
function checkChain(bundle: AuditBundle) {
  const entries: BundleChainEntry[] = bundle.audit.entries;
  if (entries.length === 0) {
    return fail('the bundle holds no audit events');
  }
  const { kind, id } = bundle.manifest.contest;
  let previous: BundleChainEntry | null = null;
  let own = 0;
  let links = 0;
  let unchecked = 0;
  for (const entry of entries) {
    if (previous && BigInt(entry.seq) <= BigInt(previous.seq)) {
      return fail(`event ${entry.seq} comes after event ${previous.seq}`);
    }
    const follows =
      previous !== null &&
      BigInt(entry.seq) === BigInt(previous.seq) + 1n &&
      entry.prevHash === previous.hash;
    if (isWithheld(entry)) {
      if (entry.contentDigest !== undefined) {
        if (sealedHash(entry.prevHash, entry.contentDigest) !== entry.hash) {
          return fail(`link ${entry.seq} does not match its hash`);
        }
      } else {
        unchecked++;
      }
      if (previous && !follows) {
        return fail(`event ${entry.seq} does not link to event ${previous.seq}`);
      }
      links++;
    } else {
      if (entry.subjectType !== kind || entry.subjectId !== id) {
        return fail(`event ${entry.seq} is shown but belongs to another subject`);
      }
      if (publicEventHash(entry) !== entry.hash) {
        return fail(`event ${entry.seq} (${entry.action}) does not match its hash`);
      }
      if (!previous && entry.subjectPrev !== null) {
        return fail(`the contest's events before event ${entry.seq} are missing`);
      }
      if (previous && entry.subjectPrev !== previous.hash) {
        if (!isWithheld(previous)) {
          return fail(
            `event ${entry.seq} does not follow event ${previous.seq} of the contest: events are missing between them`,
          );
        }
        if (!follows) {
          return fail(`event ${entry.seq} does not link to event ${previous.seq}`);
        }
      }
      own++;
    }
    previous = entry;
  }
  const head = bundle.manifest.auditHead;
  if (previous!.seq !== head.seq || previous!.hash !== head.hash) {
    return fail(
      `the chain ends at ${previous!.seq}, not at the signed head ${head.seq}:${head.hash.slice(0, 12)}…`,
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
  const between = links > 0 ? `, ${links} other event(s) as links` : '';
  const legacy =
    unchecked > 0
      ? `; ${unchecked} link(s) written before field commitments are not rechecked`
      : '';
  return pass(
    `${own} events of this contest, each naming the one before it, up to the signed head ${head.seq}${between}${legacy}`,
  );
}
