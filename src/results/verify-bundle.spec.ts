import { createHash } from 'node:crypto';
import { type ChainedEvent, eventHash, GENESIS_HASH } from 'src/audit/audit-chain';
import {
  MANIFEST_FORMAT,
  manifestBytes,
  type ResultManifest,
  type TieDecision,
} from 'src/audit/manifest';
import { type PublicEvent, toPublicEvent } from 'src/audit/public-event';
import { generateSigningKey, publicKeyInfo, signBytes } from 'src/audit/signing';
import { type Ballot, type Method, type MethodConfig, tally, type TallyResult } from 'src/tally';
import { digest } from 'src/tally/digest';
import { inputDigest } from 'src/tallying/input-digest';
import { merkleRoot } from 'src/tallying/merkle';
import { aggregateBallots } from './aggregate';
import { type AuditBundle, BUNDLE_FORMAT, type BundleChainEntry } from './bundle';
import { bundleChain } from './bundle-chain';
import { applyDecision, applyDecisionToOutcome, countedWinners, decidedWinners } from './decision';
import { allPassed, type CheckName, verifyBundle } from './verify-bundle';

const CONTEST = 'a6f1c0de-0000-4000-8000-000000000001';
const ADMIN = '0d0d0d0d-0000-4000-8000-00000000ad01';
const MEMBER = '0d0d0d0d-0000-4000-8000-00000000be01';
const key = generateSigningKey();
const otherKey = generateSigningKey();
const salt = (seq: string): string => createHash('sha256').update(`salt ${seq}`).digest('hex');

interface Contest {
  kind: string;
  method: Method;
  config: MethodConfig;
  candidates: string[];
  ballots: Ballot[];
  receipts: string[] | null;
  outcome(result: TallyResult): Record<string, unknown>;
  decision?: (result: TallyResult) => TieDecision;
}

/** A chain with the contest's events and another subject's in between, as the database holds it. */
function chainOf(
  kind: string,
  events: [string, string, Record<string, unknown>][],
): ChainedEvent[] {
  const out: ChainedEvent[] = [];
  const last = new Map<string, string>();
  let prevHash = GENESIS_HASH;
  for (const [action, subjectId, data] of events) {
    const seq = String(out.length + 1);
    const event = {
      seq,
      occurredAt: new Date(Date.UTC(2026, 10, 1, 10, out.length)),
      actorKind: 'user' as const,
      actorId: ADMIN,
      action,
      subjectType: kind,
      subjectId,
      data,
      prevHash,
      salt: salt(seq),
      subjectPrev: last.get(subjectId) ?? null,
    };
    const hash = eventHash(event);
    out.push({ ...event, hash });
    last.set(subjectId, hash);
    prevHash = hash;
  }
  return out;
}

/** A contest signed and bundled the way certification does it. */
async function signedBundle(c: Contest): Promise<AuditBundle> {
  // Counted as the sources give them: aggregated per distinct content.
  const ballots = aggregateBallots(c.ballots);
  const result = tally({
    method: c.method,
    config: c.config,
    candidates: c.candidates,
    ballots,
    seed: 'seed-1',
  });
  const outcome = c.outcome(result);
  const outputDigest = digest({ result, outcome });
  const digestIn = inputDigest(ballots);
  const decision = c.decision?.(result) ?? null;
  const winners = decidedWinners(countedWinners(result, outcome), decision);
  const chain = chainOf(c.kind, [
    ['election.candidate_added', CONTEST, { candidateId: c.candidates[0], memberId: MEMBER }],
    ['election.opened', 'other-election', { rollSize: 3 }],
    ['election.closed', CONTEST, { ballots: result.stats.ballots, inputDigest: digestIn }],
    ['user.updated', 'other-user', { role: 'admin' }],
    ['tally.completed', CONTEST, { inputDigest: digestIn, outputDigest }],
    ['result.certified', CONTEST, { publicationId: 'pub-1', winners, decision }],
  ]);
  const head = chain[chain.length - 1];
  const info = publicKeyInfo(key);
  const published = inputDigest(ballots);
  const manifest: ResultManifest = {
    format: MANIFEST_FORMAT,
    publicationId: 'pub-1',
    contest: { kind: c.kind, id: CONTEST, title: 'President' },
    runId: 'run-1',
    method: c.method,
    config: c.config as unknown as Record<string, unknown>,
    candidates: c.candidates,
    engineVersion: result.engineVersion,
    seed: 'seed-1',
    inputDigest: digestIn,
    publishedInputDigest: published === digestIn ? null : published,
    merkleRoot: c.receipts ? merkleRoot(c.receipts) : null,
    ballotCount: result.stats.ballots,
    participationCount: result.stats.ballots,
    outputDigest,
    winners,
    decision,
    auditHead: { seq: head.seq, hash: head.hash },
    certifiedAt: '2026-11-01T10:05:00.000Z',
    certifiedBy: 'admin',
    publishAt: '2026-11-01T12:00:00.000Z',
    keyId: info.keyId,
  };
  const own = chain.filter((e) => e.subjectId === CONTEST);
  const bundle: AuditBundle = {
    format: BUNDLE_FORMAT,
    manifest,
    signature: signBytes(manifestBytes(manifest), key),
    publicKey: info.pem,
    publication: { id: 'pub-1', certifiedAt: manifest.certifiedAt, publishAt: manifest.publishAt },
    candidates: c.candidates.map((id) => ({ id, name: id })),
    ballots,
    receipts: c.receipts,
    participation: { count: result.stats.ballots, voters: null },
    report: {
      result: applyDecision(result, decision),
      outcome: applyDecisionToOutcome(outcome, decision, winners),
      counted: decision ? { result, outcome } : null,
    },
    audit: {
      entries: await bundleChain(own, head, (after, before) =>
        Promise.resolve(chain.filter((e) => +e.seq > +after && +e.seq < +before)),
      ),
    },
  };
  // As served: JSON, no object shared between the manifest and the events.
  return JSON.parse(JSON.stringify(bundle)) as AuditBundle;
}

