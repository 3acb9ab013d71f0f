/** A contest file that cannot be read; names the line (1-based) where reading stopped. */
export class FormatError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'FormatError';
  }
}

/** Drops a UTF-8 byte-order mark, which some exports put before the first line. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
