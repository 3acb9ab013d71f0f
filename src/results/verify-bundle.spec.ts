import { createHash } from 'node:crypto';
import { eventHash, GENESIS_HASH } from 'src/audit/audit-chain';
import { MANIFEST_FORMAT, manifestBytes, type ResultManifest } from 'src/audit/manifest';
import { generateSigningKey, publicKeyInfo, signBytes } from 'src/audit/signing';
import { tally, type Ballot } from 'src/tally';
import { digest } from 'src/tally/digest';
import { inputDigest } from 'src/tallying/input-digest';
import { merkleRoot } from 'src/tallying/merkle';
import { type AuditBundle, BUNDLE_FORMAT, type BundleChainEntry, type BundleEvent } from './bundle';
import { allPassed, type CheckName, verifyBundle } from './verify-bundle';

const CONTEST = 'a6f1c0de-0000-4000-8000-000000000001';
const key = generateSigningKey();
const otherKey = generateSigningKey();

/** A small plurality election signed like a real one, with other subjects' events in between. */
function newBundle(): AuditBundle {
  const candidates = ['cand-a', 'cand-b', 'cand-c'];
  const ballots: Ballot[] = [
    ...Array.from({ length: 5 }, () => ({ choice: 'cand-a' })),
    ...Array.from({ length: 3 }, () => ({ choice: 'cand-b' })),
    { choice: 'cand-c' },
  ] as Ballot[];
  const receipts = ballots.map((_, i) => createHash('sha256').update(`r${i}`).digest('hex')).sort();
  const result = tally({ method: 'plurality', config: {}, candidates, ballots, seed: 'seed-1' });
  const outcome = { elected: [{ id: 'cand-a', name: 'Ирина Петрова' }], turnout: 9 };
  const outputDigest = digest({ result, outcome });
  const entries: BundleChainEntry[] = [];
  let prevHash = GENESIS_HASH;
  const push = (action: string, subjectId: string, data: Record<string, unknown>): void => {
    const seq = String(entries.length + 1);
    const event = {
      seq,
      occurredAt: new Date(Date.UTC(2026, 10, 1, 10, entries.length)),
      actorKind: 'system' as const,
      actorId: null,
      action,
      subjectType: 'election',
      subjectId,
      data,
      prevHash,
    };
    const hash = eventHash(event);
    entries.push(
      subjectId === CONTEST
        ? { ...event, occurredAt: event.occurredAt.toISOString(), hash }
        : { seq, prevHash, hash, withheld: true },
    );
    prevHash = hash;
  };
  push('election.closed', CONTEST, { ballots: 9 });
  push('election.opened', 'other-election', {});
  const digestIn = inputDigest(ballots);
  push('tally.completed', CONTEST, { inputDigest: digestIn, outputDigest });
  const head = entries[entries.length - 1];
  push('result.certified', CONTEST, {});
  const info = publicKeyInfo(key);
  const manifest: ResultManifest = {
    format: MANIFEST_FORMAT,
    publicationId: 'pub-1',
    contest: { kind: 'election', id: CONTEST, title: 'President' },
    runId: 'run-1',
    method: 'plurality',
    config: {},
    candidates,
    engineVersion: result.engineVersion,
    seed: 'seed-1',
    inputDigest: digestIn,
    publishedInputDigest: null,
    merkleRoot: merkleRoot(receipts),
    ballotCount: 9,
    participationCount: 9,
    outputDigest,
    auditHead: { seq: head.seq, hash: head.hash },
    certifiedAt: '2026-11-01T10:05:00.000Z',
    certifiedBy: 'admin-1',
    publishAt: '2026-11-01T12:00:00.000Z',
    keyId: info.keyId,
  };
  return {
    format: BUNDLE_FORMAT,
    manifest,
    signature: signBytes(manifestBytes(manifest), key),
    publicKey: info.pem,
    publication: {
      id: 'pub-1',
      status: 'published',
      certifiedAt: manifest.certifiedAt,
      publishedAt: manifest.publishAt,
      withdrawnAt: null,
      withdrawalReason: null,
    },
    candidates: candidates.map((id) => ({ id, name: id })),
    ballots,
    receipts,
    participation: { count: 9, voters: null },
    report: { result, outcome },
    audit: { entries },
  };
}

