import { RenderCache } from './render-cache';

describe('RenderCache', () => {
  const file = (text: string) => () => Promise.resolve(Buffer.from(text));

  it('renders the same content once, and different content again', async () => {
    const cache = new RenderCache(4);
    const draw = jest.fn(file('pdf-1'));
    expect((await cache.render({ b: 2, a: 1 }, draw)).toString()).toBe('pdf-1');
    // Key order does not matter: the key is the canonical form.
    expect((await cache.render({ a: 1, b: 2 }, draw)).toString()).toBe('pdf-1');
    expect(draw).toHaveBeenCalledTimes(1);
    expect((await cache.render({ a: 1, b: 3 }, file('pdf-2'))).toString()).toBe('pdf-2');
  });

  it('shares one render between concurrent requests', async () => {
    const cache = new RenderCache(4);
    const draw = jest.fn(file('x'));
    await Promise.all([cache.render({ id: 1 }, draw), cache.render({ id: 1 }, draw)]);
    expect(draw).toHaveBeenCalledTimes(1);
  });

  it('evicts the least recently used entry beyond its capacity', async () => {
    const cache = new RenderCache(2);
    await cache.render({ id: 1 }, file('1'));
    await cache.render({ id: 2 }, file('2'));
    await cache.render({ id: 1 }, file('unused'));
    await cache.render({ id: 3 }, file('3'));
    expect(cache.size).toBe(2);
    // 1 was used after 2, so 2 went.
    expect((await cache.render({ id: 1 }, file('unused'))).toString()).toBe('1');
    expect((await cache.render({ id: 2 }, file('2 again'))).toString()).toBe('2 again');
  });

  it('does not keep a failed render', async () => {
    const cache = new RenderCache(2);
    await expect(cache.render({ id: 1 }, () => Promise.reject(new Error('font missing')))).rejects.toThrow('font missing');
    expect((await cache.render({ id: 1 }, file('ok'))).toString()).toBe('ok');
  });
});
