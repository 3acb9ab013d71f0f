import { METHODS, type TallyInput } from '../types';
import { FormatError, stripBom } from './format-error';

/** A contest as read from its file: the seed may be left to the caller. */
export type ContestJson = Omit<TallyInput, 'seed'> & { seed?: string };

/**
 * The project's own contest file: a TallyInput as JSON,
 * `{ "method": "stv", "config": { … }, "candidates": [ … ], "ballots": [ … ], "seed": "…" }`.
 * `seed` may be omitted (the caller supplies one).
 */
export function parseContestJson(source: string): ContestJson {
  const text = stripBom(source);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    const { offset, expected } = locateJsonError(text);
    throw new FormatError(
      `invalid JSON: expected ${expected}`,
      text.slice(0, offset).split('\n').length,
    );
  }
  const lineOf = (key: string): number => {
    const i = text.indexOf(`"${key}"`);
    return i < 0 ? 1 : text.slice(0, i).split('\n').length;
  };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new FormatError('a contest file must be a JSON object', 1);
  }
  const o = data as Record<string, unknown>;
  if (typeof o.method !== 'string' || !METHODS.includes(o.method as TallyInput['method'])) {
    throw new FormatError(`"method" must be one of ${METHODS.join(', ')}`, lineOf('method'));
  }
  if (
    o.candidates !== undefined &&
    !(Array.isArray(o.candidates) && o.candidates.every((c) => typeof c === 'string'))
  ) {
    throw new FormatError('"candidates" must be a list of strings', lineOf('candidates'));
  }
  if (!Array.isArray(o.ballots)) {
    throw new FormatError('"ballots" must be a list', lineOf('ballots'));
  }
  if (o.config !== undefined && (o.config === null || typeof o.config !== 'object')) {
    throw new FormatError('"config" must be an object', lineOf('config'));
  }
  if (o.seed !== undefined && typeof o.seed !== 'string') {
    throw new FormatError('"seed" must be a string', lineOf('seed'));
  }
  return {
    method: o.method as TallyInput['method'],
    config: o.config ?? {},
    candidates: o.candidates ?? [],
    ballots: o.ballots as TallyInput['ballots'],
    seed: o.seed,
  };
}

/**
 * Finds where JSON.parse gave up (its messages do not reliably carry a position): a small
 * syntax-only scan that returns the offset of the first error and what was expected there.
 */
export function locateJsonError(text: string): { offset: number; expected: string } {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) {
      i++;
    }
  };
  const fail = (expected: string): never => {
    throw new JsonSyntaxError(i, expected);
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') {
          fail('a quoted key');
        }
        string();
        ws();
        if (text[i] !== ':') {
          fail('":"');
        }
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail('"," or "}"');
      }
    } else if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail('"," or "]"');
      }
    } else if (ch === '"') {
      string();
    } else {
      const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(
        text.slice(i, i + 64),
      );
      if (!m) {
        fail('a value');
      }
      i += m![0].length;
    }
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\n') {
        fail('a closing quote');
      }
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) {
      fail('a closing quote');
    }
    i++;
  };
  try {
    value();
    ws();
    if (i < text.length) {
      fail('the end of the file');
    }
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      return { offset: e.offset, expected: e.expected };
    }
    throw e;
  }
  return { offset: text.length, expected: 'valid JSON' };
}

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {
    super(`expected ${expected} at ${offset}`);
  }
}
