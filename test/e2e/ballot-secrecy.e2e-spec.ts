import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { promisify, stripVTControlCharacters } from 'node:util';
import pino from 'pino';
import { JobsService } from 'src/jobs/jobs.service';
import { startTestApp, TestApp } from '../support/test-app';
import {
  bearer,
  cast,
  closeAndTally,
  draftElection,
  ElectionSetup,
  newVoters,
  openElection,
  Voter,
} from './elections.fixtures';

jest.setTimeout(240_000);

const run = promisify(execFile);

/**
 * What someone who reads the database (live, or a dump) or the logs learns about how members voted:
 * nothing. Ballots are sealed before they reach SQL; the counted ballots are written by the tally,
 * grouped and sorted by content.
 */
describe('ballot secrecy at rest (e2e)', () => {
  const lines: string[] = [];
  let t: TestApp;
  let admin: string;
  let certifier: string;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    // TypeORM's query log goes to the console, the app's own log to pino: both are read.
    // Its SQL may be coloured (as under CI=true): the colour codes are taken out before reading.
    jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(stripVTControlCharacters(args.map(String).join(' ')));
    });
    t = await startTestApp({
      env: { DB_LOG_QUERIES: 'true', LOG_LEVEL: 'trace' },
      logger: pino({ level: 'trace' }, sink),
    });
    admin = (await t.userWithToken('admin')).token;
    certifier = (await t.userWithToken('admin')).token;
  });
  afterAll(async () => {
    await t.close();
  });

  /** Casts with every voter in turn, voter i choosing candidate (i mod n); returns the choices. */
  async function castInOrder(e: ElectionSetup, voters: Voter[]): Promise<Map<string, string>> {
    const chose = new Map<string, string>();
    for (const [i, v] of voters.entries()) {
      const choice = e.candidates[i % e.candidates.length].id;
      expect((await cast(t, v, e.id, { choice })).status).toBe(201);
      chose.set(v.memberId, choice);
    }
    return chose;
  }

  function containsAny(text: string, needles: readonly string[]): string[] {
    return needles.filter((n) => text.includes(n));
  }

  describe('while voting is open', () => {
    let e: ElectionSetup;
    let candidateIds: string[];
    let castLog: string[];

    beforeAll(async () => {
      const voters = await newVoters(t, 12);
      e = await draftElection(t, admin, { office: 'Treasurer', method: 'plurality' }, [
        'Anna',
        'Boris',
        'Vera',
      ]);
      candidateIds = e.candidates.map((c) => c.id);
      await openElection(t, admin, e.id);
      const from = lines.length;
      await castInOrder(e, voters);
      castLog = lines.slice(from);
    });

    it('pairs every participation with a ballot row by transaction id, and that row holds only a seal', async () => {
      const pairs = await t.db.query<{ member_id: string; sealed: Buffer; weight: number }[]>(
        `SELECT p.member_id, b.sealed, b.weight FROM participation p
         JOIN ballot b ON b.xmin = p.xmin AND b.election_id = p.election_id
         WHERE p.election_id = $1`,
        [e.id],
      );
      // The link exists, as it must for rows written by one transaction...
      expect(pairs).toHaveLength(12);
      for (const pair of pairs) {
        // ...but what it leads to is a sealed box: no candidate id, no ballot JSON, in any encoding.
        for (const encoding of ['latin1', 'utf8', 'hex', 'base64'] as const) {
          const text = pair.sealed.toString(encoding);
          expect(containsAny(text, [...candidateIds, '"choice"', 'choice'])).toEqual([]);
        }
      }
      const columns = await t.db.query<{ table_name: string; column_name: string }[]>(
        `SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name IN ('ballot', 'participation')`,
      );
      expect(
        columns
          .filter((c) => c.table_name === 'participation')
          .map((c) => c.column_name)
          .sort(),
      ).toEqual(['election_id', 'member_id']);
    });

    it('leaves no ballot content in a pg_dump taken during voting', async () => {
      let dump: string;
      try {
        dump = (await run('pg_dump', ['--no-owner', t.database.url], { maxBuffer: 64 << 20 }))
          .stdout;
      } catch (error) {
        if (process.env.CI === 'true') {
          throw error;
        }
        process.stderr.write(
          `\n!!! pg_dump could not run (${String(error)}): dump check skipped\n`,
        );
        return;
      }
      const copyBlock = (table: string): string => {
        const start = dump.indexOf(`COPY public.${table} `);
        expect(start).toBeGreaterThanOrEqual(0);
        return dump.slice(start, dump.indexOf('\n\\.\n', start));
      };
      const ballots = copyBlock('ballot');
      expect(ballots.split('\n')).toHaveLength(13);
      expect(containsAny(ballots, candidateIds)).toEqual([]);
      expect(containsAny(copyBlock('participation'), candidateIds)).toEqual([]);
      // No ballot JSON anywhere in the dump: the engine's ballot key appears in none of its tables.
      expect(dump).not.toContain('"choice"');
    });

    it('writes no ballot content to the log, with every statement logged', () => {
      expect(castLog.length).toBeGreaterThan(12);
      expect(castLog.some((l) => l.includes('INSERT INTO ballot'))).toBe(true);
      for (const line of castLog) {
        expect(containsAny(line, [...candidateIds, '"choice"', 'choice'])).toEqual([]);
      }
    });

    it('keeps ballots out of the queue until the close', async () => {
      const payloads = await t.db.query<{ payload: unknown }[]>(`SELECT payload FROM outbox`);
      expect(containsAny(JSON.stringify(payloads), [...candidateIds, 'choice'])).toEqual([]);
    });
  });

  describe('after the tally', () => {
    it('counts from rows of its own, grouped and sorted by content, that no transaction id, row order or time links to a voter', async () => {
      const voters = await newVoters(t, 9);
      const e = await draftElection(t, admin, { office: 'Secretary', method: 'plurality' }, [
        'Anna',
        'Boris',
        'Vera',
      ]);
      await openElection(t, admin, e.id);
      // Cast order: C, B, A, C, B, A, ... — the opposite of the content order.
      const reversed = { ...e, candidates: [...e.candidates].reverse() };
      await castInOrder(reversed, voters);
      await closeAndTally(t, admin, e.id);

      const counted = await t.db.query<
        { content: { choice: string }; ballots: number; weight: number; xmin: string }[]
      >(
        `SELECT content, ballots, weight, xmin::text FROM counted_ballot WHERE election_id = $1 ORDER BY ctid`,
        [e.id],
      );
      const byId = [...e.candidates.map((c) => c.id)].sort();
      expect(counted.map((c) => c.content.choice)).toEqual(byId);
      expect(counted.map((c) => c.ballots)).toEqual([3, 3, 3]);
      expect(new Set(counted.map((c) => c.xmin)).size).toBe(1);
      const linked = await t.db.query(
        `SELECT 1 FROM participation p JOIN counted_ballot c ON c.xmin = p.xmin WHERE p.election_id = $1`,
        [e.id],
      );
      expect(linked).toEqual([]);

      const res = await t.http.get(`/api/v1/elections/${e.id}/results`).set(...bearer(admin));
      expect(res.status).toBe(200);
      const result = res.body as {
        result: { stats: { ballots: number } };
        outcome: Record<string, unknown>;
      };
      expect(result.result.stats.ballots).toBe(9);
    });

    it('destroys a custodial key at certification, after which nothing opens the seals', async () => {
      const voters = await newVoters(t, 3);
      const e = await draftElection(t, admin, { office: 'Auditor', method: 'yes_no' }, ['Anna']);
      await openElection(t, admin, e.id);
      for (const v of voters) {
        expect((await cast(t, v, e.id, { choice: 'yes' })).status).toBe(201);
      }
      await closeAndTally(t, admin, e.id);
      const keyBefore = await t.db.query<{ wrapped: boolean }[]>(
        `SELECT wrapped_ballot_key IS NOT NULL AS wrapped FROM election WHERE id = $1`,
        [e.id],
      );
      expect(keyBefore).toEqual([{ wrapped: true }]);
      const certified = await t.http
        .post(`/api/v1/results/election/${e.id}/certify`)
        .set(...bearer(certifier))
        .send({});
      expect(certified.status).toBe(201);
      const [after] = await t.db.query<{ wrapped: boolean; destroyed: boolean }[]>(
        `SELECT wrapped_ballot_key IS NOT NULL AS wrapped, key_destroyed_at IS NOT NULL AS destroyed FROM election WHERE id = $1`,
        [e.id],
      );
      expect(after).toEqual({ wrapped: false, destroyed: true });
      const status = await t.http.get(`/api/v1/elections/${e.id}/custody`).set(...bearer(admin));
      expect(status.body).toMatchObject({ mode: 'custodial', state: 'key_destroyed' });
      const events = await t.db.query<{ action: string }[]>(
        `SELECT action FROM audit_event WHERE subject_id = $1 AND action = 'election.key_destroyed'`,
        [e.id],
      );
      expect(events).toHaveLength(1);
      // The result still re-tallies from the counted ballots.
      const recount = await t.http
        .post(`/api/v1/results/election/${e.id}/retally`)
        .set(...bearer(admin));
      expect(recount.status).toBe(200);
      expect((recount.body as { identical: boolean }).identical).toBe(true);
    });
  });

  describe('commission custody', () => {
    interface Holder {
      id: string;
      token: string;
    }
    let holders: Holder[];
    let outsider: Holder;
    let e: ElectionSetup;
    let voters: Voter[];
    const shares = new Map<string, string>();

    const custody = (token: string, path = '') =>
      t.http.get(`/api/v1/elections/${e.id}/custody${path}`).set(...bearer(token));
    const submit = (h: Holder, share: string) =>
      t.http
        .post(`/api/v1/elections/${e.id}/custody/submit`)
        .set(...bearer(h.token))
        .send({ share });
    const auditActions = async (): Promise<string[]> =>
      (
        await t.db.query<{ action: string }[]>(
          `SELECT action FROM audit_event WHERE subject_id = $1 ORDER BY seq`,
          [e.id],
        )
      ).map((r) => r.action);

    beforeAll(async () => {
      holders = [];
      for (let i = 0; i < 3; i++) {
        const u = await t.userWithToken('member', { displayName: `Commission ${i + 1}` });
        holders.push({ id: u.id, token: u.token });
      }
      const o = await t.userWithToken('member');
      outsider = { id: o.id, token: o.token };
      e = await draftElection(t, admin, { office: 'President', method: 'yes_no' }, ['Anna']);
      voters = await newVoters(t, 5);
    });

    it('splits the key 2 of 3, hands each member their share once, and opens only when all are collected', async () => {
      const set = await t.http
        .put(`/api/v1/elections/${e.id}/custody`)
        .set(...bearer(admin))
        .send({ mode: 'commission', threshold: 2, holders: holders.map((h) => h.id) });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({
        mode: 'commission',
        state: 'awaiting_collection',
        threshold: 2,
      });
      const bad = await t.http
        .put(`/api/v1/elections/${e.id}/custody`)
        .set(...bearer(admin))
        .send({ mode: 'commission', threshold: 4, holders: holders.map((h) => h.id) });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/threshold/);

      const early = await t.http.post(`/api/v1/elections/${e.id}/open`).set(...bearer(admin));
      expect(early.status).toBe(409);
      expect(early.body.message).toMatch(/3 of the counting commission's shares are not collected/);

      const stranger = await t.http
        .post(`/api/v1/elections/${e.id}/custody/collect`)
        .set(...bearer(outsider.token));
      expect(stranger.status).toBe(403);
      for (const h of holders) {
        const res = await t.http
          .post(`/api/v1/elections/${e.id}/custody/collect`)
          .set(...bearer(h.token));
        expect(res.status).toBe(200);
        expect(res.body.share).toMatch(/^abks1:/);
        shares.set(h.id, res.body.share as string);
        const again = await t.http
          .post(`/api/v1/elections/${e.id}/custody/collect`)
          .set(...bearer(h.token));
        expect(again.status).toBe(409);
      }
      // The server keeps no share, wrapped or not, once they are collected.
      const kept = await t.db.query(
        `SELECT 1 FROM election_key_share WHERE election_id = $1 AND wrapped_share IS NOT NULL`,
        [e.id],
      );
      expect(kept).toEqual([]);
      const [row] = await t.db.query<{ wrapped: boolean }[]>(
        `SELECT wrapped_ballot_key IS NOT NULL AS wrapped FROM election WHERE id = $1`,
        [e.id],
      );
      expect(row.wrapped).toBe(false);
      await openElection(t, admin, e.id);
    });

    it('waits in a visible state after the close, refuses a wrong share with a reason on the record, and tallies at the k-th share', async () => {
      for (const [i, v] of voters.entries()) {
        expect((await cast(t, v, e.id, { choice: i < 4 ? 'yes' : 'no' })).status).toBe(201);
      }
      const closed = await t.http.post(`/api/v1/elections/${e.id}/close`).set(...bearer(admin));
      expect(closed.status).toBe(200);
      await t.app.get(JobsService).drain();
      expect((await custody(admin)).body).toMatchObject({
        state: 'awaiting_shares',
        sharesSubmitted: 0,
      });
      const jobs = await t.db.query(`SELECT 1 FROM outbox WHERE payload->>'contestId' = $1`, [
        e.id,
      ]);
      expect(jobs).toEqual([]);

      // Another member's share, a changed share and noise are refused, and each refusal is audited.
      const [first, second] = holders;
      const theirs = await submit(first, shares.get(second.id)!);
      expect(theirs.status).toBe(400);
      expect(theirs.body.message).toMatch(/not yours/);
      const own = shares.get(first.id)!;
      const last = own.at(-2) === 'A' ? 'B' : 'A';
      const changed = await submit(first, `${own.slice(0, -2)}${last}${own.at(-1)}`);
      expect(changed.status).toBe(400);
      expect(changed.body.message).toMatch(/not the share you were given/);
      expect((await submit(first, 'hello')).status).toBe(400);
      expect((await auditActions()).filter((a) => a === 'election.key_share_refused')).toHaveLength(
        3,
      );
      expect((await submit(outsider, own)).status).toBe(403);

      // k − 1 shares: still waiting, nothing to tally.
      expect((await submit(first, own)).status).toBe(200);
      expect((await submit(first, own)).status).toBe(409);
      await t.app.get(JobsService).drain();
      expect((await custody(admin)).body).toMatchObject({
        state: 'awaiting_shares',
        sharesSubmitted: 1,
      });
      expect(
        (await t.http.get(`/api/v1/elections/${e.id}`).set(...bearer(admin))).body.status,
      ).toBe('closed');

      // The k-th share starts the tally.
      expect((await submit(second, shares.get(second.id)!)).status).toBe(200);
      await t.app.get(JobsService).drain();
      expect(
        (await t.http.get(`/api/v1/elections/${e.id}`).set(...bearer(admin))).body.status,
      ).toBe('tallied');
      const result = await t.http.get(`/api/v1/elections/${e.id}/results`).set(...bearer(admin));
      expect(result.status).toBe(200);
      expect(result.body.result.totals ?? result.body.result).toBeTruthy();
      expect(JSON.stringify(result.body.result)).toMatch(/"yes":"?4/);
      // The handed-back shares are gone with the tally's commit; the third is no longer wanted.
      const kept = await t.db.query(
        `SELECT 1 FROM election_key_share WHERE election_id = $1 AND wrapped_share IS NOT NULL`,
        [e.id],
      );
      expect(kept).toEqual([]);
      expect((await custody(admin)).body).toMatchObject({ state: 'opened', sharesSubmitted: 2 });
      expect((await submit(holders[2], shares.get(holders[2].id)!)).status).toBe(409);
      expect(await auditActions()).toEqual(
        expect.arrayContaining([
          'election.custody_set',
          'election.key_share_collected',
          'election.key_share_submitted',
          'election.ballots_opened',
          'election.tallied',
        ]),
      );
    });
  });
});
