import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino, { type Logger as Pino } from 'pino';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import type { Role } from 'src/auth/entities/user.entity';
import { UsersService } from 'src/auth/users.service';
import { createHttpApp } from 'src/bootstrap';
import { loadConfig } from 'src/config/load-config';
import type { Config } from 'src/config/config.types';
import { createTestDatabase, TestDatabase, testRedisUrl } from './database';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  db: DataSource;
  database: TestDatabase;
  config: Config;
  close(): Promise<void>;
  /** Creates a user with the given role and returns a bearer token for it. */
  userWithToken(
    role: Role,
    overrides?: { email?: string; displayName?: string },
  ): Promise<{ id: string; email: string; password: string; token: string }>;
}

export interface TestAppOptions {
  redis?: boolean;
  env?: Record<string, string>;
  /** The app's logger; silent unless given. */
  logger?: Pino;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    OUTBOX_RELAY_INTERVAL_MS: '200',
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    ...options.env,
  };
  if (options.redis) {
    env.REDIS_URL = testRedisUrl();
  }
  const config = loadConfig(env);
  const app = await createHttpApp(
    config,
    database.url,
    options.logger ?? pino({ level: 'silent' }),
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const http = request(app.getHttpServer());
  const db = app.get(DataSource);
  let counter = 0;
  return {
    app,
    http,
    db,
    database,
    config,
    async close() {
      await app.close();
      await database.drop();
    },
    async userWithToken(role, overrides = {}) {
      counter++;
      const email =
        overrides.email ?? `${role}${counter}-${randomBytes(3).toString('hex')}@example.org`;
      const password = `pw-${randomBytes(9).toString('base64url')}`;
      const user = await app.get(UsersService).create(null, {
        email,
        displayName: overrides.displayName ?? `${role} ${counter}`,
        role,
        password,
      });
      const res = await http.post('/api/v1/auth/login').send({ email, password });
      if (res.status !== 200) {
        throw new Error(`login failed in test setup: ${res.status} ${JSON.stringify(res.body)}`);
      }
      return {
        id: user.id,
        email,
        password,
        token: (res.body as { accessToken: string }).accessToken,
      };
    },
  };
}
