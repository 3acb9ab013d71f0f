import type { TestApp } from '../support/test-app';
import {
  api,
  countRows,
  newUser,
  ok,
  Person,
  RANKED_CATEGORY,
  s3,
  SCORED_CATEGORY,
  untilTallied,
} from './awards.fixtures';

interface Nominee {
  id: string;
  name: string;
  status: string;
  consentStatus: string;
  nominations: { id: string; memberId: string }[];
}
interface Round {
  id: string;
  number: number;
  kind: string;
  status: string;
  nomineeIds: string[];
  outcome: {
    selected: string[];
    tie: { seats: number; between: string[] } | null;
    decision: { chosen: string[]; reason: string } | null;
  } | null;
}
interface NomineeResult {
  nomineeId: string;
  name: string;
  place: number | null;
  selected: boolean;
  aggregate: string | null;
  criteria: Record<string, string>;
  scores: number;
  recusals: number;
}
interface Results {
  rounds: {
    round: Round;
    nominees: NomineeResult[];
    run: { inputDigest: string; ballotCount: number } | null;
    jurors: { userId: string; label: string }[];
    published: { display: string; jurors: { label: string; userId?: string }[] };
  }[];
}

/**
 * A whole edition through the API: program, edition, a scored and a ranked category, nominations
 * (one duplicate merged, one rejected, one declined consent), juries with a declared and two
 * detected conflicts (one dismissed), two rounds in the scored category (the second ending in a
 * tie the admin resolves) and one in the ranked one, every number computed by hand here.
 */
