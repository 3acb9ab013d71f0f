import { randomBytes } from 'node:crypto';
import { adminQuery, withDatabase } from 'src/database/server-url';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file, cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = process.env.TEST_PG_SERVER_URL;
  const template = process.env.TEST_PG_TEMPLATE;
  if (!server || !template) {
    throw new Error('test database template missing: run the tests through jest with test/jest.config.ts');
  }
  const name = `test_${randomBytes(6).toString('hex')}`;
  await adminQuery(server, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  return {
    url: withDatabase(server, name),
    name,
    drop: () => adminQuery(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** Redis for tests; fails loudly when it is not there. */
export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) {
    throw new Error('Redis is required by this test and is not reachable (start it or set REDIS_URL)');
  }
  return url;
}
