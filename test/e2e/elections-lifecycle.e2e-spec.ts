import { verifyMerkleProof } from 'src/tallying/merkle';
import { startTestApp, TestApp } from '../support/test-app';
import {
  bearer,
  cast,
  closeAndTally,
  draftElection,
  newVoters,
  openElection,
  rowCounts,
} from './elections.fixtures';

jest.setTimeout(120_000);

describe('general meeting election, end to end (e2e)', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await t.userWithToken('admin')).token;
  });
  afterAll(async () => {
    await t.close();
  });

  it('elects the single presidential candidate unanimously with 160 votes for, and says so in the protocol', async () => {
    const meeting = await t.http
      .post('/api/v1/meetings')
      .set(...bearer(admin))
      .send({
        title: 'General meeting 2026',
        startsAt: '2026-05-01T15:00:00Z',
        place: 'Main hall',
        quorumKind: 'more_than_half',
        registrationOpen: true,
      });
    expect(meeting.status).toBe(201);
    const meetingId = (meeting.body as { id: string }).id;

    const voters = await newVoters(t, 160);
    for (const v of voters) {
      const res = await t.http
        .post(`/api/v1/meetings/${meetingId}/check-in`)
        .set(...bearer(v.token));
      expect(res.status).toBe(200);
    }
    const status = await t.http
      .get(`/api/v1/meetings/${meetingId}`)
      .set(...bearer(voters[0].token));
    expect(status.body.quorum).toMatchObject({ registered: 160, met: true });

    const election = await draftElection(
      t,
      admin,
      {
        meetingId,
        office: 'President',
        method: 'yes_no',
        thresholdRule: { kind: 'more_than_half', base: 'valid' },
      },
      ['Jane Doe'],
    );
    expect(election.tieBreakSeed).toMatch(/^[0-9a-f]{32}$/);
    await openElection(t, admin, election.id);

    const receipts: string[] = [];
    for (const v of voters) {
      const res = await cast(t, v, election.id, { choice: 'yes' });
      expect(res.status).toBe(201);
      receipts.push((res.body as { receipt: string }).receipt);
    }
    expect(new Set(receipts).size).toBe(160);
    expect(await rowCounts(t, election.id)).toEqual({ ballots: 160, participations: 160 });

    await closeAndTally(t, admin, election.id);
    const stored = await t.db.query(`SELECT status, merkle_root FROM election WHERE id = $1`, [
      election.id,
    ]);
    expect(stored[0].status).toBe('tallied');
    const runs = await t.db.query(`SELECT * FROM tally_run WHERE contest_id = $1`, [election.id]);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      contest_kind: 'election',
      method: 'yes_no',
      seed: election.tieBreakSeed,
      merkle_root: stored[0].merkle_root,
      ballot_count: 160,
    });
    expect(runs[0].outcome.elected).toEqual([
      { candidateId: election.candidates[0].id, name: 'Jane Doe' },
    ]);

    const protocol = await t.http
      .get(`/api/v1/elections/${election.id}/protocol`)
      .set(...bearer(admin));
    expect(protocol.status).toBe(200);
    expect(protocol.body.outcome.yesNo).toMatchObject({ for: '160', against: '0', abstain: '0' });
    expect(protocol.body.text).toContain('Elected unanimously: 160 for, 0 against, 0 abstained');
    expect(protocol.body.text).toContain(
      'Quorum: more than half of the 161 voting members, 81 required, 160 registered: met',
    );

    const proof = await t.http.get(
      `/api/v1/elections/${election.id}/receipts/${receipts[17]}/proof`,
    );
    expect(proof.status).toBe(200);
    expect(proof.body.merkleRoot).toBe(stored[0].merkle_root);
    expect(verifyMerkleProof(receipts[17], proof.body.path, stored[0].merkle_root)).toBe(true);
    const unknown = await t.http.get(
      `/api/v1/elections/${election.id}/receipts/${'ab'.repeat(32)}/proof`,
    );
    expect(unknown.status).toBe(404);

    const participants = await t.http
      .get(`/api/v1/elections/${election.id}/participations`)
      .set(...bearer(voters[3].token));
    expect(participants.status).toBe(200);
    expect(participants.body).toHaveLength(160);
    expect(Object.keys(participants.body[0]).sort()).toEqual(['memberNumber', 'name']);

    const memberResults = await t.http
      .get(`/api/v1/elections/${election.id}/results`)
      .set(...bearer(voters[3].token));
    expect(memberResults.status).toBe(403);
    const results = await t.http
      .get(`/api/v1/elections/${election.id}/results`)
      .set(...bearer(admin));
    expect(results.status).toBe(200);
    expect(results.body.run).toMatchObject({
      inputDigest: runs[0].input_digest,
      outputDigest: runs[0].output_digest,
      seed: election.tieBreakSeed,
    });
  });

  it('tells a member whether they are on the roll, and refuses results before the tally', async () => {
    const [onRoll] = await newVoters(t, 1);
    const [lapsed] = await newVoters(t, 1, { duesPaidUntil: '2020-01-01' });
    const election = await draftElection(t, admin, { office: 'Treasurer', method: 'plurality' }, [
      'A',
      'B',
    ]);
    await openElection(t, admin, election.id);
    const mine = await t.http
      .get(`/api/v1/elections/${election.id}/roll/me`)
      .set(...bearer(onRoll.token));
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({
      onRoll: true,
      entries: [{ memberId: onRoll.memberId, weight: 1, voted: false }],
    });
    const notMine = await t.http
      .get(`/api/v1/elections/${election.id}/roll/me`)
      .set(...bearer(lapsed.token));
    expect(notMine.body).toEqual({ onRoll: false, entries: [] });
    const early = await t.http
      .get(`/api/v1/elections/${election.id}/results`)
      .set(...bearer(admin));
    expect(early.status).toBe(409);
    const earlyProof = await t.http.get(
      `/api/v1/elections/${election.id}/receipts/${'ab'.repeat(32)}/proof`,
    );
    expect(earlyProof.status).toBe(409);
  });

  it('refuses the same member as a candidate twice and stores one candidacy', async () => {
    const election = await draftElection(t, admin, { office: 'Treasurer', method: 'plurality' }, [
      'Ирина Орлова',
    ]);
    const memberId = election.candidates[0].memberId;
    const again = await t.http
      .post(`/api/v1/elections/${election.id}/candidates`)
      .set(...bearer(admin))
      .send({ memberId });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ELECTION_CANDIDATE_EXISTS');
    const rows = await t.db.query(
      `SELECT count(*)::int AS n FROM candidate WHERE election_id = $1 AND member_id = $2`,
      [election.id, memberId],
    );
    expect(rows[0].n).toBe(1);
  });

  it('freezes the configuration and the candidates once open', async () => {
    const election = await draftElection(t, admin, { office: 'Secretary', method: 'plurality' }, [
      'A',
      'B',
      'C',
    ]);
    const withdrawn = await t.http
      .post(`/api/v1/elections/${election.id}/candidates/${election.candidates[2].id}/withdraw`)
      .set(...bearer(admin));
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('withdrawn');
    await openElection(t, admin, election.id);
    const patch = await t.http
      .patch(`/api/v1/elections/${election.id}`)
      .set(...bearer(admin))
      .send({ seats: 2 });
    expect(patch.status).toBe(409);
    const again = await t.http
      .post(`/api/v1/elections/${election.id}/candidates/${election.candidates[1].id}/withdraw`)
      .set(...bearer(admin));
    expect(again.status).toBe(409);
    const [row] = await t.db.query(`SELECT seats, status FROM election WHERE id = $1`, [
      election.id,
    ]);
    expect(row).toEqual({ seats: 1, status: 'open' });
    const audit = await t.db.query(
      `SELECT action FROM audit_event WHERE subject_id = $1 ORDER BY seq`,
      [election.id],
    );
    expect(audit.map((a: { action: string }) => a.action)).toEqual([
      'election.created',
      'election.candidate_added',
      'election.candidate_added',
      'election.candidate_added',
      'election.candidate_withdrawn',
      'election.opened',
    ]);
  });

  it('refuses an STV configuration without a variant and a threshold on a ranked method', async () => {
    const noVariant = await t.http
      .post('/api/v1/elections')
      .set(...bearer(admin))
      .send({ office: 'Council', method: 'stv', seats: 15 });
    expect(noVariant.status).toBe(400);
    const threshold = await t.http
      .post('/api/v1/elections')
      .set(...bearer(admin))
      .send({
        office: 'Council',
        method: 'irv',
        thresholdRule: { kind: 'more_than_half', base: 'valid' },
      });
    expect(threshold.status).toBe(400);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM election WHERE office = 'Council'`,
    );
    expect(n).toBe(0);
  });

  it('puts a member-nominated candidate on the ballot only once the nominee consents', async () => {
    const [nominator, accepting, declining, outsider] = await newVoters(t, 4);
    const e = await draftElection(t, admin, { office: 'Council', method: 'block', seats: 2 }, [
      'Admin pick',
    ]);
    const nominate = (memberId: string) =>
      t.http
        .post(`/api/v1/elections/${e.id}/nominations`)
        .set(...bearer(nominator.token))
        .send({ memberId, statement: 'A fine colleague' });
    const a = await nominate(accepting.memberId);
    const d = await nominate(declining.memberId);
    expect([a.status, d.status]).toEqual([201, 201]);
    expect(a.body).toMatchObject({
      status: 'nominated',
      nominatedByMemberId: nominator.memberId,
      consentedAt: null,
    });
    expect((await nominate(accepting.memberId)).status).toBe(409);

    const answer = (voter: typeof nominator, candidateId: string, accept: boolean) =>
      t.http
        .post(`/api/v1/elections/${e.id}/candidates/${candidateId}/consent`)
        .set(...bearer(voter.token))
        .send({ accept });
    expect((await answer(outsider, a.body.id as string, true)).status).toBe(403);
    const accepted = await answer(accepting, a.body.id as string, true);
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('standing');
    expect((await answer(declining, d.body.id as string, false)).body.status).toBe('declined');
    expect((await answer(declining, d.body.id as string, true)).status).toBe(409);

    const self = await t.http
      .post(`/api/v1/elections/${e.id}/nominations`)
      .set(...bearer(outsider.token))
      .send({ memberId: outsider.memberId });
    expect(self.body.status).toBe('standing');

    await openElection(t, admin, e.id);
    expect((await nominate(nominator.memberId)).status).toBe(409);
    const onBallot = await t.http.get(`/api/v1/elections/${e.id}`).set(...bearer(nominator.token));
    const standing = onBallot.body.candidates
      .filter((c: { status: string }) => c.status === 'standing')
      .map((c: { id: string }) => c.id);
    expect(standing.sort()).toEqual([e.candidates[0].id, a.body.id, self.body.id].sort());
    const forDeclined = await cast(t, nominator, e.id, { approve: [d.body.id] });
    expect(forDeclined.status).toBe(400);
    expect(await rowCounts(t, e.id)).toEqual({ ballots: 0, participations: 0 });
    const events = await t.db.query<{ action: string }[]>(
      `SELECT action FROM audit_event WHERE subject_id = $1 AND action LIKE 'election.candidate_%' ORDER BY seq`,
      [e.id],
    );
    expect(events.map((x) => x.action)).toEqual([
      'election.candidate_added',
      'election.candidate_nominated',
      'election.candidate_nominated',
      'election.candidate_consented',
      'election.candidate_declined',
      'election.candidate_nominated',
    ]);
  });
});