/** A small weighted plurality election: a 9, b 3 (a weight-2 and a weight-1 voter), c 1. */
function election(): Promise<AuditBundle> {
  const ballots = [
    ...Array.from({ length: 5 }, () => ({ choice: 'cand-a' })),
    { choice: 'cand-a', weight: 4 },
    { choice: 'cand-b', weight: 2 },
    { choice: 'cand-b' },
    { choice: 'cand-c' },
  ] as Ballot[];
  return signedBundle({
    kind: 'election',
    method: 'plurality',
    config: {},
    candidates: ['cand-a', 'cand-b', 'cand-c'],
    ballots,
    receipts: ballots.map((_, i) => createHash('sha256').update(`r${i}`).digest('hex')).sort(),
    outcome: (r) => ({ elected: r.winners.map((id) => ({ candidateId: id, name: id })) }),
  });
}

/** A scored award round: S and H both average 8, so the lot would pick one; an admin chose S. */
function decidedRound(): Promise<AuditBundle> {
  const score = (juror: string, s: number, h: number): Ballot => ({
    juror,
    scores: { S: { q: s }, H: { q: h } },
  });
  return signedBundle({
    kind: 'award_round',
    method: 'score',
    config: {
      seats: 1,
      criteria: [{ id: 'q', weight: 1, min: 1, max: 10 }],
      aggregate: 'mean',
      minScores: 1,
    },
    candidates: ['H', 'S'],
    ballots: [score('juror-1', 7, 9), score('juror-2', 9, 7)],
    receipts: null,
    outcome: (r) => ({
      selected: r.winners,
      ranking: r.ranking,
      unresolvedTie: r.unresolvedTie ?? null,
    }),
    decision: (r) => {
      const drawn = r.winners;
      return {
        seats: 1,
        between: ['H', 'S'],
        drawnByLot: drawn,
        // Whoever the lot did not draw, so the decision changes the winner.
        chosen: drawn[0] === 'S' ? ['H'] : ['S'],
        reason: "The chair's casting vote under rule 7.3",
        decidedBy: 'admin',
        decidedAt: '2026-11-01T10:04:00.000Z',
      };
    },
  });
}

function failing(bundle: AuditBundle, options = {}): CheckName[] {
  return verifyBundle(bundle, options)
    .filter((r) => r.status === 'fail')
    .map((r) => r.name);
}

const resign = (bundle: AuditBundle): void => {
  bundle.signature = signBytes(manifestBytes(bundle.manifest), key);
};
const ownEvent = (b: AuditBundle, action: string): PublicEvent =>
  b.audit.entries.find((e) => 'action' in e && e.action === action) as PublicEvent;

