import { eventHash } from 'src/audit/audit-chain';
import { startTestApp, TestApp } from '../support/test-app';

jest.setTimeout(30_000);

/**
 * The audit log is append-only in the database, and the hash chain shows any change made by someone
 * who got around that (a superuser disabling the trigger). The tests run in order: the later ones
 * tamper with the chain.
 */
describe('audit log (e2e)', () => {
  let t: TestApp;
  let admin: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.userWithToken('admin');
    // A few more events, so tampering can hit one in the middle of the chain.
    for (const n of [1, 2, 3]) {
      const res = await t.http
        .post('/api/v1/members')
        .set('authorization', `Bearer ${admin.token}`)
        .send({ memberNumber: `A-${n}`, kind: 'individual', name: `Member ${n}` });
      expect(res.status).toBe(201);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const verify = async (): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await t.http
      .get('/api/v1/audit/verify')
      .set('authorization', `Bearer ${admin.token}`);
    return { status: res.status, body: res.body };
  };

  async function rows(): Promise<{ seq: string; hash: string; data: Record<string, unknown> }[]> {
    return t.db.query(`SELECT seq, hash, data FROM audit_event ORDER BY seq`);
  }

  /** Runs SQL with the append-only trigger off, as a superuser could. */
  async function asSuperuser(sql: string, params: unknown[] = []): Promise<void> {
    await t.db.query('ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only');
    try {
      await t.db.query(sql, params);
    } finally {
      await t.db.query('ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only');
    }
  }

  it('refuses UPDATE of an audit row in the database and leaves the row as it was', async () => {
    const before = await rows();
    await expect(
      t.db.query(`UPDATE audit_event SET data = '{"forged": true}' WHERE seq = 2`),
    ).rejects.toMatchObject({
      driverError: expect.objectContaining({ code: '42501' }),
      message: expect.stringContaining('append-only'),
    });
    expect(await rows()).toEqual(before);
  });

  it('refuses DELETE and TRUNCATE of the audit table', async () => {
    const before = await rows();
    await expect(t.db.query(`DELETE FROM audit_event WHERE seq = 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.db.query(`DELETE FROM audit_event`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`TRUNCATE audit_event`)).rejects.toThrow(/append-only/);
    expect(await rows()).toEqual(before);
  });

  it('reports an untouched chain as valid, with its head', async () => {
    const all = await rows();
    expect(all.map((r) => r.seq)).toEqual(all.map((_, i) => String(i + 1)));
    const res = await verify();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ valid: true, checked: all.length, head: all[all.length - 1].hash });
  });

  it('lists events in order, filtered by subject', async () => {
    const res = await t.http
      .get('/api/v1/audit/events')
      .query({ subjectType: 'user', subjectId: admin.id })
      .set('authorization', `Bearer ${admin.token}`);
    expect(res.status).toBe(200);
    expect(res.body.map((e: { action: string }) => e.action)).toEqual([
      'user.created',
      'auth.login_succeeded',
    ]);
  });

  it('is not readable by a member', async () => {
    const member = await t.userWithToken('member');
    const res = await t.http
      .get('/api/v1/audit/verify')
      .set('authorization', `Bearer ${member.token}`);
    expect(res.status).toBe(403);
  });

  it('reports the row whose data was edited behind the trigger, and valid again once it is restored', async () => {
    const target = (await rows())[3];
    await asSuperuser(`UPDATE audit_event SET data = data || '{"name": "Forged"}' WHERE seq = $1`, [
      target.seq,
    ]);
    const broken = await verify();
    expect(broken.status).toBe(200);
    expect(broken.body).toMatchObject({
      valid: false,
      brokenAtSeq: target.seq,
      checked: Number(target.seq) - 1,
    });
    expect(broken.body.reason).toMatch(/does not match its hash/);

    await asSuperuser(`UPDATE audit_event SET data = $2 WHERE seq = $1`, [
      target.seq,
      JSON.stringify(target.data),
    ]);
    expect((await verify()).body).toMatchObject({ valid: true });
  });

  it('reports the next row when an edited row was also re-hashed to look consistent', async () => {
    const [row] = await t.db.query(`SELECT * FROM audit_event WHERE seq = 3`);
    const forgedData = { ...row.data, forged: true };
    const forgedHash = eventHash({
      seq: row.seq,
      occurredAt: row.occurred_at,
      actorKind: row.actor_kind,
      actorId: row.actor_id,
      action: row.action,
      subjectType: row.subject_type,
      subjectId: row.subject_id,
      data: forgedData,
      prevHash: row.prev_hash,
      salt: row.salt,
      subjectPrev: row.subject_prev,
    });
    await asSuperuser(`UPDATE audit_event SET data = $2, hash = $3 WHERE seq = $1`, [
      row.seq,
      JSON.stringify(forgedData),
      forgedHash,
    ]);
    const res = await verify();
    expect(res.body).toMatchObject({
      valid: false,
      brokenAtSeq: '4',
      checked: 3,
      reason: 'previous hash does not link',
    });
    await asSuperuser(`UPDATE audit_event SET data = $2, hash = $3 WHERE seq = $1`, [
      row.seq,
      JSON.stringify(row.data),
      row.hash,
    ]);
    expect((await verify()).body).toMatchObject({ valid: true });
  });

  it('reports a deleted row as a gap at the row after it', async () => {
    const all = await rows();
    const victim = all[1];
    await asSuperuser(`DELETE FROM audit_event WHERE seq = $1`, [victim.seq]);
    const res = await verify();
    expect(res.body).toMatchObject({ valid: false, brokenAtSeq: all[2].seq, checked: 1 });
    expect(res.body.reason).toMatch(/gap/);
  });
});
