import { startTestApp, TestApp } from '../support/test-app';
import {
  bearer,
  cast,
  closeAndTally,
  draftElection,
  newVoters,
  openElection,
  Voter,
} from './elections.fixtures';

jest.setTimeout(180_000);

/** Results compared with counts worked out by hand from crafted ballot sets. */
describe('tallied results (e2e)', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await t.userWithToken('admin')).token;
  });
  afterAll(async () => {
    await t.close();
  });

  async function castAll(
    voters: Voter[],
    electionId: string,
    ballotFor: (i: number) => Record<string, unknown>,
  ): Promise<void> {
    for (let start = 0; start < voters.length; start += 25) {
      const batch = voters.slice(start, start + 25);
      const statuses = await Promise.all(
        batch.map((v, j) => cast(t, v, electionId, ballotFor(start + j)).then((r) => r.status)),
      );
      expect(statuses).toEqual(Array(batch.length).fill(201));
    }
  }

  async function outcomeOf(electionId: string) {
    const res = await t.http.get(`/api/v1/elections/${electionId}/results`).set(...bearer(admin));
    expect(res.status).toBe(200);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from the API, checked field by field
    return res.body as { outcome: Record<string, any>; result: Record<string, any> };
  }

  it('fills a 15-seat council by block approval exactly as counted by hand', async () => {
    // 30 voters. Everyone approves C1–C10 (30 each); voters 1–20 also approve C11–C15 (20 each);
    // voters 21–30 approve C16–C20 instead (10 each). C1–C15 take the 15 seats.
    const voters = await newVoters(t, 30);
    const names = Array.from({ length: 20 }, (_, i) => `C${i + 1}`);
    const e = await draftElection(
      t,
      admin,
      { office: 'Executive Council', method: 'block', seats: 15 },
      names,
    );
    await openElection(t, admin, e.id);
    const ids = e.candidates.map((c) => c.id);
    await castAll(voters, e.id, (i) => ({
      approve: [...ids.slice(0, 10), ...(i < 20 ? ids.slice(10, 15) : ids.slice(15, 20))],
    }));
    await closeAndTally(t, admin, e.id);

    const { outcome } = await outcomeOf(e.id);
    expect(outcome.elected.map((c: { name: string }) => c.name).sort()).toEqual(
      names.slice(0, 15).sort(),
    );
    const votes = Object.fromEntries(
      outcome.votes.map((v: { name: string; votes: string }) => [v.name, Number(v.votes)]),
    );
    for (const [i, name] of names.entries()) {
      expect(votes[name]).toBe(i < 10 ? 30 : i < 15 ? 20 : 10);
    }
    expect(outcome.ballots).toEqual({ cast: 30, valid: 30, blank: 0, invalid: 0 });
    expect(outcome.vacantSeats).toBe(0);
    const [{ status }] = await t.db.query(`SELECT status FROM election WHERE id = $1`, [e.id]);
    expect(status).toBe('tallied');
  });

  it('elects no one when the meeting has no quorum, and says so', async () => {
    // 12 voting members, 3 registered: more than half (7) would be needed.
    const voters = await newVoters(t, 12);
    const meeting = await t.http
      .post('/api/v1/meetings')
      .set(...bearer(admin))
      .send({
        title: 'Extraordinary meeting',
        startsAt: '2026-09-01T17:00:00Z',
        online: true,
        quorumKind: 'more_than_half',
      });
    const meetingId = meeting.body.id as string;
    for (const v of voters.slice(0, 3)) {
      expect(
        (
          await t.http
            .post(`/api/v1/meetings/${meetingId}/attendance`)
            .set(...bearer(admin))
            .send({ memberId: v.memberId })
        ).status,
      ).toBe(200);
    }
    const e = await draftElection(t, admin, { meetingId, office: 'President', method: 'yes_no' }, [
      'Jane Doe',
    ]);
    await openElection(t, admin, e.id);
    await castAll(voters.slice(0, 3), e.id, () => ({ choice: 'yes' }));
    await closeAndTally(t, admin, e.id);

    const { outcome, result } = await outcomeOf(e.id);
    expect(result.winners).toHaveLength(1);
    expect(outcome.quorum).toMatchObject({ registered: 3, met: false });
    expect(outcome.quorum.votingMembers).toBeGreaterThanOrEqual(12);
    expect(outcome.elected).toEqual([]);
    const protocol = await t.http.get(`/api/v1/elections/${e.id}/protocol`).set(...bearer(admin));
    expect(protocol.body.text).toContain('registered: NOT met');
    expect(protocol.body.text).toContain('did not reach its quorum');
    expect(protocol.body.text).toContain('No one is elected President.');
  });

  it('fills a 15-seat council by Scottish STV among 40 candidates, transferring a surplus as counted by hand', async () => {
    // 170 ballots, quota floor(170/16)+1 = 11. S1 has 21 first preferences (then S15), S2–S14 have
    // 11 each, S15 has 6. Round 1 elects S1–S14; S1's surplus of 10 moves at 10/21 → 0.47619 per
    // ballot, giving S15 6 + 21 × 0.47619 = 15.99999, over the quota. The other 25 get nothing.
    const voters = await newVoters(t, 170);
    const names = Array.from({ length: 40 }, (_, i) => (i < 15 ? `S${i + 1}` : `X${i + 1}`));
    const e = await draftElection(
      t,
      admin,
      {
        office: 'Executive Council',
        method: 'stv',
        seats: 15,
        methodConfig: { variant: 'scottish' },
      },
      names,
    );
    await openElection(t, admin, e.id);
    const id = (name: string): string => e.candidates.find((c) => c.name === name)!.id;
    const rank = (...order: string[]) => ({
      preferences: order.map((n, i) => ({ candidateId: id(n), rank: i + 1 })),
    });
    await castAll(voters, e.id, (i) => {
      if (i < 21) {
        return rank('S1', 'S15');
      }
      if (i < 21 + 13 * 11) {
        return rank(`S${2 + Math.floor((i - 21) / 11)}`);
      }
      return rank('S15', 'S2');
    });
    await closeAndTally(t, admin, e.id);

    const { outcome, result } = await outcomeOf(e.id);
    expect(outcome.elected.map((c: { name: string }) => c.name).sort()).toEqual(
      names.slice(0, 15).sort(),
    );
    const first = result.rounds[0];
    expect(first.quota).toBe('11.00000');
    expect(first.votes[id('S1')]).toBe('21.00000');
    expect(first.votes[id('S15')]).toBe('6.00000');
    expect(first.votes[id('X16')]).toBe('0.00000');
    const transfer = result.rounds.find(
      (r: { transfer?: { kind: string; from: string[] } }) =>
        r.transfer?.kind === 'surplus' && r.transfer.from[0] === id('S1'),
    );
    expect(transfer.votes[id('S15')]).toBe('15.99999');
    expect(outcome.ballots).toMatchObject({ cast: 170, valid: 170 });
  });

  it('elects by IRV after eliminations, counted by hand', async () => {
    // First preferences: A 4, B 3, C 2 (C then B). C is eliminated; B reaches 5 of 9 and wins.
    const voters = await newVoters(t, 9);
    const e = await draftElection(t, admin, { office: 'Chair', method: 'irv' }, ['A', 'B', 'C']);
    await openElection(t, admin, e.id);
    const id = (name: string): string => e.candidates.find((c) => c.name === name)!.id;
    const rank = (...order: string[]) => ({
      preferences: order.map((n, i) => ({ candidateId: id(n), rank: i + 1 })),
    });
    await castAll(voters, e.id, (i) =>
      i < 4 ? rank('A') : i < 7 ? rank('B', 'A') : rank('C', 'B'),
    );
    await closeAndTally(t, admin, e.id);
    const { outcome, result } = await outcomeOf(e.id);
    expect(outcome.elected).toEqual([{ candidateId: id('B'), name: 'B' }]);
    expect(result.rounds[0].votes).toMatchObject({
      [id('A')]: '4',
      [id('B')]: '3',
      [id('C')]: '2',
    });
    expect(result.rounds[0].excluded).toEqual([id('C')]);
  });

  it('ranks by Schulze, with equal ranks allowed, counted by hand', async () => {
    // 5 × A>B>C, 4 × B>C>A, 2 × C=A>B. Pairwise: A–B 7:4, B–C 9:0 (2 equal), C–A 4:5 → A beats all.
    const voters = await newVoters(t, 11);
    const e = await draftElection(t, admin, { office: 'Spokesperson', method: 'schulze' }, [
      'A',
      'B',
      'C',
    ]);
    await openElection(t, admin, e.id);
    const id = (name: string): string => e.candidates.find((c) => c.name === name)!.id;
    const ranked = (...ranks: string[][]) => ({
      preferences: ranks.flatMap((names, i) =>
        names.map((n) => ({ candidateId: id(n), rank: i + 1 })),
      ),
    });
    await castAll(voters, e.id, (i) =>
      i < 5
        ? ranked(['A'], ['B'], ['C'])
        : i < 9
          ? ranked(['B'], ['C'], ['A'])
          : ranked(['C', 'A'], ['B']),
    );
    await closeAndTally(t, admin, e.id);
    const { outcome, result } = await outcomeOf(e.id);
    expect(outcome.elected).toEqual([{ candidateId: id('A'), name: 'A' }]);
    expect(result.ranking).toEqual([[id('A')], [id('B')], [id('C')]]);
  });

  it('puts on the roll only members registered at the meeting when the election says so, with their weights', async () => {
    const voters = await newVoters(t, 4);
    const [heavy] = await newVoters(t, 1, { voteWeight: 5 });
    const meeting = await t.http
      .post('/api/v1/meetings')
      .set(...bearer(admin))
      .send({
        title: 'Members meeting',
        startsAt: '2026-10-01T17:00:00Z',
        quorumKind: 'none',
        registrationOpen: true,
      });
    const meetingId = meeting.body.id as string;
    for (const v of [voters[0], voters[1], heavy]) {
      expect(
        (await t.http.post(`/api/v1/meetings/${meetingId}/check-in`).set(...bearer(v.token)))
          .status,
      ).toBe(200);
    }
    await t.http
      .patch(`/api/v1/meetings/${meetingId}`)
      .set(...bearer(admin))
      .send({ registrationOpen: false });
    expect(
      (await t.http.post(`/api/v1/meetings/${meetingId}/check-in`).set(...bearer(voters[2].token)))
        .status,
    ).toBe(409);

    const e = await draftElection(
      t,
      admin,
      { meetingId, office: 'Motion chair', method: 'yes_no', registeredOnly: true },
      ['Ann'],
    );
    await openElection(t, admin, e.id);
    const roll = await t.http.get(`/api/v1/elections/${e.id}/roll`).set(...bearer(admin));
    expect(roll.status).toBe(200);
    expect(
      roll.body.map((r: { memberId: string; weight: number }) => [r.memberId, r.weight]).sort(),
    ).toEqual(
      [
        [voters[0].memberId, 1],
        [voters[1].memberId, 1],
        [heavy.memberId, 5],
      ].sort(),
    );
    expect((await cast(t, voters[2], e.id, { choice: 'yes' })).status).toBe(403);
    await castAll([voters[0], heavy], e.id, (i) => ({ choice: i === 0 ? 'no' : 'yes' }));
    await closeAndTally(t, admin, e.id);
    const { outcome } = await outcomeOf(e.id);
    expect(outcome.turnout).toMatchObject({
      rollSize: 3,
      rollWeight: 7,
      registered: 3,
      participations: 2,
      ballots: 2,
    });
    expect(outcome.yesNo).toMatchObject({ for: '5', against: '1' });
    expect(outcome.elected).toHaveLength(1);
  });
});
