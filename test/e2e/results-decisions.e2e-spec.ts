import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifestBytes, type TieDecision } from 'src/audit/manifest';
import { main as verifyCli } from 'src/cli/verify';
import type { AuditBundle } from 'src/results/bundle';
import { verifyBundle } from 'src/results/verify-bundle';
import { startTestApp, TestApp } from '../support/test-app';
import {
  api,
  bearer,
  newUser,
  ok,
  Person,
  s3,
  SCORED_CATEGORY,
  untilTallied,
} from './awards.fixtures';

jest.setTimeout(180_000);

const SOLAR = 'Solar Schools';
const HYDRO = 'Hydro Heroes';
const CLOUD = 'Cloud Cooling';
const REASON = "The chair's casting vote under rule 7.3";

interface PublicJson {
  winners: { id: string; name: string }[];
  outcome: { selected: string[]; unresolvedTie: unknown; decision: TieDecision };
  report: { winners: string[]; ties: { rule: string; chosen: string[]; candidates: string[] }[] };
  decision: TieDecision;
  manifest: { decision: TieDecision; winners: string[] };
}

/**
 * A scored final round whose two leaders tie (8 and 8) and an admin decides, against the lot, with
 * a reason; a third juror is conflicted on the third nominee. Before the ceremony the jurors see
 * neither the outcome nor whom they are conflicted on; once published, the decision is signed and
 * every public field names the decided winner.
 */
