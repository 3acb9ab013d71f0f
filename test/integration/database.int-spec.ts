import { QueryFailedError } from 'typeorm';
import { createDataSource } from 'src/database/data-source';
import { Database, pgConstraint, pgErrorCode } from 'src/database/database';
import { PreparedStatement } from 'src/database/prepared-statement';
import { createTestDatabase, TestDatabase } from '../support/database';

jest.setTimeout(60_000);

const INSERT_NOTE = new PreparedStatement(
  'test-insert-note',
  'INSERT INTO prepared_note (id, body) VALUES ($1, $2) RETURNING id, body',
);
const COUNT_NOTES = new PreparedStatement(
  'test-count-notes',
  'SELECT count(*)::int AS n FROM prepared_note',
);

/** Named statements run the same inside and outside a unit of work. */
describe('Database.prepared (integration)', () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    const dataSource = createDataSource(database.url, {
      poolSize: 4,
      statementTimeoutMs: 5000,
      logQueries: false,
    });
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE prepared_note (id int PRIMARY KEY, body text NOT NULL)');
    db = new Database(dataSource);
  });
  afterAll(async () => {
    await db.dataSource.destroy();
    await database.drop();
  });

  const count = async (): Promise<number> =>
    (await db.prepared<{ n: number }[]>(COUNT_NOTES, []))[0].n;

  it('returns the rows of a statement run outside a transaction, on every pooled connection', async () => {
    const rows = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8].map((id) =>
        db.prepared<{ id: number; body: string }[]>(INSERT_NOTE, [id, `note ${id}`]),
      ),
    );
    expect(rows.map(([row]) => row)).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((id) => ({ id, body: `note ${id}` })),
    );
    expect(await count()).toBe(8);
  });

  it('fails outside a transaction with the same error, code and constraint as inside one', async () => {
    const outside = await db.prepared(INSERT_NOTE, [1, 'again']).catch((e: unknown) => e);
    const inside = await db
      .transaction(() => db.prepared(INSERT_NOTE, [1, 'again']))
      .catch((e: unknown) => e);
    for (const error of [outside, inside]) {
      expect(error).toBeInstanceOf(QueryFailedError);
      expect(pgErrorCode(error)).toBe('23505');
      expect(pgConstraint(error)).toBe('prepared_note_pkey');
    }
  });

  it('runs inside the current transaction, so a rollback takes its rows with it', async () => {
    const before = await count();
    await expect(
      db.transaction(async () => {
        await db.prepared(INSERT_NOTE, [100, 'rolled back']);
        expect(await count()).toBe(before + 1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await count()).toBe(before);
  });
});
