import type { Socket } from 'node:net';
import { Pool, PoolClient } from 'pg';
import { createDataSource } from 'src/database/data-source';
import { isDatabaseUnavailable } from 'src/database/database';
import type { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '../support/database';

/** node-postgres keeps a client's socket here. */
type WithSocket = { connection: { stream: Socket } };

/** The pool of a data source as the application configures it. */
describe('database pool (integration)', () => {
  let database: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    ds = createDataSource(database.url, { poolSize: 2, statementTimeoutMs: 0, logQueries: false });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await database?.drop();
  });

  it('survives a connection cut between the pool handing it over and its holder listening', async () => {
    const pool = (ds.driver as unknown as { master: Pool }).master;
    // The pool's one idle connection is taken, so the next query opens a new one.
    const holder = ds.createQueryRunner();
    await holder.connect();
    try {
      // A new connection is handed over inside its socket's read (its ready message). On a busy
      // machine the server's "terminating connection" can be in the same read: the socket dies
      // before the query runner has attached its error listener. The next tick is that moment.
      pool.once('connect', (client: PoolClient) => {
        const socket = (client as unknown as WithSocket).connection.stream;
        process.nextTick(() => socket.destroy(new Error('cut by the test')));
      });
      const cut = await ds.query('SELECT 1').then(
        () => undefined,
        (error: unknown) => error,
      );
      // The holder's query fails as an unavailable database (503 upstream), not as a crash.
      expect(isDatabaseUnavailable(cut)).toBe(true);
      // The pool discarded the dead connection and serves the next query on a fresh one.
      await expect(ds.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
    } finally {
      await holder.release();
    }
  });
});