describe('a tie decided by an admin, published (e2e)', () => {
  let t: TestApp;
  let admin: Person;
  let certifier: Person;
  let jurors: Person[];
  let nominator: Person;
  let roundId: string;
  let editionId: string;
  let ids: Record<string, string>;
  let chosen: string;
  let drawn: string;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'results-decisions-'));
    t = await startTestApp();
    const http = api(t);
    admin = await newUser(t, 'admin');
    certifier = await newUser(t, 'admin');
    nominator = await newUser(t, 'member', { organisation: 'Nominators Ltd' });
    jurors = [await newUser(t, 'jury'), await newUser(t, 'jury'), await newUser(t, 'jury')];
    const A = admin.token;
    const program = ok<{ id: string }>(
      await http.post('/programs', A, {
        slug: `p-${randomBytes(4).toString('hex')}`,
        title: 'Energy Award',
      }),
      201,
    );
    editionId = ok<{ id: string }>(
      await http.post(`/programs/${program.id}/editions`, A, { year: 2026, ordinal: '16th' }),
      201,
    ).id;
    const category = ok<{ id: string }>(
      await http.post(`/editions/${editionId}/categories`, A, {
        ...SCORED_CATEGORY,
        shortListSize: null,
        nominationsPerMember: 5,
        methodConfig: { aggregate: 'mean', minScores: 1 },
      }),
      201,
    );
    ok(await http.post(`/editions/${editionId}/phase`, A, { phase: 'nominations' }));
    ids = {};
    for (const name of [SOLAR, HYDRO, CLOUD]) {
      ids[name] = ok<{ nomineeId: string }>(
        await http.post(`/categories/${category.id}/nominations`, nominator.token, {
          nomineeName: name,
        }),
        201,
      ).nomineeId;
    }
    ok(await http.post(`/editions/${editionId}/phase`, A, { phase: 'screening' }));
    for (const id of Object.values(ids)) {
      ok(await http.post(`/nominees/${id}/accept`, A));
    }
    ok(
      await http.post(`/categories/${category.id}/jurors`, A, {
        userId: jurors[0].userId,
        role: 'chair',
      }),
      201,
    );
    for (const j of jurors.slice(1)) {
      ok(await http.post(`/categories/${category.id}/jurors`, A, { userId: j.userId }), 201);
    }
    ok(
      await http.post(`/jury/categories/${category.id}/conflicts`, jurors[2].token, {
        nomineeId: ids[CLOUD],
        type: 'personal',
      }),
      201,
    );
    ok(await http.post(`/editions/${editionId}/phase`, A, { phase: 'jury' }));
    roundId = ok<{ id: string }>(await http.post(`/categories/${category.id}/rounds`, A), 201).id;
    ok(await http.post(`/rounds/${roundId}/open`, A));
    // Solar (7 + 9 + 8) / 3 = 8 and Hydro (9 + 7 + 8) / 3 = 8: a tie for the one place.
    const scores: [Person, Record<string, ReturnType<typeof s3>>][] = [
      [
        jurors[0],
        { [ids[SOLAR]]: s3(7, 7, 7), [ids[HYDRO]]: s3(9, 9, 9), [ids[CLOUD]]: s3(5, 5, 5) },
      ],
      [
        jurors[1],
        { [ids[SOLAR]]: s3(9, 9, 9), [ids[HYDRO]]: s3(7, 7, 7), [ids[CLOUD]]: s3(5, 5, 5) },
      ],
      [jurors[2], { [ids[SOLAR]]: s3(8, 8, 8), [ids[HYDRO]]: s3(8, 8, 8) }],
    ];
    for (const [juror, s] of scores) {
      ok(
        await http.put(`/jury/rounds/${roundId}/ballot`, juror.token, { scores: s, submit: true }),
      );
    }
    ok(await http.post(`/rounds/${roundId}/close`, A));
    expect(await untilTallied(t, roundId)).toBe('tie_pending');
    const tied = ok<{ outcome: { tie: { drawnByLot: string[] } } }>(
      await http.get(`/rounds/${roundId}`, A),
    );
    drawn = tied.outcome.tie.drawnByLot[0];
    // The admin decides for the nominee the lot did not draw.
    chosen = drawn === ids[SOLAR] ? ids[HYDRO] : ids[SOLAR];
    ok(await http.post(`/rounds/${roundId}/resolve-tie`, A, { chosen: [chosen], reason: REASON }));
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows a juror neither the outcome nor the nominees they are conflicted on', async () => {
    const http = api(t);
    const conflicted = jurors[2];
    const view = await http.get(`/jury/rounds/${roundId}`, conflicted.token);
    expect(view.status).toBe(200);
    const body = view.body as { round: Record<string, unknown>; nominees: { id: string }[] };
    expect(body.round).not.toHaveProperty('outcome');
    expect(body.round.status).toBe('decided');
    expect(body.round.nomineeIds).toEqual([ids[SOLAR], ids[HYDRO]].sort());
    expect(view.text).not.toContain(ids[CLOUD]);
    expect(view.text).not.toContain(REASON);
    expect(view.text).not.toMatch(/"selected"|drawnByLot|"decision"/);
    // An unconflicted juror sees the round's nominees, still without the outcome.
    const other = await http.get(`/jury/rounds/${roundId}`, jurors[0].token);
    expect(other.body).toMatchObject({ round: { nomineeIds: Object.values(ids).sort() } });
    expect(other.text).not.toMatch(/"selected"|"outcome"|drawnByLot/);
  });

  it('signs the decision and names the decided winner in every public field', async () => {
    const res = await t.http
      .post(`/api/v1/results/award_round/${roundId}/certify`)
      .set(...bearer(certifier.token))
      .send({});
    expect(res.status).toBe(201);
    const manifest = (res.body as { manifest: { decision: TieDecision; winners: string[] } })
      .manifest;
    expect(manifest.winners).toEqual([chosen]);
    expect(manifest.decision).toEqual({
      seats: 1,
      between: [ids[SOLAR], ids[HYDRO]].sort(),
      drawnByLot: [drawn],
      chosen: [chosen],
      reason: REASON,
      decidedBy: 'admin',
      decidedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    const pub = await t.http.get(`/api/v1/public/results/award-rounds/${roundId}`);
    expect(pub.status).toBe(200);
    const body = pub.body as PublicJson;
    expect(body.winners.map((w) => w.id)).toEqual([chosen]);
    expect(body.outcome.selected).toEqual([chosen]);
    expect(body.outcome.unresolvedTie).toBeNull();
    expect(body.report.winners).toEqual([chosen]);
    expect(body.report.ties.map((x) => x.rule)).not.toContain('lot');
    expect(body.report.ties.at(-1)).toMatchObject({ rule: 'decision', chosen: [chosen] });
    expect(body.decision).toEqual(manifest.decision);
    expect(body.outcome.decision).toEqual(manifest.decision);
    expect(body.manifest.decision).toEqual(manifest.decision);
    const edition = await t.http.get(`/api/v1/public/results/editions/${editionId}`);
    expect(JSON.stringify(edition.body)).toContain(REASON);

    const csv = await t.http.get(`/api/v1/public/results/award-rounds/${roundId}/csv`);
    expect(csv.status).toBe(200);
    const lines = csv.text
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toContain(
      'elected,ballots,published_at,output_digest,tie_decision,decision_reason,decided_by,decided_at',
    );
    const name = (id: string): string => [SOLAR, HYDRO].find((n) => ids[n] === id)!;
    const row = (id: string): string => lines.find((l) => l.includes(name(id)))!;
    expect(row(chosen)).toMatch(
      /,true,3,.*,chosen,"The chair's casting vote under rule 7\.3",admin,/,
    );
    expect(row(drawn)).toMatch(/,false,3,.*,not chosen,/);

    const pdf = await t.http
      .get(`/api/v1/public/results/editions/${editionId}/pdf`)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(pdf.status).toBe(200);
    const text = pdfText(pdf.body as Buffer).replace(/\s+/g, ' ');
    expect(text).toContain(`Winners: ${name(chosen)}`);
    expect(text).toContain('decided by the admin');
    expect(text).toContain(REASON);
    expect(text).toContain(`would have drawn ${name(drawn)}`);
  });

  it('passes the verifier, and fails a named check when the decision is changed', async () => {
    const res = await t.http.get(`/api/v1/public/results/award-rounds/${roundId}/bundle`);
    expect(res.status).toBe(200);
    const bundle = res.body as AuditBundle;
    expect(bundle.manifest.decision?.chosen).toEqual([chosen]);
    expect(bundle.report.result.winners).toEqual([chosen]);
    expect(bundle.report.outcome.selected).toEqual([chosen]);
    const file = join(dir, 'bundle.json');
    writeFileSync(file, JSON.stringify(bundle));
    const out = captureStdout();
    try {
      expect(await verifyCli([file])).toBe(0);
      expect(out.text()).toMatch(/PASS {2}tie decision: .*rule 7\.3/);
      expect(out.text()).toMatch(/PASS {2}published winners/);
      expect(out.text()).toContain('RESULT: PASS');

      const changed = JSON.parse(JSON.stringify(bundle)) as AuditBundle;
      changed.manifest.decision!.chosen = [drawn];
      writeFileSync(file, JSON.stringify(changed));
      expect(await verifyCli([file])).toBe(1);
      expect(out.text()).toMatch(/FAIL {2}signature/);
      expect(out.text()).toMatch(/FAIL {2}published winners/);
      expect(out.text()).toContain('RESULT: FAIL');
    } finally {
      out.restore();
    }
    expect(manifestBytes(bundle.manifest).toString()).toContain(REASON);
    const failed = (b: AuditBundle) =>
      verifyBundle(b)
        .filter((r) => r.status === 'fail')
        .map((r) => r.name);
    const unsigned = JSON.parse(JSON.stringify(bundle)) as AuditBundle;
    unsigned.manifest.decision = null;
    expect(failed(unsigned)).toEqual(expect.arrayContaining(['signature', 'tie decision']));
  });

  it('publishes no account or member id of anyone in the contest', async () => {
    const all = (
      await t.db.query<{ id: string }[]>(
        `SELECT id::text FROM app_user UNION ALL SELECT id::text FROM member`,
      )
    ).map((r) => r.id);
    expect(all).toEqual(expect.arrayContaining([admin.userId, ...jurors.map((j) => j.userId)]));
    const base = `/api/v1/public/results/award-rounds/${roundId}`;
    for (const path of ['', '/bundle', '/csv']) {
      const text = (await t.http.get(`${base}${path}`)).text;
      expect(text.length).toBeGreaterThan(100);
      expect({ path, found: all.filter((id) => text.includes(id)) }).toEqual({ path, found: [] });
    }
    const edition = (await t.http.get(`/api/v1/public/results/editions/${editionId}`)).text;
    expect(all.filter((id) => edition.includes(id))).toEqual([]);
    const bundle = (await t.http.get(`${base}/bundle`)).body as AuditBundle;
    const submitted = bundle.audit.entries.filter(
      (e) => 'action' in e && e.action === 'award.ballot_submitted',
    );
    expect(submitted).toHaveLength(3);
    for (const e of submitted) {
      expect(e).toMatchObject({
        actorKind: 'user',
        actor: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    }
  });
});

function captureStdout(): { text(): string; restore(): void } {
  const original = process.stdout.write.bind(process.stdout);
  let buffer = '';
  process.stdout.write = (chunk: string | Uint8Array) => {
    buffer += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  };
  return {
    text: () => buffer,
    restore: () => {
      process.stdout.write = original;
    },
  };
}

/** Text of a PDF via pdf-parse in a child process (pdf.js needs a dynamic import Jest forbids). */
function pdfText(pdf: Buffer): string {
  const script = `
    const { PDFParse } = require('pdf-parse');
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', async () => {
      const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
      const { text } = await parser.getText();
      await parser.destroy();
      process.stdout.write(text);
    });`;
  return execFileSync(process.execPath, ['-e', script], { input: pdf, encoding: 'utf8' });
}