describe('verifyBundle', () => {
  it('passes an untouched bundle on every check', async () => {
    const bundle = await election();
    const results = verifyBundle(bundle);
    expect(failing(bundle)).toEqual([]);
    expect(allPassed(results)).toBe(true);
    expect(results.find((r) => r.name === 'tally replay')?.status).toBe('pass');
    expect(results.find((r) => r.name === 'merkle root')?.status).toBe('pass');
  });

  it('fails the input digest when one ballot is changed', async () => {
    const bundle = await election();
    bundle.ballots[2] = { ...bundle.ballots[2], choice: 'cand-b' };
    expect(failing(bundle)).toContain('input digest');
    expect(failing(bundle)).not.toContain('signature');
    expect(failing(bundle)).not.toContain('ballot count');
  });

  it('fails the input digest and the ballot count when a ballot is dropped or added', async () => {
    const dropped = await election();
    dropped.ballots.pop();
    expect(failing(dropped)).toEqual(
      expect.arrayContaining<CheckName>(['input digest', 'ballot count']),
    );
    const added = await election();
    added.ballots.push({ choice: 'cand-d' });
    expect(failing(added)).toEqual(
      expect.arrayContaining<CheckName>(['input digest', 'ballot count']),
    );
  });

  it('refuses ballots that show single weights instead of one entry per content', async () => {
    const bundle = await election();
    const b = bundle.ballots.findIndex((x) => (x as { choice: string }).choice === 'cand-b');
    expect(bundle.ballots[b]).toEqual({ choice: 'cand-b', count: 2, weight: '3/2' });
    bundle.ballots.splice(
      b,
      1,
      { choice: 'cand-b', weight: 2 } as Ballot,
      { choice: 'cand-b' } as Ballot,
    );
    expect(failing(bundle)).toEqual<CheckName[]>([
      'input digest',
      'aggregated ballots',
      'tally replay',
    ]);
  });

  it('fails the tally replay and the output digest when a count in the report is changed', async () => {
    const bundle = await election();
    bundle.report.result.rounds[0].votes['cand-b'] = '4';
    expect(failing(bundle)).toEqual<CheckName[]>(['tally replay', 'output digest']);
    const replay = verifyBundle(bundle).find((r) => r.name === 'tally replay')!;
    expect(replay.detail).toContain('cand-b');
  });

  it('fails the output digest when the outcome (not replayable) is changed', async () => {
    const bundle = await election();
    bundle.report.outcome.turnout = 10;
    expect(failing(bundle)).toEqual<CheckName[]>(['output digest']);
  });

  it('fails the audit chain when one audit event is edited, even with its hash recomputed', async () => {
    const edited = await election();
    ownEvent(edited, 'election.closed').data.ballots = 8;
    expect(failing(edited)).toEqual<CheckName[]>(['audit chain']);

    const withheld = await election();
    const added = ownEvent(withheld, 'election.candidate_added');
    added.withheld.memberId = 'f'.repeat(64);
    expect(failing(withheld)).toEqual<CheckName[]>(['audit chain']);
  });

  it('fails the audit chain when one of the contest’s events is left out', async () => {
    const bundle = await election();
    const i = bundle.audit.entries.findIndex(
      (e) => 'action' in e && e.action === 'election.closed',
    );
    bundle.audit.entries.splice(i, 1);
    const chain = verifyBundle(bundle).find((r) => r.name === 'audit chain')!;
    expect(chain.status).toBe('fail');
    expect(chain.detail).toMatch(/missing/);
  });

  it('fails the audit chain when the chain does not end at the signed head', async () => {
    const bundle = await election();
    bundle.audit.entries.pop();
    expect(failing(bundle)).toEqual<CheckName[]>(['audit chain']);
  });

  it('shows no account or member id, only commitments to them', async () => {
    const bundle = await election();
    const text = JSON.stringify(bundle);
    expect(text).not.toContain(ADMIN);
    expect(text).not.toContain(MEMBER);
    const added = ownEvent(bundle, 'election.candidate_added');
    expect(Object.keys(added.data)).toEqual(['candidateId']);
    expect(Object.keys(added.withheld)).toEqual(['memberId']);
    expect(added.actor).toMatch(/^[0-9a-f]{64}$/);
    // The other subjects' events are not in the bundle at all.
    expect(bundle.audit.entries.every((e) => 'action' in e)).toBe(true);
  });

  it('fails the signature when it is swapped for another key’s signature', async () => {
    const bundle = await election();
    bundle.signature = signBytes(manifestBytes(bundle.manifest), otherKey);
    expect(failing(bundle)).toEqual<CheckName[]>(['signature']);
  });

  it('fails the signature when the manifest is edited to match tampered ballots', async () => {
    const bundle = await election();
    bundle.ballots.push({ choice: 'cand-c', count: 1 });
    bundle.manifest.inputDigest = inputDigest(bundle.ballots);
    expect(failing(bundle)).toContain('signature');
  });

  it('fails the merkle root when a receipt is dropped', async () => {
    const bundle = await election();
    bundle.receipts!.pop();
    expect(failing(bundle)).toEqual<CheckName[]>(['merkle root', 'ballot count']);
  });

  it('pins the key: a bundle re-signed with another key fails against the trusted one', async () => {
    const bundle = await election();
    const trusted = publicKeyInfo(key).pem;
    expect(
      verifyBundle(bundle, { expectedPublicKey: trusted }).every((r) => r.status === 'pass'),
    ).toBe(true);
    const forged = await election();
    const info = publicKeyInfo(otherKey);
    forged.manifest.keyId = info.keyId;
    forged.publicKey = info.pem;
    forged.signature = signBytes(manifestBytes(forged.manifest), otherKey);
    expect(failing(forged, { expectedPublicKey: trusted })).toEqual<CheckName[]>(['public key']);
  });
});

