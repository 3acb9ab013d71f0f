import './register-paths';
import { resolve } from 'node:path';
import Redis from 'ioredis';
import { loadConfig } from 'src/config/load-config';
import { findServer } from 'src/database/server-url';
import { migratedDatabase } from './stack';

/**
 * Once per run: find PostgreSQL (DATABASE_URL, else the local service, else the embedded server),
 * build a template database with every migration applied, and find Redis. Each test file then clones
 * the template, which takes milliseconds.
 */
export default async function globalSetup(): Promise<void> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
  const server = await findServer(config.database, {
    embeddedDir: resolve(config.database.embeddedDir, '..', 'postgres-test'),
    embeddedPort: config.database.embeddedPort + 1,
  });
  const { name: template } = await migratedDatabase(server.adminUrl, 'test_template');
  process.env.TEST_PG_SERVER_URL = server.adminUrl;
  process.env.TEST_PG_TEMPLATE = template;
  (globalThis as Record<string, unknown>).__testServer = server;

  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    process.env.TEST_REDIS_URL = redisUrl;
  } catch {
    const message = `Redis is not reachable at ${redisUrl}: tests that need Redis will fail.`;
    process.stderr.write(`\n\n!!! ${message}\n!!! Start Redis or set REDIS_URL.\n\n`);
    if (process.env.CI === 'true') {
      throw new Error(message);
    }
  } finally {
    redis.disconnect();
  }
}