function failing(bundle: AuditBundle): CheckName[] {
  return verifyBundle(bundle)
    .filter((r) => r.status === 'fail')
    .map((r) => r.name);
}

describe('verifyBundle', () => {
  it('passes an untouched bundle on every check', () => {
    const results = verifyBundle(newBundle());
    expect(failing(newBundle())).toEqual([]);
    expect(allPassed(results)).toBe(true);
    expect(results.find((r) => r.name === 'tally replay')?.status).toBe('pass');
    expect(results.find((r) => r.name === 'merkle root')?.status).toBe('pass');
  });

  it('fails the input digest when one ballot is changed', () => {
    const bundle = newBundle();
    bundle.ballots[8] = { choice: 'cand-b' };
    expect(failing(bundle)).toContain('input digest');
    expect(failing(bundle)).not.toContain('signature');
    expect(failing(bundle)).not.toContain('ballot count');
  });

  it('fails the input digest and the ballot count when one ballot is dropped', () => {
    const bundle = newBundle();
    bundle.ballots.pop();
    expect(failing(bundle)).toEqual(
      expect.arrayContaining<CheckName>(['input digest', 'ballot count']),
    );
  });

  it('fails the input digest and the ballot count when one ballot is added', () => {
    const bundle = newBundle();
    bundle.ballots.push({ choice: 'cand-c' });
    expect(failing(bundle)).toEqual(
      expect.arrayContaining<CheckName>(['input digest', 'ballot count']),
    );
  });

  it('fails the tally replay and the output digest when a count in the report is changed', () => {
    const bundle = newBundle();
    const round = bundle.report.result.rounds[0];
    round.votes['cand-b'] = '4';
    const failed = failing(bundle);
    expect(failed).toEqual(['tally replay', 'output digest']);
    const replay = verifyBundle(bundle).find((r) => r.name === 'tally replay')!;
    expect(replay.detail).toContain('cand-b');
  });

  it('fails the output digest when the outcome (not replayable) is changed', () => {
    const bundle = newBundle();
    bundle.report.outcome.turnout = 10;
    expect(failing(bundle)).toEqual(['output digest']);
  });

  it('fails the audit chain when one audit event is edited, even with its hash recomputed', () => {
    const edited = newBundle();
    const event = edited.audit.entries[0] as BundleEvent;
    event.data = { ballots: 8 };
    expect(failing(edited)).toEqual(['audit chain']);

    const rehashed = newBundle();
    const first = rehashed.audit.entries[0] as BundleEvent;
    first.data = { ballots: 8 };
    first.hash = eventHash({ ...first, occurredAt: new Date(first.occurredAt) });
    expect(failing(rehashed)).toEqual(['audit chain']);
  });

  it('fails the signature when it is swapped for another key’s signature', () => {
    const bundle = newBundle();
    bundle.signature = signBytes(manifestBytes(bundle.manifest), otherKey);
    expect(failing(bundle)).toEqual(['signature']);
  });

  it('fails the signature when the manifest is edited to match tampered ballots', () => {
    const bundle = newBundle();
    bundle.ballots.push({ choice: 'cand-c' });
    bundle.manifest.inputDigest = inputDigest(bundle.ballots);
    expect(failing(bundle)).toContain('signature');
  });

  it('fails the merkle root when a receipt is dropped', () => {
    const bundle = newBundle();
    bundle.receipts!.pop();
    expect(failing(bundle)).toEqual(['merkle root', 'ballot count']);
  });

  it('pins the key: a bundle re-signed with another key fails against the trusted one', () => {
    const bundle = newBundle();
    const trusted = publicKeyInfo(key).pem;
    expect(
      verifyBundle(bundle, { expectedPublicKey: trusted }).every((r) => r.status === 'pass'),
    ).toBe(true);
    const forged = newBundle();
    const info = publicKeyInfo(otherKey);
    forged.manifest.keyId = info.keyId;
    forged.publicKey = info.pem;
    forged.signature = signBytes(manifestBytes(forged.manifest), otherKey);
    const results = verifyBundle(forged, { expectedPublicKey: trusted });
    expect(results.filter((r) => r.status === 'fail').map((r) => r.name)).toEqual(['public key']);
  });
});