describe('verifyBundle on a tie settled by a decision', () => {
  it('passes, with every published field naming the decided winner', async () => {
    const bundle = await decidedRound();
    const d = bundle.manifest.decision!;
    expect(failing(bundle)).toEqual([]);
    expect(bundle.manifest.winners).toEqual(d.chosen);
    expect(bundle.report.result.winners).toEqual(d.chosen);
    expect(bundle.report.outcome.selected).toEqual(d.chosen);
    expect(bundle.report.outcome.unresolvedTie).toBeNull();
    expect(bundle.report.result.ties.at(-1)).toMatchObject({
      rule: 'decision',
      chosen: d.chosen,
      drawnByLot: d.drawnByLot,
      reason: d.reason,
    });
    expect(bundle.report.counted?.result.winners).toEqual(d.drawnByLot);
    const detail = verifyBundle(bundle).find((r) => r.name === 'tie decision')!.detail;
    expect(detail).toContain('rule 7.3');
  });

  it('fails the published winners when the decision is changed to the lot’s pick', async () => {
    const bundle = await decidedRound();
    const d = bundle.manifest.decision!;
    d.chosen = [...d.drawnByLot];
    expect(failing(bundle)).toEqual<CheckName[]>(['signature', 'published winners']);
    resign(bundle);
    expect(failing(bundle)).toEqual<CheckName[]>(['published winners']);
  });

  it('fails the tie decision when it names candidates who were not tied', async () => {
    const bundle = await decidedRound();
    bundle.manifest.decision!.between = ['H', 'S', 'X'];
    resign(bundle);
    expect(failing(bundle)).toEqual(expect.arrayContaining<CheckName>(['tie decision']));
    expect(failing(bundle)).not.toContain('signature');
  });

  it('fails the tie decision when the count had no tie to decide', async () => {
    const bundle = await election();
    bundle.manifest.decision = {
      seats: 1,
      between: ['cand-a', 'cand-b'],
      drawnByLot: ['cand-a'],
      chosen: ['cand-b'],
      reason: 'preferred',
      decidedBy: 'admin',
      decidedAt: '2026-11-01T10:04:00.000Z',
    };
    resign(bundle);
    expect(failing(bundle)).toEqual(
      expect.arrayContaining<CheckName>(['tie decision', 'published winners']),
    );
  });

  it('fails the published winners when the published result names the lot’s pick again', async () => {
    const bundle = await decidedRound();
    bundle.report.result.winners = [...bundle.manifest.decision!.drawnByLot];
    expect(failing(bundle)).toEqual<CheckName[]>(['published winners']);
  });

  it('fails the tie decision when a decided result comes without the decision signed', async () => {
    const bundle = await decidedRound();
    bundle.manifest.decision = null;
    resign(bundle);
    expect(failing(bundle)).toEqual(
      expect.arrayContaining<CheckName>(['tie decision', 'published winners']),
    );
  });
});

describe('bundleChain', () => {
  it('shows an event written before commitments as a link, with the chain between', async () => {
    const chain = chainOf('election', [
      ['election.closed', CONTEST, { ballots: 1 }],
      ['user.updated', 'other', {}],
      ['tally.completed', CONTEST, {}],
    ]);
    // The first event predates commitments: no salt, plain hash.
    const legacy = { ...chain[0], salt: null, subjectPrev: null };
    chain[0] = { ...legacy, hash: eventHash(legacy) };
    const relink = (i: number): void => {
      const e = { ...chain[i], prevHash: chain[i - 1].hash };
      chain[i] = { ...e, hash: eventHash(e) };
    };
    relink(1);
    const third = { ...chain[2], prevHash: chain[1].hash, subjectPrev: chain[0].hash };
    chain[2] = { ...third, hash: eventHash(third) };
    const entries: BundleChainEntry[] = await bundleChain(
      [chain[0], chain[2]],
      chain[2],
      (after, before) => Promise.resolve(chain.filter((e) => +e.seq > +after && +e.seq < +before)),
    );
    expect(entries.map((e) => ('action' in e ? e.action : `link ${e.seq}`))).toEqual([
      'link 1',
      'tally.completed',
    ]);
    expect(toPublicEvent({ ...chain[2], salt: chain[2].salt! }).hash).toBe(chain[2].hash);
  });
});