export async function runAwardCycle(t: TestApp): Promise<void> {
  const http = api(t);
  const admin = await newUser(t, 'admin');
  const members = [
    await newUser(t, 'member', { organisation: 'Alpha Agency' }),
    await newUser(t, 'member', { organisation: 'Beta PR' }),
    await newUser(t, 'member', { organisation: 'Gamma Comms' }),
    await newUser(t, 'member', { organisation: 'Delta Media' }),
  ];
  // J1 acts for a member of GridCorp: a detected conflict with the GridCorp nominee (via membership).
  const j1 = await newUser(t, 'jury', { organisation: 'GridCorp' });
  const j2 = await newUser(t, 'jury');
  const j3 = await newUser(t, 'jury');
  const A = admin.token;

  // 1. Program, edition, categories.
  const program = ok<{ id: string }>(
    await http.post('/programs', A, {
      slug: `energy-${Date.now()}`,
      title: 'Energy Communications Award',
    }),
    201,
  );
  const edition = ok<{ id: string; phase: string }>(
    await http.post(`/programs/${program.id}/editions`, A, {
      year: 2026,
      ordinal: '16th',
      ceremonyAt: '2026-11-20T18:00:00.000Z',
    }),
    201,
  );
  const scored = ok<{ id: string }>(
    await http.post(`/editions/${edition.id}/categories`, A, SCORED_CATEGORY),
    201,
  );
  const ranked = ok<{ id: string }>(
    await http.post(`/editions/${edition.id}/categories`, A, RANKED_CATEGORY),
    201,
  );
  ok(await http.post(`/editions/${edition.id}/phase`, A, { phase: 'nominations' }));

  // 2. Nominations.
  const nominate = async (
    who: Person,
    categoryId: string,
    nomineeName: string,
    organisation: string,
  ) =>
    ok<{ id: string; nomineeId: string }>(
      await http.post(`/categories/${categoryId}/nominations`, who.token, {
        nomineeName,
        organisation,
      }),
      201,
    );
  const solar = await nominate(members[0], scored.id, 'Solar Schools', 'SunCo');
  const solarDup = await nominate(members[1], scored.id, 'Solar Schools campaign', 'SunCo');
  const wind = await nominate(members[2], scored.id, 'Wind Watch', 'Breeze Ltd');
  const grid = await nominate(members[3], scored.id, 'Grid Talk', 'GridCorp');
  const spam = await nominate(members[0], scored.id, 'Buy Our Panels', 'Nobody');
  const heat = await nominate(members[1], scored.id, 'Heat Pump Heroes', 'ThermoAG');
  const alice = await nominate(members[2], ranked.id, 'Alice Adams', 'PowerPR');
  const bob = await nominate(members[3], ranked.id, 'Bob Brown', 'VoltMedia');
  const carla = await nominate(members[0], ranked.id, 'Carla Cruz', 'AmpAgency');
  const dan = await nominate(members[1], ranked.id, 'Dan Dorn', 'WattWorks');

  // A member sees only their own nominations.
  const mine = ok<{ id: string }[]>(await http.get('/nominations/mine', members[0].token));
  expect(mine.map((n) => n.id).sort()).toEqual([solar.id, spam.id, carla.id].sort());

  ok(await http.post(`/editions/${edition.id}/phase`, A, { phase: 'screening' }));
  const refused = await http.post(`/categories/${scored.id}/nominations`, members[3].token, {
    nomineeName: 'Late',
  });
  expect(refused.status).toBe(409);
  expect(refused.body.code).toBe('AWARD_NOMINATIONS_CLOSED');

  // 3. Screening: merge the duplicate, reject one, consent requested and declined for another.
  const merged = ok<Nominee>(
    await http.post(`/nominees/${solarDup.nomineeId}/merge`, A, { intoNomineeId: solar.nomineeId }),
  );
  expect(merged.nominations.map((n) => n.memberId).sort()).toEqual(
    [members[0].memberId, members[1].memberId].sort(),
  );
  ok(
    await http.post(`/nominees/${spam.nomineeId}/reject`, A, {
      reason: 'A product advertisement, not a campaign',
    }),
  );
  for (const n of [solar, wind, grid, heat, alice, bob, carla, dan]) {
    ok(await http.post(`/nominees/${n.nomineeId}/accept`, A));
  }
  const consent = ok<{ token: string; path: string }>(
    await http.post(`/nominees/${dan.nomineeId}/consent-request`, A),
  );
  const view = ok<{ nomineeName: string }>(await t.http.get(consent.path));
  expect(view.nomineeName).toBe('Dan Dorn');
  ok(await t.http.post(consent.path).send({ decision: 'decline' }));
  expect((await t.http.post(consent.path).send({ decision: 'give' })).status).toBe(404);

  const screened = await t.db.query<
    { id: string; status: string; merged_into_id: string | null }[]
  >(`SELECT id, status, merged_into_id FROM award_nominee WHERE category_id = ANY($1)`, [
    [scored.id, ranked.id],
  ]);
  const statusOf = (id: string) => screened.find((n) => n.id === id)!.status;
  expect(statusOf(solarDup.nomineeId)).toBe('merged');
  expect(screened.find((n) => n.id === solarDup.nomineeId)!.merged_into_id).toBe(solar.nomineeId);
  expect(statusOf(spam.nomineeId)).toBe('rejected');
  expect(statusOf(dan.nomineeId)).toBe('withdrawn');
  expect(await countRows(t, 'award_nomination', 'nominee_id = $1', [solar.nomineeId])).toBe(2);

  // No jury yet: the move to jury is refused with the reasons.
  const noJury = await http.post(`/editions/${edition.id}/phase`, A, { phase: 'jury' });
  expect(noJury.status).toBe(409);
  expect(noJury.body.details.reasons).toEqual(
    expect.arrayContaining([
      'category "Campaign of the year" has no jurors',
      'category "Communicator of the year" has no jurors',
    ]),
  );

  // 4. Juries and conflicts.
  ok(
    await http.post(`/categories/${scored.id}/jurors`, A, { userId: j1.userId, role: 'chair' }),
    201,
  );
  ok(await http.post(`/categories/${scored.id}/jurors`, A, { userId: j2.userId }), 201);
  ok(await http.post(`/categories/${scored.id}/jurors`, A, { userId: j3.userId }), 201);
  ok(
    await http.post(`/categories/${ranked.id}/jurors`, A, { userId: j1.userId, role: 'chair' }),
    201,
  );
  ok(await http.post(`/categories/${ranked.id}/jurors`, A, { userId: j2.userId }), 201);
  // J3's employer is recorded on the assignment: a detected conflict with Alice (PowerPR).
  ok(
    await http.post(`/categories/${ranked.id}/jurors`, A, {
      userId: j3.userId,
      organisation: 'PowerPR',
    }),
    201,
  );
  const secondChair = await http.post(`/categories/${ranked.id}/jurors`, A, {
    userId: (await newUser(t, 'jury')).userId,
    role: 'chair',
  });
  expect(secondChair.status).toBe(409);

  ok(
    await http.post(`/jury/categories/${scored.id}/conflicts`, j2.token, {
      nomineeId: wind.nomineeId,
      type: 'personal',
      note: 'My brother runs it',
    }),
    201,
  );
  const scoredConflicts = ok<{ id: string; userId: string; nomineeId: string; source: string }[]>(
    await http.get(`/categories/${scored.id}/conflicts`, A),
  );
  expect(scoredConflicts.map((c) => [c.userId, c.nomineeId, c.source]).sort()).toEqual(
    [
      [j1.userId, grid.nomineeId, 'detected'],
      [j2.userId, wind.nomineeId, 'declared'],
    ].sort(),
  );
  const rankedConflicts = ok<{ id: string; userId: string; nomineeId: string; source: string }[]>(
    await http.get(`/categories/${ranked.id}/conflicts`, A),
  );
  expect(rankedConflicts.map((c) => [c.userId, c.nomineeId, c.source])).toEqual([
    [j3.userId, alice.nomineeId, 'detected'],
  ]);
  ok(
    await http.post(`/conflicts/${rankedConflicts[0].id}/dismiss`, A, {
      reason: 'J3 left PowerPR in 2019',
    }),
  );

  ok(await http.post(`/editions/${edition.id}/phase`, A, { phase: 'jury' }));
  const longlisted = await countRows(
    t,
    'award_nominee',
    `category_id = ANY($1) AND status = 'longlisted'`,
    [[scored.id, ranked.id]],
  );
  expect(longlisted).toBe(7);

  // 5. Round 1 of the scored category: long list of four → short list of two.
  const r1 = ok<Round>(await http.post(`/categories/${scored.id}/rounds`, A), 201);
  expect(r1.kind).toBe('shortlist');
  ok(await http.post(`/rounds/${r1.id}/open`, A));
  // J1 does not see Grid Talk, J2 does not see Wind Watch.
  const j1View = ok<{ nominees: { id: string }[] }>(
    await http.get(`/jury/rounds/${r1.id}`, j1.token),
  );
  expect(j1View.nominees.map((n) => n.id).sort()).toEqual(
    [solar.nomineeId, wind.nomineeId, heat.nomineeId].sort(),
  );
  const S = solar.nomineeId;
  const W = wind.nomineeId;
  const G = grid.nomineeId;
  const H = heat.nomineeId;
  // A draft first, then the submission; J3 submits, then revises.
  ok(await http.put(`/jury/rounds/${r1.id}/ballot`, j1.token, { scores: { [S]: s3(8, 7, 9) } }));
  ok(
    await http.put(`/jury/rounds/${r1.id}/ballot`, j1.token, {
      scores: { [S]: s3(8, 7, 9), [W]: s3(6, 6, 6), [H]: s3(9, 8, 7) },
      submit: true,
    }),
  );
  ok(
    await http.put(`/jury/rounds/${r1.id}/ballot`, j2.token, {
      scores: { [S]: s3(7, 8, 6), [G]: s3(5, 5, 5), [H]: s3(8, 8, 8) },
      submit: true,
    }),
  );
  ok(
    await http.put(`/jury/rounds/${r1.id}/ballot`, j3.token, {
      scores: { [S]: s3(1, 1, 1), [W]: s3(7, 6, 5), [G]: s3(6, 7, 8), [H]: s3(6, 6, 6) },
      submit: true,
    }),
  );
  const revised = ok<{ revision: number; status: string }>(
    await http.put(`/jury/rounds/${r1.id}/ballot`, j3.token, {
      scores: { [S]: s3(9, 9, 9), [W]: s3(7, 6, 5), [G]: s3(6, 7, 8), [H]: s3(6, 6, 6) },
      submit: true,
    }),
  );
  expect(revised).toMatchObject({ revision: 2, status: 'submitted' });

  const progress = ok<{
    jurors: { userId: string; ballot: string }[];
    nominees: { nomineeId: string; scores: number; recusals: number }[];
  }>(await http.get(`/rounds/${r1.id}/progress`, A));
  expect(progress.jurors.every((j) => j.ballot === 'submitted')).toBe(true);
  expect(JSON.stringify(progress)).not.toContain('impact');
  expect(progress.nominees.find((n) => n.nomineeId === G)).toMatchObject({
    scores: 2,
    recusals: 1,
  });

  ok(await http.post(`/rounds/${r1.id}/close`, A));
  expect(await untilTallied(t, r1.id)).toBe('decided');

  // Weighted juror scores (3·impact + 2·creativity + execution) / 6:
  //   S: J1 47/6, J2 43/6, J3 54/6 → mean 144/18 = 8
  //   H: J1 50/6, J2 48/6, J3 36/6 → mean 134/18 = 67/9
  //   W: J1 36/6, J3 38/6 (J2 recused) → 74/12 = 37/6
  //   G: J2 30/6, J3 40/6 (J1 recused) → 70/12 = 35/6
  let results = ok<Results>(await http.get(`/categories/${scored.id}/results`, A));
  const round1 = results.rounds[0];
  const byId = (id: string) => round1.nominees.find((n) => n.nomineeId === id)!;
  expect(round1.nominees.map((n) => n.nomineeId)).toEqual([S, H, W, G]);
  // The engine reports exact values: an integer, a terminating decimal or a reduced fraction.
  expect([S, H, W, G].map((id) => byId(id).aggregate)).toEqual(['8', '67/9', '37/6', '35/6']);
  expect(byId(S).criteria).toEqual({ impact: '8', creativity: '8', execution: '8' });
  expect(byId(H).criteria).toEqual({ impact: '23/3', creativity: '22/3', execution: '7' });
  expect([
    byId(W).scores,
    byId(W).recusals,
    byId(G).scores,
    byId(G).recusals,
    byId(S).recusals,
  ]).toEqual([2, 1, 2, 1, 0]);
  expect(round1.run?.ballotCount).toBe(3);
  expect(round1.round.outcome?.selected.sort()).toEqual([S, H].sort());
  expect(round1.published.display).toBe('anonymised_jurors');
  expect(round1.published.jurors.map((j) => j.label)).toEqual(['Juror A', 'Juror B', 'Juror C']);
  expect(JSON.stringify(round1.published)).not.toContain(j1.userId);

  const afterR1 = await t.db.query<{ id: string; status: string }[]>(
    `SELECT id, status FROM award_nominee WHERE id = ANY($1)`,
    [[S, H, W, G]],
  );
  expect(Object.fromEntries(afterR1.map((r) => [r.id, r.status]))).toEqual({
    [S]: 'shortlisted',
    [H]: 'shortlisted',
    [W]: 'not_selected',
    [G]: 'not_selected',
  });

  // 6. Round 2: the short list → one winner. S: 7, 8, 9 → 8; H: 9, 8, 7 → 8: a tie at the cut.
  const r2 = ok<Round>(await http.post(`/categories/${scored.id}/rounds`, A), 201);
  expect(r2).toMatchObject({ number: 2, kind: 'final' });
  ok(await http.post(`/rounds/${r2.id}/open`, A));
  ok(
    await http.put(`/jury/rounds/${r2.id}/ballot`, j1.token, {
      scores: { [S]: s3(7, 7, 7), [H]: s3(9, 9, 9) },
      submit: true,
    }),
  );
  ok(
    await http.put(`/jury/rounds/${r2.id}/ballot`, j2.token, {
      scores: { [S]: s3(8, 8, 8), [H]: s3(8, 8, 8) },
      submit: true,
    }),
  );
  ok(
    await http.put(`/jury/rounds/${r2.id}/ballot`, j3.token, {
      scores: { [S]: s3(9, 9, 9), [H]: s3(7, 7, 7) },
      submit: true,
    }),
  );
  ok(await http.post(`/rounds/${r2.id}/close`, A));
  expect(await untilTallied(t, r2.id)).toBe('tie_pending');
  const tied = ok<Round>(await http.get(`/rounds/${r2.id}`, A));
  expect(tied.outcome?.tie).toMatchObject({ seats: 1 });
  expect(tied.outcome?.tie?.between.sort()).toEqual([S, H].sort());
  // Nobody has won until the admin decides.
  expect(await countRows(t, 'award_nominee', `id = ANY($1) AND status = 'winner'`, [[S, H]])).toBe(
    0,
  );
  const badDecision = await http.post(`/rounds/${r2.id}/resolve-tie`, A, {
    chosen: [S, H],
    reason: 'both',
  });
  expect(badDecision.status).toBe(400);
  ok(
    await http.post(`/rounds/${r2.id}/resolve-tie`, A, {
      chosen: [S],
      reason: "The chair's casting vote under rule 7.3",
    }),
  );
  const finalStatuses = await t.db.query<{ id: string; status: string }[]>(
    `SELECT id, status FROM award_nominee WHERE id = ANY($1)`,
    [[S, H]],
  );
  expect(Object.fromEntries(finalStatuses.map((r) => [r.id, r.status]))).toEqual({
    [S]: 'winner',
    [H]: 'not_selected',
  });
  const decisionEvents = await t.db.query<{ data: { chosen: string[]; reason: string } }[]>(
    `SELECT data FROM audit_event WHERE action = 'award.round_tie_resolved' AND subject_id = $1`,
    [r2.id],
  );
  expect(decisionEvents).toEqual([
    {
      data: expect.objectContaining({
        chosen: [S],
        reason: "The chair's casting vote under rule 7.3",
      }),
    },
  ]);
  results = ok<Results>(await http.get(`/categories/${scored.id}/results`, A));
  expect(results.rounds[1].nominees.map((n) => Number(n.aggregate))).toEqual([8, 8]);
  expect(results.rounds[1].round.outcome?.decision?.chosen).toEqual([S]);

  // 7. The ranked category (Borda 2-1-0). J1: A>B>C, J2: B>A>C, J3: A>C>B → A 5, B 3, C 1.
  const rb = ok<Round>(await http.post(`/categories/${ranked.id}/rounds`, A), 201);
  expect(rb.kind).toBe('final');
  ok(await http.post(`/rounds/${rb.id}/open`, A));
  const [AL, BO, CA] = [alice.nomineeId, bob.nomineeId, carla.nomineeId];
  const rbView = ok<{ nominees: { id: string }[] }>(
    await http.get(`/jury/rounds/${rb.id}`, j3.token),
  );
  expect(rbView.nominees.map((n) => n.id).sort()).toEqual([AL, BO, CA].sort());
  ok(
    await http.put(`/jury/rounds/${rb.id}/ballot`, j1.token, {
      ranking: [AL, BO, CA],
      submit: true,
    }),
  );
  ok(
    await http.put(`/jury/rounds/${rb.id}/ballot`, j2.token, {
      ranking: [BO, AL, CA],
      submit: true,
    }),
  );
  ok(
    await http.put(`/jury/rounds/${rb.id}/ballot`, j3.token, {
      ranking: [AL, CA, BO],
      submit: true,
    }),
  );
  ok(await http.post(`/rounds/${rb.id}/close`, A));
  expect(await untilTallied(t, rb.id)).toBe('decided');
  const rankedResults = ok<Results>(await http.get(`/categories/${ranked.id}/results`, A));
  const rr = rankedResults.rounds[0];
  expect(rr.nominees.map((n) => [n.name, n.place, Number(n.aggregate), n.selected])).toEqual([
    ['Alice Adams', 1, 5, true],
    ['Bob Brown', 2, 3, false],
    ['Carla Cruz', 3, 1, false],
  ]);
  expect(await countRows(t, 'award_nominee', `id = $1 AND status = 'winner'`, [AL])).toBe(1);
  expect(
    await countRows(t, 'tally_run', `contest_kind = 'award_round' AND contest_id = ANY($1)`, [
      [r1.id, r2.id, rb.id],
    ]),
  ).toBe(3);

  // Every screening decision, conflict and round step is on the audit chain.
  const actions = (
    await t.db.query<{ action: string }[]>(
      `SELECT action FROM audit_event WHERE action LIKE 'award.%'`,
    )
  ).map((r) => r.action);
  for (const action of [
    'award.nominee_merged',
    'award.nominee_rejected',
    'award.nominee_accepted',
    'award.consent_requested',
    'award.consent_declined',
    'award.juror_assigned',
    'award.conflict_detected',
    'award.conflict_declared',
    'award.conflict_dismissed',
    'award.round_closed',
    'award.round_decided',
    'award.round_tie_pending',
  ]) {
    expect(actions).toContain(action);
  }

  ok(await http.post(`/editions/${edition.id}/phase`, A, { phase: 'results' }));
}
