import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import {
  arrayMaxSize,
  equals,
  isArray,
  isInt,
  isString,
  isUUID,
  max,
  maxLength,
  min,
} from 'class-validator';
import { FieldErrors, validationFailed } from 'src/common/validation/validation.pipe';
import type { CastBallotDto, PreferenceDto } from './ballot.dto';

type Json = Record<string, unknown>;

const CAST_FIELDS = new Set(['memberId', 'ballot']);
const BALLOT_FIELDS = new Set(['choice', 'approve', 'preferences', 'blank']);
const PREFERENCE_FIELDS = new Set(['candidateId', 'rank']);
const NOT_AN_OBJECT = 'Validation failed (object is expected)';

/**
 * The body of a cast, checked by hand rather than by the global ValidationPipe (which leaves
 * custom parameter decorators alone): casting is the hot path, and turning the body into DTO
 * instances and walking their decorators cost more CPU than the rest of the request.
 */
export const CastBallotBody = createParamDecorator(
  (_: unknown, context: ExecutionContext): CastBallotDto =>
    validateCastBallot(context.switchToHttp().getRequest<{ body: unknown }>().body),
);

/**
 * Refuses what CastBallotDto's decorators refuse, with the same fields and messages in the same
 * order (the spec compares the two). It is stricter where class-validator lets nonsense through: a
 * missing ballot (which then failed with a 500), an array where an object belongs, and fields named
 * after Object.prototype members (which class-transformer silently drops).
 */
export function validateCastBallot(body: unknown): CastBallotDto {
  const input = body ?? {};
  if (!isObject(input)) {
    throw validationFailed([{ field: 'body', messages: [NOT_AN_OBJECT] }]);
  }
  const errors: FieldErrors = [];
  refuseUnknown(input, CAST_FIELDS, '', errors);
  if (input.memberId !== undefined && !isUUID(input.memberId, '4')) {
    errors.push({ field: 'memberId', messages: ['memberId must be a UUID'] });
  }
  const ballot = input.ballot;
  if (isObject(ballot)) {
    checkBallot(ballot, errors);
  } else {
    const message =
      ballot === undefined || Array.isArray(ballot)
        ? 'ballot must be an object'
        : 'nested property ballot must be either object or array';
    errors.push({ field: 'ballot', messages: [message] });
  }
  if (errors.length > 0) {
    throw validationFailed(errors);
  }
  return toDto(input as { memberId?: string; ballot: Json });
}

function checkBallot(ballot: Json, errors: FieldErrors): void {
  refuseUnknown(ballot, BALLOT_FIELDS, 'ballot', errors);
  const { choice, approve, preferences, blank } = ballot;
  if (choice !== undefined) {
    reasons(errors, 'ballot.choice', [
      [maxLength(choice, 64), 'choice must be shorter than or equal to 64 characters'],
      [isString(choice), 'choice must be a string'],
    ]);
  }
  if (approve !== undefined) {
    const uuids = Array.isArray(approve) ? approve.every(isUuid4) : isUuid4(approve);
    reasons(errors, 'ballot.approve', [
      [uuids, 'each value in approve must be a UUID'],
      [arrayMaxSize(approve, 200), 'approve must contain no more than 200 elements'],
      [isArray(approve), 'approve must be an array'],
    ]);
  }
  if (preferences !== undefined) {
    checkPreferences(preferences, errors);
  }
  if (blank !== undefined && !equals(blank, true)) {
    errors.push({ field: 'ballot.blank', messages: ['blank must be equal to true'] });
  }
}

function checkPreferences(preferences: unknown, errors: FieldErrors): void {
  const field = 'ballot.preferences';
  const nested: FieldErrors = [];
  const notObject = 'each value in nested property preferences must be either object or array';
  if (Array.isArray(preferences)) {
    preferences.forEach((p: unknown, i) => {
      if (isObject(p)) {
        checkPreference(p, `${field}.${i}`, nested);
      } else {
        const message = Array.isArray(p)
          ? 'each value in preferences must be an object'
          : notObject;
        nested.push({ field: `${field}.${i}`, messages: [message] });
      }
    });
  } else if (isObject(preferences)) {
    // class-validator checks an object given in place of the list as if it were one preference.
    checkPreference(preferences, field, nested);
  }
  reasons(errors, field, [
    [arrayMaxSize(preferences, 200), 'preferences must contain no more than 200 elements'],
    [isArray(preferences), 'preferences must be an array'],
    [Array.isArray(preferences) || isObject(preferences), notObject],
  ]);
  errors.push(...nested);
}

function checkPreference(preference: Json, field: string, errors: FieldErrors): void {
  refuseUnknown(preference, PREFERENCE_FIELDS, field, errors);
  const { candidateId, rank } = preference;
  if (!isUuid4(candidateId)) {
    errors.push({ field: `${field}.candidateId`, messages: ['candidateId must be a UUID'] });
  }
  reasons(errors, `${field}.rank`, [
    [max(rank, 1000), 'rank must not be greater than 1000'],
    [min(rank, 1), 'rank must not be less than 1'],
    [isInt(rank), 'rank must be an integer number'],
  ]);
}

/** The messages of the checks that failed, as one entry; none when all passed. */
function reasons(errors: FieldErrors, field: string, checks: [boolean, string][]): void {
  const messages = checks.filter(([ok]) => !ok).map(([, message]) => message);
  if (messages.length > 0) {
    errors.push({ field, messages });
  }
}

function refuseUnknown(value: Json, known: Set<string>, prefix: string, errors: FieldErrors): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) {
      const field = prefix ? `${prefix}.${key}` : key;
      errors.push({ field, messages: [`property ${key} should not exist`] });
    }
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUuid4(value: unknown): boolean {
  return isUUID(value, '4');
}

/** Only the known fields, in fresh objects: nothing else from the request travels further. */
function toDto(input: { memberId?: string; ballot: Json }): CastBallotDto {
  const ballot = input.ballot as CastBallotDto['ballot'];
  return {
    memberId: input.memberId,
    ballot: {
      choice: ballot.choice,
      approve: ballot.approve,
      preferences: ballot.preferences?.map((p): PreferenceDto => ({
        candidateId: p.candidateId,
        rank: p.rank,
      })),
      blank: ballot.blank,
    },
  };
}
