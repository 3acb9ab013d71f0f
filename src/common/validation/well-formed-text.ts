import type { FieldErrors } from './validation.pipe';

const NUL = '\u0000';
/** Any surrogate code unit: most text has none, and then there is nothing more to check. */
const SURROGATE = /[\ud800-\udfff]/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const MAX_REPORTED = 20;

/**
 * Why a string cannot be stored as text, or undefined when it can. PostgreSQL refuses NUL in text
 * (which answered 500), and a lone surrogate is not Unicode at all: it cannot be encoded as UTF-8.
 */
export function textFault(value: string): string | undefined {
  if (value.includes(NUL)) {
    return 'must not contain the NUL character (\\u0000)';
  }
  if (SURROGATE.test(value) && LONE_SURROGATE.test(value)) {
    return 'must be well-formed Unicode (it contains a lone surrogate)';
  }
  return undefined;
}

/**
 * Every string in a parsed body, query or set of path parameters, keys included, that cannot be
 * stored as text, each with its dotted path (`criteria.0.title`).
 */
export function malformedText(value: unknown, path: string, errors: FieldErrors = []): FieldErrors {
  if (errors.length >= MAX_REPORTED) {
    return errors;
  }
  if (typeof value === 'string') {
    const fault = textFault(value);
    if (fault) {
      errors.push({ field: path, messages: [`${path} ${fault}`] });
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => malformedText(item, join(path, String(i)), errors));
  } else if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
    for (const [key, item] of Object.entries(value)) {
      const field = join(path, key);
      const fault = textFault(key);
      if (fault) {
        errors.push({ field, messages: [`the name of ${field} ${fault}`] });
      }
      malformedText(item, field, errors);
    }
  }
  return errors;
}

const join = (prefix: string, key: string): string => (prefix ? `${prefix}.${key}` : key);
