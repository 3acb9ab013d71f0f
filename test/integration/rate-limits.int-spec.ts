import { randomBytes } from 'node:crypto';
import { LoginLimits } from 'src/auth/login-limits';
import { RateLimitException } from 'src/common/rate-limit/rate-limit.exception';
import { admit, RateLimits } from 'src/common/rate-limit/rate-limits';
import type { Config } from 'src/config/config.types';
import { testRedisUrl } from '../support/database';

jest.setTimeout(60_000);

/** What two API processes of one deployment share: the Redis server and the key prefix. */
function deploymentConfig(prefix: string, auth: Partial<Config['auth']> = {}): Config {
  return {
    queue: { redisUrl: testRedisUrl(), prefix, connectTimeoutMs: 2000 },
    rateLimits: { redisTimeoutMs: 500 },
    auth: { loginLimitPerAccount: 5, loginLimitPerIp: 100, loginWindowSeconds: 900, ...auth },
  } as Config;
}

async function until(what: string, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!probe()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** TRUST 12, TRUST 38: the limits of every process of a deployment are one, kept in Redis. */
describe('rate limits in Redis (integration)', () => {
  let processes: RateLimits[];
  let config: Config;

  beforeEach(async () => {
    config = deploymentConfig(`test-${randomBytes(4).toString('hex')}`, { loginLimitPerIp: 6 });
    processes = [new RateLimits(config), new RateLimits(config)];
    await until('both to reach Redis', () => processes.every((p) => p.inRedis));
  });
  afterEach(() => {
    processes.forEach((p) => p.onApplicationShutdown());
  });

  it('holds the login limit per address across two processes', async () => {
    const [a, b] = processes.map((p) => new LoginLimits(config, p));
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const attempt = (i % 2 === 0 ? a : b).login('10.48.1.1', `nobody${i}@example.org`);
      // Every attempt fails: nothing is given back.
      outcomes.push(
        await attempt.then(
          () => 'counted',
          (e: unknown) => (e instanceof RateLimitException ? 'refused' : 'error'),
        ),
      );
    }
    expect(outcomes).toEqual([...Array<string>(6).fill('counted'), 'refused', 'refused']);
  });

  it('lets exactly the limit through when requests reach both processes at once', async () => {
    const [a, b] = processes.map((p) => p.limit({ name: 'burst', points: 25, windowSeconds: 60 }));
    const answers = await Promise.all(
      Array.from({ length: 80 }, (_, i) => admit([[i % 2 === 0 ? a : b, 'hall']])),
    );
    expect(answers.filter((x) => x.allowed)).toHaveLength(25);
  });

  it("gives a successful login's counts back in Redis, for the other process to use", async () => {
    const [a, b] = processes.map((p) => new LoginLimits(config, p));
    for (let i = 0; i < 20; i++) {
      const attempt = await (i % 2 === 0 ? a : b).login('10.48.2.1', `member${i}@example.org`);
      attempt.succeeded();
    }
    // The give-backs are not awaited by the request; the next checks still find them made.
    for (let i = 0; i < 6; i++) {
      await expect(b.login('10.48.2.1', `guess${i}@example.org`)).resolves.toBeDefined();
    }
    await expect(a.login('10.48.2.1', 'one-more@example.org')).rejects.toBeInstanceOf(
      RateLimitException,
    );
  });
});
