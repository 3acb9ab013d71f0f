import { RateLimiter } from './rate-limiter';

const MINUTE = 60_000;

/** Sends a request if the limiter lets it through; true when it did. */
function send(limiter: RateLimiter, key: string, now: number): boolean {
  if (limiter.waitMs(key, now) > 0) {
    return false;
  }
  limiter.record(key, now);
  return true;
}

describe('RateLimiter', () => {
  it('lets the limit through at once, then refuses until the oldest request leaves the window', () => {
    const limiter = new RateLimiter(10, MINUTE);
    for (let i = 0; i < 10; i++) {
      expect(send(limiter, 'voter', i * 1000)).toBe(true);
    }
    expect(limiter.waitMs('voter', 10_000)).toBe(50_000);
    expect(limiter.waitMs('voter', 59_999)).toBe(1);
    expect(send(limiter, 'voter', 60_000)).toBe(true);
    expect(limiter.waitMs('voter', 60_000)).toBe(1000);
  });

  it('never lets more than the limit through in any window, however requests are spread', () => {
    const limiter = new RateLimiter(7, MINUTE);
    const accepted: number[] = [];
    for (let now = 0; now < 10 * MINUTE; now += 250) {
      if (send(limiter, 'k', now)) {
        accepted.push(now);
      }
    }
    for (let i = 7; i < accepted.length; i++) {
      expect(accepted[i] - accepted[i - 7]).toBeGreaterThanOrEqual(MINUTE);
    }
    expect(accepted).toHaveLength(70);
  });

  it('counts each key on its own', () => {
    const limiter = new RateLimiter(2, MINUTE);
    expect([send(limiter, 'a', 0), send(limiter, 'a', 0), send(limiter, 'a', 0)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(send(limiter, 'b', 0)).toBe(true);
  });

  it('does not count refused requests, so a client that keeps trying still gets the limit through', () => {
    const limiter = new RateLimiter(10, MINUTE);
    let accepted = 0;
    for (let now = 0; now < 5 * MINUTE; now += 100) {
      accepted += send(limiter, 'k', now) ? 1 : 0;
    }
    expect(accepted).toBe(50);
  });

  it('takes back a forgotten request, and only that one', () => {
    const limiter = new RateLimiter(2, MINUTE);
    expect([send(limiter, 'k', 1000), send(limiter, 'k', 2000), send(limiter, 'k', 3000)]).toEqual([
      true,
      true,
      false,
    ]);
    limiter.forget('k', 2000);
    expect(send(limiter, 'k', 3000)).toBe(true);
    expect(limiter.waitMs('k', 3000)).toBe(MINUTE - 2000);
    // Forgetting a time that was never counted, or an unknown key, changes nothing.
    limiter.forget('k', 2500);
    limiter.forget('other', 1000);
    expect(limiter.waitMs('k', 3000)).toBe(MINUTE - 2000);
  });

  it('keeps only what is inside the window, for a generous limit as for a tight one', () => {
    const limiter = new RateLimiter(1_000_000, MINUTE);
    for (let now = 0; now < 10 * MINUTE; now += 1) {
      send(limiter, 'bench', now);
    }
    expect(limiter.waitMs('bench', 10 * MINUTE)).toBe(0);
    for (let i = 0; i < 1000; i++) {
      send(limiter, `voter-${i}`, 10 * MINUTE);
    }
    expect(limiter.size).toBe(1001);
    send(limiter, 'late', 12 * MINUTE);
    expect(limiter.size).toBe(1);
  });

  // TRUST 38. Expected rate: a 5,000-member association whose whole membership votes in the final
  // hour casts 83 ballots a minute. Ten times that, plus 10% retries, all through one NAT address,
  // under the default per-address limit of 3,000 a minute: at most 1% may be refused.
  it('lets a tenfold final-hour spike from one address through', () => {
    const limiter = new RateLimiter(3000, MINUTE);
    const random = lcg(38);
    const perMinute = 10 * (5000 / 60) * 1.1;
    let now = 0;
    let sent = 0;
    let refused = 0;
    while (now < 60 * MINUTE) {
      now += (-Math.log(1 - random()) * MINUTE) / perMinute;
      sent++;
      refused += send(limiter, 'office-nat', now) ? 0 : 1;
    }
    expect(sent).toBeGreaterThan(50_000);
    expect(refused / sent).toBeLessThanOrEqual(0.01);
  });

  // The same membership voting at a general meeting through the hall's NAT: all 5,000 within five
  // minutes, half of them in the first.
  it('lets a whole general meeting vote through one address within minutes', () => {
    const limiter = new RateLimiter(3000, MINUTE);
    const random = lcg(5000);
    const times = Array.from({ length: 5000 }, (_, i) =>
      i < 2500 ? random() * MINUTE : MINUTE + random() * 4 * MINUTE,
    ).sort((a, b) => a - b);
    const refused = times.filter((t) => !send(limiter, 'hall-nat', t)).length;
    expect(refused / times.length).toBeLessThanOrEqual(0.01);
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
