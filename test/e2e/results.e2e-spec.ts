import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as verifyCli } from 'src/cli/verify';
import type { AuditBundle } from 'src/results/bundle';
import { allPassed, verifyBundle } from 'src/results/verify-bundle';
import { JobsService } from 'src/jobs/jobs.service';
import { PublicationService } from 'src/results/publication.service';
import { startTestApp, TestApp } from '../support/test-app';
import {
  bearer,
  cast,
  closeAndTally,
  draftElection,
  newVoters,
  openElection,
} from './elections.fixtures';

jest.setTimeout(180_000);

const IRINA = 'Ирина Петрова';
const JOHN = 'John Smith';
const ZOE = 'Zoë Ørsted';
const EMBARGO_MS = 3000;

interface Published {
  electionId: string;
  meetingId: string;
  publicationId: string;
  embargo: Date;
}

/** Closing, certification with an embargo, publication at it, exports, bundle and verifier. */
describe('results publication (e2e)', () => {
  let t: TestApp;
  let closer: string;
  let certifier: string;
  let keyFile: string;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'results-e2e-'));
    keyFile = join(dir, 'keys', 'audit-ed25519.pem');
    t = await startTestApp({
      env: { SCHEDULE_SWEEP_INTERVAL_MS: '100', AUDIT_SIGNING_KEY_FILE: keyFile },
    });
    closer = (await t.userWithToken('admin')).token;
    certifier = (await t.userWithToken('admin')).token;
  });
  afterAll(async () => {
    await t.close();
  });

  /** A meeting election: Ирина 4, John 2, Zoë 1; closed by `closer` and tallied. */
  async function talliedElection(): Promise<{ electionId: string; meetingId: string }> {
    const meeting = await t.http
      .post('/api/v1/meetings')
      .set(...bearer(closer))
      .send({
        title: 'Общее собрание 2026',
        startsAt: '2026-11-20T17:00:00Z',
        online: true,
        quorumKind: 'none',
      });
    expect(meeting.status).toBe(201);
    const meetingId = (meeting.body as { id: string }).id;
    const voters = await newVoters(t, 7);
    const e = await draftElection(
      t,
      closer,
      { office: 'Президент', method: 'plurality', meetingId },
      [IRINA, JOHN, ZOE],
    );
    await openElection(t, closer, e.id);
    const [irina, john, zoe] = e.candidates.map((c) => c.id);
    const choices = [irina, irina, irina, irina, john, john, zoe];
    for (const [i, v] of voters.entries()) {
      expect((await cast(t, v, e.id, { choice: choices[i] })).status).toBe(201);
    }
    await closeAndTally(t, closer, e.id);
    const [{ status }] = await t.db.query<{ status: string }[]>(
      `SELECT status FROM election WHERE id = $1`,
      [e.id],
    );
    expect(status).toBe('tallied');
    return { electionId: e.id, meetingId };
  }

  async function expectHidden(
    electionId: string,
    meetingId: string,
    secrets: string[],
  ): Promise<void> {
    for (const path of ['', '/bundle', '/csv', '/pdf']) {
      const res = await t.http.get(`/api/v1/public/results/elections/${electionId}${path}`);
      expect(res.status).toBe(404);
      const text = JSON.stringify(res.body) + (res.text ?? '');
      for (const secret of secrets) {
        expect(text).not.toContain(secret);
      }
    }
    const meeting = await t.http.get(`/api/v1/public/results/meetings/${meetingId}`);
    expect(meeting.status).toBe(200);
    expect((meeting.body as { results: unknown[] }).results).toEqual([]);
  }

  async function certifyWithEmbargo(electionId: string, meetingId: string): Promise<Published> {
    const embargo = new Date(Date.now() + EMBARGO_MS);
    const res = await t.http
      .post(`/api/v1/results/election/${electionId}/certify`)
      .set(...bearer(certifier))
      .send({ embargoUntil: embargo.toISOString() });
    expect(res.status).toBe(201);
    return { electionId, meetingId, publicationId: (res.body as { id: string }).id, embargo };
  }

  async function publicationRow(id: string) {
    const [row] = await t.db.query<
      { status: string; published_at: Date | null; manifest: Record<string, unknown> }[]
    >(`SELECT status, published_at, manifest FROM result_publication WHERE id = $1`, [id]);
    return row;
  }

  /** Polls the public endpoint: 404 strictly before the embargo, 200 from it on. */
  async function waitForPublication(p: Published): Promise<void> {
    const deadline = p.embargo.getTime() + 10_000;
    for (;;) {
      const res = await t.http.get(`/api/v1/public/results/elections/${p.electionId}`);
      const after = Date.now();
      if (after < p.embargo.getTime()) {
        expect(res.status).toBe(404);
      }
      if (res.status === 200) {
        // The server read its clock after the request left and before the answer came back.
        expect(after).toBeGreaterThanOrEqual(p.embargo.getTime());
        break;
      }
      if (after > deadline) {
        throw new Error('the result was not published after its embargo');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // The sweep turns the due publication into a job; the job records it.
    for (
      let i = 0;
      i < 100 && (await publicationRow(p.publicationId)).status !== 'published';
      i++
    ) {
      await t.app.get(JobsService).drain();
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  let published: Published;
  let servedBundle: AuditBundle;

  it('keeps a certified result secret until its embargo and publishes it exactly then', async () => {
    const { electionId, meetingId } = await talliedElection();
    const [run] = await t.db.query<{ output_digest: string; input_digest: string }[]>(
      `SELECT output_digest, input_digest FROM tally_run WHERE contest_id = $1`,
      [electionId],
    );
    const secrets = [run.output_digest, run.input_digest, IRINA];
    await expectHidden(electionId, meetingId, secrets);

    published = await certifyWithEmbargo(electionId, meetingId);
    const certified = await publicationRow(published.publicationId);
    expect(certified.status).toBe('certified');
    expect(certified.published_at).toBeNull();
    expect(certified.manifest).toMatchObject({
      outputDigest: run.output_digest,
      inputDigest: run.input_digest,
      publishAt: published.embargo.toISOString(),
      contest: { kind: 'election', id: electionId },
    });
    await expectHidden(electionId, meetingId, secrets);
    const manifest = await t.http.get(
      `/api/v1/public/publications/${published.publicationId}/manifest`,
    );
    expect(manifest.status).toBe(404);

    await waitForPublication(published);
    const row = await publicationRow(published.publicationId);
    expect(row.status).toBe('published');
    expect(new Date(row.published_at!).toISOString()).toBe(published.embargo.toISOString());
    const events = await t.db.query<{ action: string; occurred_at: Date }[]>(
      `SELECT action, occurred_at FROM audit_event WHERE subject_id = $1 AND action LIKE 'result.%' ORDER BY seq`,
      [electionId],
    );
    expect(events.map((e) => e.action)).toEqual(['result.certified', 'result.published']);
    const jobs = await t.db.query<{ job_name: string; status: string }[]>(
      `SELECT job_name, status FROM outbox WHERE job_id = $1`,
      [`publish.${published.publicationId}`],
    );
    expect(jobs).toEqual([{ job_name: 'results.publish', status: 'done' }]);
    // A second delivery of the job (at-least-once queue) changes nothing.
    expect(await t.app.get(PublicationService).publishDue(published.publicationId)).toBe(false);
    const [{ n }] = await t.db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM audit_event WHERE subject_id = $1 AND action = 'result.published'`,
      [electionId],
    );
    expect(n).toBe(1);
    expect(new Date(events[1].occurred_at).getTime()).toBeGreaterThanOrEqual(
      published.embargo.getTime(),
    );

    const res = await t.http.get(`/api/v1/public/results/elections/${electionId}`);
    expect(res.status).toBe(200);
    const body = res.body as {
      winners: { name: string }[];
      outcome: { votes: { name: string; votes: string }[] };
      protocol: string;
    };
    expect(body.winners.map((w) => w.name)).toEqual([IRINA]);
    expect(Object.fromEntries(body.outcome.votes.map((v) => [v.name, Number(v.votes)]))).toEqual({
      [IRINA]: 4,
      [JOHN]: 2,
      [ZOE]: 1,
    });
    expect(body.protocol).toContain('Общее собрание 2026');
    const meeting = await t.http.get(`/api/v1/public/results/meetings/${meetingId}`);
    expect((meeting.body as { results: unknown[] }).results).toHaveLength(1);
  });

  it('exports the published result as CSV and as a meeting PDF with Cyrillic names', async () => {
    const csv = await t.http.get(`/api/v1/public/results/elections/${published.electionId}/csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toContain('candidate,votes,elected');
    const irinaLine = lines.find((l) => l.includes(IRINA))!;
    expect(irinaLine).toMatch(/,4,true,7,/);
    expect(lines.find((l) => l.includes(JOHN))).toMatch(/,2,false,7,/);

    const pdf = await t.http
      .get(`/api/v1/public/results/meetings/${published.meetingId}/pdf`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    const buffer = pdf.body as Buffer;
    expect(buffer.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(buffer);
    expect(text).toContain('Общее собрание 2026');
    expect(text).toContain('Президент');
    expect(text).toContain(`Elected: ${IRINA}`);
    expect(text).toContain(JOHN);
  });

  it('serves an audit bundle that passes the verifier, with the CLI failing a tampered copy', async () => {
    const key = await t.http.get('/api/v1/public/signing-key');
    expect(key.status).toBe(200);
    const { pem, raw, keyId } = key.body as { pem: string; raw: string; keyId: string };
    expect(Buffer.from(raw, 'base64')).toHaveLength(32);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8')).toContain('PRIVATE KEY');

    const res = await t.http.get(`/api/v1/public/results/elections/${published.electionId}/bundle`);
    expect(res.status).toBe(200);
    const bundle = res.body as AuditBundle;
    servedBundle = bundle;
    expect(bundle.manifest.keyId).toBe(keyId);
    // One entry per distinct ballot: Ирина 4, John 2, Zoë 1.
    expect(bundle.ballots.map((b) => b.count).sort()).toEqual([1, 2, 4]);
    expect(bundle.receipts).toHaveLength(7);
    expect(bundle.participation).toEqual({ count: 7, voters: null });
    const results = verifyBundle(bundle, { expectedPublicKey: pem });
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(allPassed(results)).toBe(true);

    const [receipt] = await t.db.query<{ receipt: string }[]>(
      `SELECT receipt FROM ballot WHERE election_id = $1 LIMIT 1`,
      [published.electionId],
    );
    const file = join(dir, 'bundle.json');
    const keyPath = join(dir, 'key.pem');
    writeFileSync(file, JSON.stringify(bundle));
    writeFileSync(keyPath, pem);
    const out = captureStdout();
    expect(await verifyCli([file, '--key', keyPath, '--receipt', receipt.receipt])).toBe(0);
    expect(out.text()).toContain('PASS  receipt');
    expect(out.text()).toContain('RESULT: PASS');

    const tampered: AuditBundle = JSON.parse(JSON.stringify(bundle)) as AuditBundle;
    tampered.report.result.rounds[0].votes[tampered.report.result.winners[0]] = '5';
    writeFileSync(file, JSON.stringify(tampered));
    expect(await verifyCli([file])).toBe(1);
    expect(out.text()).toMatch(/FAIL {2}tally replay/);
    expect(out.text()).toMatch(/FAIL {2}output digest/);
    expect(out.text()).toContain('RESULT: FAIL');
    out.restore();
  });

  it('names the failing check for each tampering of the served bundle', () => {
    const copy = (): AuditBundle => JSON.parse(JSON.stringify(servedBundle)) as AuditBundle;
    const ownEvent = (b: AuditBundle) =>
      b.audit.entries.find((e) => 'action' in e && e.action === 'election.closed') as {
        data: Record<string, unknown>;
      };
    const cases: [string, (b: AuditBundle) => void, string[]][] = [
      [
        'change one ballot',
        (b) => {
          const zoe = b.candidates.find((c) => c.name === ZOE)!.id;
          const ballots = b.ballots as unknown as { choice: string }[];
          const i = ballots.findIndex((x) => x.choice !== zoe);
          ballots[i] = { ...ballots[i], choice: zoe };
        },
        ['input digest', 'aggregated ballots', 'tally replay'],
      ],
      [
        'drop one ballot',
        (b) => void b.ballots.pop(),
        ['input digest', 'ballot count', 'tally replay'],
      ],
      [
        'add one ballot',
        (b) => void b.ballots.push({ ...b.ballots[0], count: 1 }),
        ['input digest', 'aggregated ballots', 'ballot count', 'tally replay'],
      ],
      [
        'change a count in the report',
        (b) => {
          const votes = b.report.result.rounds[0].votes;
          const first = Object.keys(votes)[0];
          votes[first] = String(Number(votes[first]) + 1);
        },
        ['tally replay', 'output digest'],
      ],
      [
        'edit one audit event',
        (b) => {
          ownEvent(b).data.ballots = 99;
        },
        ['audit chain'],
      ],
      [
        'swap the signature',
        (b) => {
          b.signature = Buffer.from(b.signature, 'base64').reverse().toString('base64');
        },
        ['signature'],
      ],
    ];
    expect(verifyBundle(copy()).filter((r) => r.status === 'fail')).toEqual([]);
    for (const [what, tamper, expected] of cases) {
      const b = copy();
      tamper(b);
      const failed = verifyBundle(b)
        .filter((r) => r.status === 'fail')
        .map((r) => r.name);
      expect({ what, failed }).toEqual({ what, failed: expected });
    }
  });

  it('re-tallies to the identical output digest and records it', async () => {
    const res = await t.http
      .post(`/api/v1/results/election/${published.electionId}/retally`)
      .set(...bearer(closer));
    expect(res.status).toBe(200);
    const body = res.body as {
      identical: boolean;
      recomputedOutputDigest: string;
      storedOutputDigest: string;
    };
    expect(body.identical).toBe(true);
    expect(body.recomputedOutputDigest).toBe(body.storedOutputDigest);
    const [{ count }] = await t.db.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM tally_run WHERE contest_id = $1`,
      [published.electionId],
    );
    expect(count).toBe(1);
    const [event] = await t.db.query<{ data: { identical: boolean } }[]>(
      `SELECT data FROM audit_event WHERE subject_id = $1 AND action = 'result.retallied'`,
      [published.electionId],
    );
    expect(event.data.identical).toBe(true);
  });

  it('keeps the bundle as certified while the contest goes on being audited', async () => {
    const url = `/api/v1/public/results/elections/${published.electionId}/bundle`;
    const before = await t.http.get(url);
    // Later events of the same election (a re-tally records one) are not part of the bundle.
    const retally = await t.http
      .post(`/api/v1/results/election/${published.electionId}/retally`)
      .set(...bearer(closer));
    expect(retally.status).toBe(200);
    const res = await t.http.get(url);
    expect(res.status).toBe(200);
    expect(res.text).toBe(before.text);
    const bundle = res.body as AuditBundle;
    expect(allPassed(verifyBundle(bundle))).toBe(true);
    expect(
      bundle.audit.entries.filter((e) => 'action' in e && e.action.startsWith('result.')),
    ).toEqual([expect.objectContaining({ action: 'result.certified' })]);
  });

  it('withdraws a publication only with a reason, leaving its manifest downloadable', async () => {
    const url = `/api/v1/results/publications/${published.publicationId}/withdraw`;
    const noReason = await t.http
      .post(url)
      .set(...bearer(certifier))
      .send({});
    expect(noReason.status).toBe(400);
    expect((await publicationRow(published.publicationId)).status).toBe('published');

    const reason = 'A ballot was found injected into the database; recount pending.';
    const res = await t.http
      .post(url)
      .set(...bearer(certifier))
      .send({ reason });
    expect(res.status).toBe(200);
    const [row] = await t.db.query<{ status: string; withdrawal_reason: string }[]>(
      `SELECT status, withdrawal_reason FROM result_publication WHERE id = $1`,
      [published.publicationId],
    );
    expect(row).toEqual({ status: 'withdrawn', withdrawal_reason: reason });
    const [event] = await t.db.query<{ data: { reason: string } }[]>(
      `SELECT data FROM audit_event WHERE subject_id = $1 AND action = 'result.withdrawn'`,
      [published.electionId],
    );
    expect(event.data.reason).toBe(reason);

    expect(
      (await t.http.get(`/api/v1/public/results/elections/${published.electionId}`)).status,
    ).toBe(404);
    const notices = await t.http.get('/api/v1/public/notices');
    expect(notices.status).toBe(200);
    expect(notices.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ publicationId: published.publicationId, reason }),
      ]),
    );
    const manifest = await t.http.get(
      `/api/v1/public/publications/${published.publicationId}/manifest`,
    );
    expect(manifest.status).toBe(200);
    expect((manifest.body as { status: string }).status).toBe('withdrawn');
    expect((manifest.body as { manifest: { publicationId: string } }).manifest.publicationId).toBe(
      published.publicationId,
    );
    expect(
      (
        await t.http
          .post(url)
          .set(...bearer(certifier))
          .send({ reason })
      ).status,
    ).toBe(409);
    // The certification itself is fixed in the database: no edit or delete, whatever the app does.
    await expect(
      t.db.query(`UPDATE result_publication SET manifest = '{}'::jsonb WHERE id = $1`, [
        published.publicationId,
      ]),
    ).rejects.toThrow(/certified result is fixed/);
    await expect(
      t.db.query(`DELETE FROM result_publication WHERE id = $1`, [published.publicationId]),
    ).rejects.toThrow(/certified result is fixed/);
  });

  it('refuses certification by the admin who closed the election when there are two admins', async () => {
    const { electionId } = await talliedElection();
    const res = await t.http
      .post(`/api/v1/results/election/${electionId}/certify`)
      .set(...bearer(closer))
      .send({});
    expect(res.status).toBe(403);
    expect((res.body as { code: string }).code).toBe('RESULT_SAME_ADMIN_AS_CLOSE');
    const [{ count }] = await t.db.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM result_publication WHERE contest_id = $1`,
      [electionId],
    );
    expect(count).toBe(0);

    // Without an embargo the other admin's certification publishes at once.
    const ok = await t.http
      .post(`/api/v1/results/election/${electionId}/certify`)
      .set(...bearer(certifier))
      .send({});
    expect(ok.status).toBe(201);
    expect((ok.body as { status: string }).status).toBe('published');
    expect((await t.http.get(`/api/v1/public/results/elections/${electionId}`)).status).toBe(200);
    const again = await t.http
      .post(`/api/v1/results/election/${electionId}/certify`)
      .set(...bearer(certifier))
      .send({});
    expect(again.status).toBe(409);
  });

  it('refuses roles other than admin on the admin routes', async () => {
    const member = (await t.userWithToken('member')).token;
    const id = randomUUID();
    expect(
      (
        await t.http
          .post(`/api/v1/results/election/${id}/certify`)
          .set(...bearer(member))
          .send({})
      ).status,
    ).toBe(403);
    expect((await t.http.get(`/api/v1/results/election/${id}`)).status).toBe(401);
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

/**
 * Text of a PDF through pdf-parse (pdf.js). In a child process: pdf.js loads its worker with a
 * dynamic import, which Jest's module sandbox does not allow.
 */
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
