import { canonicalJson, sha256Hex } from 'src/common/canonical-json';

/**
 * Rendered files of published results, keyed by a digest of what they are rendered from: a public
 * download is rendered once, not on every request (a PDF costs about 100 ms of the API's CPU, which
 * casting shares), and a result that changes (a withdrawal notice, say) gets a new key by itself.
 * Bounded: the least recently used entry goes first.
 */
export class RenderCache {
  private readonly entries = new Map<string, Promise<Buffer>>();

  constructor(private readonly capacity: number) {}

  render(source: unknown, draw: () => Promise<Buffer>): Promise<Buffer> {
    const key = sha256Hex(canonicalJson(source));
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const drawing = draw();
    this.entries.set(key, drawing);
    // A failed render is not kept: the next request tries again.
    drawing.catch(() => this.entries.delete(key));
    if (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    return drawing;
  }

  get size(): number {
    return this.entries.size;
  }
}
