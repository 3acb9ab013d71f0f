import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
} from 'class-validator';

/**
 * The field may be left out but not sent as null. class-validator's IsOptional lets null through
 * too, so a PATCH with `{"name": null}` reached a NOT NULL column; a field that may really be
 * cleared says so with IsOptional and `nullable` instead.
 */
export const IsOptionalNotNull = (): PropertyDecorator =>
  applyDecorators(
    ValidateIf((_, value) => value !== undefined),
    ValidateBy(
      { name: 'isNotNull', validator: { validate: (value) => value !== null } },
      { message: '$property must not be null; leave it out instead' },
    ),
  );

/** A required UUID field. */
export const IsId = (): PropertyDecorator =>
  applyDecorators(ApiProperty({ format: 'uuid' }), IsUUID('4'));

/** A trimmed, non-empty text field with a length limit; an optional one may be left out, not null. */
export const IsText = (
  max: number,
  options: { optional?: boolean; min?: number } = {},
): PropertyDecorator =>
  applyDecorators(
    options.optional ? ApiPropertyOptional({ maxLength: max }) : ApiProperty({ maxLength: max }),
    ...(options.optional ? [IsOptionalNotNull()] : []),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.trim() : value,
    ),
    IsString(),
    Length(options.min ?? 1, max),
  );

/** An e-mail address, stored lower-cased. */
export const IsEmailAddress = (options: { optional?: boolean } = {}): PropertyDecorator =>
  applyDecorators(
    options.optional ? ApiPropertyOptional({ format: 'email' }) : ApiProperty({ format: 'email' }),
    ...(options.optional ? [IsOptionalNotNull()] : []),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.trim().toLowerCase() : value,
    ),
    IsEmail(),
    MaxLength(254),
  );

/** The most rows any list skips: far past any real list, and a number SQL takes as it is. */
export const MAX_OFFSET = 1_000_000;

/** `?limit=` of a list: an integer from 1 to `max`. */
export const IsPageLimit = (max: number, defaultValue: number): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({ default: defaultValue, minimum: 1, maximum: max }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(max),
  );

/** `?offset=` of a list: an integer from 0 to MAX_OFFSET (1e308 is an integer to IsInt). */
export const IsPageOffset = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({ default: 0, minimum: 0, maximum: MAX_OFFSET }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(0),
    Max(MAX_OFFSET),
  );

const PATCH_BODY = Symbol('patchBody');

/**
 * A PATCH body, every field optional: one that sets nothing is refused (400) like any other
 * invalid body, rather than reaching the database as an update of no columns.
 */
export const IsPatchBody = (): ClassDecorator => (target) => {
  Reflect.defineMetadata(PATCH_BODY, true, target);
};

export const isPatchBody = (type: object): boolean =>
  Reflect.getMetadata(PATCH_BODY, type) === true;
