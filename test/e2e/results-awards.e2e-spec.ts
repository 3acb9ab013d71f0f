import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { AuditBundle } from 'src/results/bundle';
import { verifyBundle } from 'src/results/verify-bundle';
import { JobsService } from 'src/jobs/jobs.service';
import { startTestApp, TestApp } from '../support/test-app';
import {
  api,
  bearer,
  newUser,
  ok,
  Person,
  RANKED_CATEGORY,
  s3,
  SCORED_CATEGORY,
  untilTallied,
} from './awards.fixtures';

jest.setTimeout(180_000);

const ANNA = 'Анна Смирнова';
const BOB = 'Bob Lee';
const OLGA = 'Ольга Иванова';
const CARL = 'Carl Berg';
const EMBARGO_MS = 3000;

/** An award edition: two jury rounds decided, certified with an embargo, published at it. */
describe('award results publication (e2e)', () => {
  let t: TestApp;
  let admin: Person;
  let certifier: Person;
  let jurors: Person[];
  let editionId: string;
  let scoredRound: string;
  let rankedRound: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { SCHEDULE_SWEEP_INTERVAL_MS: '100' } });
    const http = api(t);
    admin = await newUser(t, 'admin');
    certifier = await newUser(t, 'admin');
    const nominator = await newUser(t, 'member', { organisation: 'Nominators Ltd' });
    jurors = [await newUser(t, 'jury'), await newUser(t, 'jury')];
    const A = admin.token;
    const program = ok<{ id: string }>(
      await http.post('/programs', A, {
        slug: `p-${randomBytes(4).toString('hex')}`,
        title: 'Премия года',
      }),
      201,
    );
    editionId = ok<{ id: string }>(
      await http.post(`/programs/${program.id}/editions`, A, { year: 2026, ordinal: '1st' }),
      201,
    ).id;
    const scored = ok<{ id: string }>(
      await http.post(`/editions/${editionId}/categories`, A, {
        ...SCORED_CATEGORY,
        shortListSize: null,
        nominationsPerMember: 5,
      }),
      201,
    );
    const ranked = ok<{ id: string }>(
      await http.post(`/editions/${editionId}/categories`, A, {
        ...RANKED_CATEGORY,
        method: 'schulze',
        nominationsPerMember: 5,
      }),
      201,
    );
    ok(await http.post(`/editions/${editionId}/phase`, A, { phase: 'nominations' }));
    const nominate = async (categoryId: string, nomineeName: string) =>
      ok<{ nomineeId: string }>(
        await http.post(`/categories/${categoryId}/nominations`, nominator.token, { nomineeName }),
        201,
      ).nomineeId;
    const [anna, bob] = [await nominate(scored.id, ANNA), await nominate(scored.id, BOB)];
    const [olga, carl] = [await nominate(ranked.id, OLGA), await nominate(ranked.id, CARL)];
    ok(await http.post(`/editions/${editionId}/phase`, A, { phase: 'screening' }));
    for (const id of [anna, bob, olga, carl]) {
      ok(await http.post(`/nominees/${id}/accept`, A));
    }
    for (const category of [scored.id, ranked.id]) {
      ok(
        await http.post(`/categories/${category}/jurors`, A, {
          userId: jurors[0].userId,
          role: 'chair',
        }),
        201,
      );
      ok(await http.post(`/categories/${category}/jurors`, A, { userId: jurors[1].userId }), 201);
    }
    ok(await http.post(`/editions/${editionId}/phase`, A, { phase: 'jury' }));
    scoredRound = ok<{ id: string }>(await http.post(`/categories/${scored.id}/rounds`, A), 201).id;
    rankedRound = ok<{ id: string }>(await http.post(`/categories/${ranked.id}/rounds`, A), 201).id;
    ok(await http.post(`/rounds/${scoredRound}/open`, A));
    ok(await http.post(`/rounds/${rankedRound}/open`, A));
    const [j1, j2] = jurors;
    ok(
      await http.put(`/jury/rounds/${scoredRound}/ballot`, j1.token, {
        scores: { [anna]: s3(9, 9, 9), [bob]: s3(5, 5, 5) },
        submit: true,
      }),
    );
    ok(
      await http.put(`/jury/rounds/${scoredRound}/ballot`, j2.token, {
        scores: { [anna]: s3(8, 8, 8), [bob]: s3(6, 6, 6) },
        submit: true,
      }),
    );
    ok(
      await http.put(`/jury/rounds/${rankedRound}/ballot`, j1.token, {
        ranking: [olga, carl],
        submit: true,
      }),
    );
    ok(
      await http.put(`/jury/rounds/${rankedRound}/ballot`, j2.token, {
        ranking: [olga, carl],
        submit: true,
      }),
    );
    for (const round of [scoredRound, rankedRound]) {
      ok(await http.post(`/rounds/${round}/close`, A));
      expect(await untilTallied(t, round)).toBe('decided');
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('publishes both rounds at the embargo, not before, and exports the edition', async () => {
    const self = await t.http
      .post(`/api/v1/results/award_round/${scoredRound}/certify`)
      .set(...bearer(admin.token))
      .send({});
    expect(self.status).toBe(403);

    const embargo = new Date(Date.now() + EMBARGO_MS);
    const ids: string[] = [];
    for (const round of [scoredRound, rankedRound]) {
      const res = await t.http
        .post(`/api/v1/results/award_round/${round}/certify`)
        .set(...bearer(certifier.token))
        .send({ embargoUntil: embargo.toISOString() });
      expect(res.status).toBe(201);
      ids.push((res.body as { id: string }).id);
    }
    const hidden = await t.http.get(`/api/v1/public/results/editions/${editionId}`);
    expect(hidden.status).toBe(200);
    expect((hidden.body as { categories: unknown[] }).categories).toEqual([]);
    expect(JSON.stringify(hidden.body)).not.toContain(ANNA);
    for (const path of ['', '/bundle', '/csv']) {
      expect(
        (await t.http.get(`/api/v1/public/results/award-rounds/${scoredRound}${path}`)).status,
      ).toBe(404);
    }

    for (;;) {
      const res = await t.http.get(`/api/v1/public/results/award-rounds/${rankedRound}`);
      if (Date.now() < embargo.getTime() - 20) {
        expect(res.status).toBe(404);
      }
      if (res.status === 200) {
        break;
      }
      expect(Date.now()).toBeLessThan(embargo.getTime() + 10_000);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (let i = 0; i < 100; i++) {
      const rows = await t.db.query<{ status: string }[]>(
        `SELECT status FROM result_publication WHERE id = ANY($1)`,
        [ids],
      );
      if (rows.every((r) => r.status === 'published')) {
        break;
      }
      await t.app.get(JobsService).drain();
      await new Promise((r) => setTimeout(r, 100));
    }
    const rows = await t.db.query<{ status: string; published_at: Date }[]>(
      `SELECT status, published_at FROM result_publication WHERE id = ANY($1)`,
      [ids],
    );
    expect(rows.map((r) => r.status)).toEqual(['published', 'published']);
    expect(rows.map((r) => new Date(r.published_at).toISOString())).toEqual([
      embargo.toISOString(),
      embargo.toISOString(),
    ]);

    const edition = await t.http.get(`/api/v1/public/results/editions/${editionId}`);
    expect(edition.status).toBe(200);
    const categories = (
      edition.body as {
        categories: { title: string; rounds: { winners: { name: string }[] }[] }[];
      }
    ).categories;
    expect(categories.map((c) => c.rounds[0].winners.map((w) => w.name))).toEqual(
      expect.arrayContaining([[ANNA], [OLGA]]),
    );

    const csv = await t.http.get(`/api/v1/public/results/award-rounds/${scoredRound}/csv`);
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(ANNA);
    expect(csv.text.split('\r\n').find((l) => l.includes(ANNA))).toContain(',true,');

    const pdf = await t.http
      .get(`/api/v1/public/results/editions/${editionId}/pdf`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(pdf.status).toBe(200);
    const text = pdfText(pdf.body as Buffer);
    for (const name of [
      'Премия года 2026',
      SCORED_CATEGORY.title,
      `Winners: ${ANNA}`,
      `Winners: ${OLGA}`,
      BOB,
      CARL,
    ]) {
      expect(text).toContain(name);
    }
  });

  it('serves bundles that pass the verifier, with jurors pseudonymised', async () => {
    for (const round of [scoredRound, rankedRound]) {
      const res = await t.http.get(`/api/v1/public/results/award-rounds/${round}/bundle`);
      expect(res.status).toBe(200);
      const bundle = res.body as AuditBundle;
      expect(verifyBundle(bundle).filter((r) => r.status === 'fail')).toEqual([]);
      expect(bundle.ballots.reduce((n, b) => n + (b.count ?? 1), 0)).toBe(2);
      expect(bundle.receipts).toBeNull();
      const ballots = JSON.stringify(bundle.ballots);
      for (const j of jurors) {
        expect(ballots).not.toContain(j.userId);
      }
    }
    const res = await t.http.get(`/api/v1/public/results/award-rounds/${scoredRound}/bundle`);
    const bundle = res.body as AuditBundle;
    expect(bundle.manifest.publishedInputDigest).not.toBeNull();
    expect(bundle.ballots.map((b) => (b as { juror?: string }).juror)).toEqual([
      'juror-1',
      'juror-2',
    ]);
    const tampered = JSON.parse(JSON.stringify(bundle)) as AuditBundle & {
      ballots: { scores: Record<string, Record<string, number>> }[];
    };
    const first = tampered.ballots[0].scores;
    const nominee = Object.keys(first)[0];
    first[nominee] = { ...first[nominee], impact: 1 };
    expect(
      verifyBundle(tampered)
        .filter((r) => r.status === 'fail')
        .map((r) => r.name),
    ).toContain('input digest');
  });

  it('re-tallies a jury round to the identical output digest', async () => {
    const res = await t.http
      .post(`/api/v1/results/award_round/${scoredRound}/retally`)
      .set(...bearer(certifier.token));
    expect(res.status).toBe(200);
    expect((res.body as { identical: boolean }).identical).toBe(true);
    const [{ n }] = await t.db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM audit_event WHERE subject_id = $1 AND action = 'result.retallied'`,
      [scoredRound],
    );
    expect(n).toBe(1);
  });
});

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
