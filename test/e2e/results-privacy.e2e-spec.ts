import { AuditService, SYSTEM } from 'src/audit/audit.service';
import type { AuditBundle } from 'src/results/bundle';
import { verifyBundle } from 'src/results/verify-bundle';
import { startTestApp, TestApp } from '../support/test-app';
import {
  bearer,
  cast,
  closeAndTally,
  draftElection,
  newVoters,
  openElection,
  type Voter,
} from './elections.fixtures';

jest.setTimeout(180_000);

/**
 * A weighted election published for everyone: nothing public names an account or a member, the
 * ballots are published per distinct content (no single ballot's weight), and the bundle is
 * frozen at certification and served as stored, whatever the chain does later.
 */
describe('public material of a weighted election (e2e)', () => {
  let t: TestApp;
  let closer: string;
  let certifier: string;
  let meetingId: string;
  let electionId: string;
  let stored: Buffer;

  /**
   * A published plurality election: `votes` are [weight, candidate index] pairs. One more member,
   * not on the roll at the opening (dues unpaid), is added by an admin with a reason and votes.
   */
  async function published(
    votes: [number, number][],
    late: [number, number],
  ): Promise<{ id: string; candidates: { id: string }[]; bundle: Buffer }> {
    const e = await draftElection(
      t,
      closer,
      { office: 'President', method: 'plurality', meetingId },
      ['Xenia', 'Yuri', 'Zoe'],
    );
    const voters: [Voter, number][] = [];
    for (const [voteWeight, choice] of votes) {
      voters.push([(await newVoters(t, 1, { voteWeight }))[0], choice]);
    }
    const [added] = await newVoters(t, 1, { voteWeight: late[0], duesPaidUntil: null });
    await openElection(t, closer, e.id);
    const roll = await t.http
      .post(`/api/v1/elections/${e.id}/roll`)
      .set(...bearer(closer))
      .send({ memberId: added.memberId, reason: 'Dues paid at the desk' });
    expect(roll.status).toBe(204);
    for (const [voter, choice] of [...voters, [added, late[1]] as [Voter, number]]) {
      expect((await cast(t, voter, e.id, { choice: e.candidates[choice].id })).status).toBe(201);
    }
    await closeAndTally(t, closer, e.id);
    const certified = await t.http
      .post(`/api/v1/results/election/${e.id}/certify`)
      .set(...bearer(certifier))
      .send({});
    expect(certified.body).toMatchObject({ status: 'published' });
    const [row] = await t.db.query<{ bundle: Buffer }[]>(
      `SELECT bundle FROM result_publication WHERE contest_id = $1`,
      [e.id],
    );
    return { id: e.id, candidates: e.candidates, bundle: row.bundle };
  }

  beforeAll(async () => {
    t = await startTestApp();
    closer = (await t.userWithToken('admin')).token;
    certifier = (await t.userWithToken('admin')).token;
    const meeting = await t.http
      .post('/api/v1/meetings')
      .set(...bearer(closer))
      .send({ title: 'AGM', startsAt: '2026-11-20T17:00:00Z', online: true, quorumKind: 'none' });
    expect(meeting.status).toBe(201);
    meetingId = (meeting.body as { id: string }).id;
    // Yuri: a corporate member of weight 37 alone; Zoe: two members of weight 1, and the late one.
    const e = await published(
      [
        [37, 1],
        [1, 2],
        [1, 2],
      ],
      [1, 2],
    );
    electionId = e.id;
    stored = e.bundle;
  });
  afterAll(async () => {
    await t.close();
  });

  const bundleResponse = () =>
    t.http
      .get(`/api/v1/public/results/elections/${electionId}/bundle`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });

  it('names no account and no member anywhere in its public material', async () => {
    const ids = (
      await t.db.query<{ id: string }[]>(
        `SELECT id::text FROM app_user UNION ALL SELECT id::text FROM member`,
      )
    ).map((r) => r.id);
    expect(ids.length).toBeGreaterThanOrEqual(8);
    const base = `/api/v1/public/results/elections/${electionId}`;
    const result = await t.http.get(base);
    expect(result.status).toBe(200);
    const publicationId = (result.body as { publicationId: string }).publicationId;
    const texts: [string, string][] = [
      ['bundle', (await bundleResponse()).body.toString('utf8')],
      ['result', result.text],
      ['csv', (await t.http.get(`${base}/csv`)).text],
      ['meeting', (await t.http.get(`/api/v1/public/results/meetings/${meetingId}`)).text],
      [
        'manifest',
        (await t.http.get(`/api/v1/public/publications/${publicationId}/manifest`)).text,
      ],
    ];
    for (const [what, text] of texts) {
      expect(text.length).toBeGreaterThan(100);
      const found = ids.filter((id) => text.toLowerCase().includes(id.toLowerCase()));
      expect({ what, found }).toEqual({ what, found: [] });
    }
    // The events that name members (candidates, the roll change) are there, their ids withheld.
    const bundle = JSON.parse(texts[0][1]) as AuditBundle;
    const rollAdded = bundle.audit.entries.find(
      (e) => 'action' in e && e.action === 'election.roll_entry_added',
    );
    expect(rollAdded).toMatchObject({
      actorKind: 'user',
      data: {},
      withheld: {
        memberId: expect.stringMatching(/^[0-9a-f]{64}$/),
        weight: expect.any(String),
        reason: expect.any(String),
      },
    });
    expect(bundle.manifest.certifiedBy).toBe('admin');
  });

  it('publishes the weighted ballots per distinct content, never a single ballot’s weight', async () => {
    // Xenia: members of weight 2 and 5 (the late one); Yuri: 37 alone; Zoe: two of weight 1.
    const e = await published(
      [
        [2, 0],
        [37, 1],
        [1, 2],
        [1, 2],
      ],
      [5, 0],
    );
    const bundle = JSON.parse(e.bundle.toString('utf8')) as AuditBundle;
    const [x, y, z] = e.candidates.map((c) => c.id);
    const ballots = bundle.ballots as { choice: string; count: number; weight?: string | number }[];
    expect(new Set(ballots.map((b) => b.choice)).size).toBe(ballots.length);
    expect(ballots).toEqual(
      expect.arrayContaining([
        { choice: x, count: 2, weight: '7/2' },
        { choice: z, count: 2 },
      ]),
    );
    // Yuri was chosen by one member alone: the total of that one ballot is all there is to show.
    expect(ballots.find((b) => b.choice === y)).toEqual({ choice: y, count: 1, weight: 37 });
    expect(ballots.filter((b) => b.weight === 2 || b.weight === 5)).toEqual([]);
    expect(verifyBundle(bundle).filter((r) => r.status === 'fail')).toEqual([]);
  });

  it('serves the bundle as stored, and it does not grow with later, unrelated events', async () => {
    const before = await bundleResponse();
    expect(before.status).toBe(200);
    expect(before.headers['content-type']).toContain('application/json');
    expect(Buffer.compare(before.body as Buffer, stored)).toBe(0);
    const bundle = JSON.parse(stored.toString('utf8')) as AuditBundle;
    // Only the contest's own events, up to the signed head: its certification.
    expect(bundle.audit.entries.every((e) => 'action' in e && e.subjectId === electionId)).toBe(
      true,
    );
    expect(bundle.audit.entries.at(-1)).toMatchObject({
      action: 'result.certified',
      seq: bundle.manifest.auditHead.seq,
    });

    const audit = t.app.get(AuditService);
    for (let i = 0; i < 1000; i++) {
      await audit.record({
        actor: SYSTEM,
        action: 'test.unrelated',
        subjectType: 'test',
        subjectId: `unrelated-${i % 10}`,
        data: { i },
      });
    }
    const after = await bundleResponse();
    expect(after.status).toBe(200);
    expect((after.body as Buffer).length).toBe(stored.length);
    expect(Buffer.compare(after.body as Buffer, stored)).toBe(0);
    expect(
      verifyBundle(JSON.parse((after.body as Buffer).toString('utf8')) as AuditBundle).filter(
        (r) => r.status === 'fail',
      ),
    ).toEqual([]);
    // The stored bundle is fixed like the manifest.
    await expect(
      t.db.query(`UPDATE result_publication SET bundle = '\\x7b7d' WHERE contest_id = $1`, [
        electionId,
      ]),
    ).rejects.toThrow(/certified result is fixed/);
  });
});
