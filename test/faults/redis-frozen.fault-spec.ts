import { waitFor } from '../support/stack';
import {
  castOne,
  health,
  Health,
  HEALTH_TIMEOUT_MS,
  openElection,
  pool,
  Scene,
  scene,
  tallied,
  tallyJob,
} from './scenario';

/**
 * Redis hung (SIGSTOP: its connections stay open and nothing is answered, as a hung server or a
 * network partition looks) while members vote and an admin closes.
 */
describe('Redis frozen (child processes, own Redis)', () => {
  let s: Scene;
  let admin: string;

  beforeAll(async () => {
    s = await scene();
    const api = await s.stack.api();
    admin = await api.login(s.stack.admin);
    await api.service.stop();
  });
  afterAll(async () => {
    await s?.end();
  });

  it('answers /health within its timeout with the queue down while Redis is frozen; casting and closing go on', async () => {
    const worker = await s.stack.worker();
    const api = await s.stack.api();
    const voters = await s.stack.voters(60);
    const e = await openElection(
      api,
      admin,
      s.database.url,
      { office: 'Chair', method: 'plurality', seats: 1 },
      2,
    );
    s.redis.freeze();
    try {
      const answers: Health[] = [];
      for (let i = 0; i < 3; i++) {
        answers.push(await health(api));
      }
      process.stdout.write(
        `redis frozen: /health answered in ${answers.map((a) => a.ms).join(', ')} ms\n`,
      );
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(answer.queue).toMatchObject({
          status: 'down',
          redis: 'unreachable',
          handingOver: false,
        });
        expect(answer.ms).toBeLessThan(HEALTH_TIMEOUT_MS + 1500);
      }
      const started = Date.now();
      const casts = await pool(voters, 10, (v, i) =>
        castOne(api, e.id, v, { choice: e.candidateIds[i % 2] }),
      );
      const close = await api.call('POST', `/elections/${e.id}/close`, admin);
      const castAndCloseMs = Date.now() - started;
      expect(casts.map((c) => c.status)).toEqual(casts.map(() => 201));
      expect(close.status).toBe(200);
      process.stdout.write(`redis frozen: 60 casts and the close took ${castAndCloseMs} ms\n`);
      expect((await tallyJob(s.database.url, e.id))?.status).toBe('pending');
    } finally {
      s.redis.thaw();
    }
    const thawed = Date.now();
    const run = await tallied(s.database.url, e.id, 30_000);
    process.stdout.write(`redis thawed: tallied ${Date.now() - thawed} ms later\n`);
    expect(run.ballot_count).toBe(60);
    await waitFor(
      '/health to answer 200 again',
      async () => (await health(api)).status === 200,
      10_000,
    );
    await Promise.all([api.service.stop(), worker.stop()]);
  });
});
