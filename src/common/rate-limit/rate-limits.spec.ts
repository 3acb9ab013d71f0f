import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { LimiterConnection } from './limiter-connection';
import { admit, Limit, LimitRule } from './rate-limits';

const MINUTE = 60_000;

function memoryLimit(points: number, windowSeconds = 60): Limit {
  const rule: LimitRule = { name: 'test', points, windowSeconds };
  return new Limit(
    rule,
    new RateLimiterMemory({ points, duration: windowSeconds }),
    undefined,
    undefined,
  );
}

async function send(limit: Limit, key: string): Promise<boolean> {
  return (await limit.count(key)).allowed;
}

describe('Limit (in memory)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('lets the limit through at once, then refuses until the window that began with the first count ends', async () => {
    const limit = memoryLimit(10);
    for (let i = 0; i < 10; i++) {
      jest.setSystemTime(i * 1000);
      expect(await send(limit, 'voter')).toBe(true);
    }
    jest.setSystemTime(10_000);
    expect(await limit.count('voter')).toEqual({
      allowed: false,
      store: 'memory',
      retryAfterMs: 50_000,
    });
    jest.setSystemTime(MINUTE);
    expect(await send(limit, 'voter')).toBe(true);
  });

  it('counts each key on its own', async () => {
    const limit = memoryLimit(2);
    expect([await send(limit, 'a'), await send(limit, 'a'), await send(limit, 'a')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(await send(limit, 'b')).toBe(true);
  });

  it('takes back a count', async () => {
    const limit = memoryLimit(1);
    const first = await limit.count('k');
    expect(first.allowed).toBe(true);
    await limit.uncount('k', first.store);
    expect(await send(limit, 'k')).toBe(true);
    expect(await send(limit, 'k')).toBe(false);
  });

  it('lets a request through only when every limit does, and a refused one counts against none', async () => {
    const perUser = memoryLimit(1);
    const perIp = memoryLimit(3);
    expect(
      (
        await admit([
          [perUser, 'ann'],
          [perIp, 'hall'],
        ])
      ).allowed,
    ).toBe(true);
    const refused = await admit([
      [perUser, 'ann'],
      [perIp, 'hall'],
    ]);
    expect(refused).toEqual({ allowed: false, refusedBy: 0, retryAfterMs: MINUTE });
    // Ann's refused ballot did not use up the hall's allowance: two colleagues still get through.
    expect(
      (
        await admit([
          [perUser, 'bob'],
          [perIp, 'hall'],
        ])
      ).allowed,
    ).toBe(true);
    expect(
      (
        await admit([
          [perUser, 'eve'],
          [perIp, 'hall'],
        ])
      ).allowed,
    ).toBe(true);
    const full = await admit([
      [perUser, 'joe'],
      [perIp, 'hall'],
    ]);
    expect(full).toMatchObject({ allowed: false, refusedBy: 1 });
  });

  it('takes back every count of an admitted request', async () => {
    const perUser = memoryLimit(1);
    const perIp = memoryLimit(1);
    const first = await admit([
      [perUser, 'ann'],
      [perIp, 'hall'],
    ]);
    if (!first.allowed) {
      throw new Error('expected the first request through');
    }
    first.uncount();
    expect(
      (
        await admit([
          [perUser, 'ann'],
          [perIp, 'hall'],
        ])
      ).allowed,
    ).toBe(true);
  });

  // TRUST 38. Expected rate: a 5,000-member association whose whole membership votes in the final
  // hour casts 83 ballots a minute. Ten times that, plus 10% retries, all through one NAT address,
  // under the default per-address limit of 3,000 a minute: at most 1% may be refused.
  it('lets a tenfold final-hour spike from one address through', async () => {
    const limit = memoryLimit(3000);
    const random = lcg(38);
    const perMinute = 10 * (5000 / 60) * 1.1;
    let now = 0;
    let sent = 0;
    let refused = 0;
    while (now < 60 * MINUTE) {
      now += (-Math.log(1 - random()) * MINUTE) / perMinute;
      jest.setSystemTime(now);
      sent++;
      refused += (await send(limit, 'office-nat')) ? 0 : 1;
    }
    expect(sent).toBeGreaterThan(50_000);
    expect(refused / sent).toBeLessThanOrEqual(0.01);
  });

  // The same membership voting at a general meeting through the hall's NAT: all 5,000 within five
  // minutes, half of them in the first.
  it('lets a whole general meeting vote through one address within minutes', async () => {
    const limit = memoryLimit(3000);
    const random = lcg(5000);
    const times = Array.from({ length: 5000 }, (_, i) =>
      i < 2500 ? random() * MINUTE : MINUTE + random() * 4 * MINUTE,
    ).sort((a, b) => a - b);
    let refused = 0;
    for (const t of times) {
      jest.setSystemTime(t);
      refused += (await send(limit, 'hall-nat')) ? 0 : 1;
    }
    expect(refused / times.length).toBeLessThanOrEqual(0.01);
  });
});

describe('Limit (in Redis, with memory as the fallback)', () => {
  function limitOver(
    redis: Partial<RateLimiterRedis>,
    usable: boolean,
  ): { limit: Limit; failed: jest.Mock } {
    const failed = jest.fn();
    const connection = { usable, failed } as unknown as LimiterConnection;
    const limit = new Limit(
      { name: 'test', points: 1, windowSeconds: 60 },
      new RateLimiterMemory({ points: 1, duration: 60 }),
      redis as RateLimiterRedis,
      connection,
    );
    return { limit, failed };
  }

  it('counts in Redis while it answers', async () => {
    const consume = jest.fn().mockResolvedValue(new RateLimiterRes(0, 1000, 1, true));
    const { limit } = limitOver({ consume }, true);
    expect(await limit.count('k')).toEqual({ allowed: true, store: 'redis' });
    expect(consume).toHaveBeenCalledWith('k');
  });

  it("answers Redis's refusal as a refusal, not as a failure", async () => {
    const consume = jest.fn().mockRejectedValue(new RateLimiterRes(0, 4000, 2, false));
    const { limit, failed } = limitOver({ consume }, true);
    expect(await limit.count('k')).toEqual({ allowed: false, store: 'redis', retryAfterMs: 4000 });
    expect(failed).not.toHaveBeenCalled();
  });

  it('counts in memory when a Redis command fails, and reports the failure', async () => {
    const error = new Error('Command timed out');
    const consume = jest.fn().mockRejectedValue(error);
    const { limit, failed } = limitOver({ consume }, true);
    expect(await limit.count('k')).toEqual({ allowed: true, store: 'memory' });
    expect(failed).toHaveBeenCalledWith(error);
    expect(await limit.count('k')).toMatchObject({ allowed: false, store: 'memory' });
  });

  it('does not ask Redis while the connection is not usable', async () => {
    const consume = jest.fn();
    const { limit } = limitOver({ consume }, false);
    expect(await limit.count('k')).toEqual({ allowed: true, store: 'memory' });
    expect(consume).not.toHaveBeenCalled();
  });

  it('takes a count back where it was made', async () => {
    const reward = jest.fn().mockResolvedValue(new RateLimiterRes(1, 1000, 0, false));
    const { limit } = limitOver({ reward }, true);
    await limit.uncount('k', 'redis');
    expect(reward).toHaveBeenCalledWith('k');
    await limit.uncount('m', 'memory');
    expect(reward).toHaveBeenCalledTimes(1);
  });
});

/** A seeded generator, so the arrival times are the same on every run. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}
