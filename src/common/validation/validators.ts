import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';

/** A required UUID field. */
export const IsId = (): PropertyDecorator =>
  applyDecorators(ApiProperty({ format: 'uuid' }), IsUUID('4'));

/** A trimmed, non-empty text field with a length limit. */
export const IsText = (
  max: number,
  options: { optional?: boolean; min?: number } = {},
): PropertyDecorator =>
  applyDecorators(
    options.optional ? ApiPropertyOptional({ maxLength: max }) : ApiProperty({ maxLength: max }),
    ...(options.optional ? [IsOptional()] : []),
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
    ...(options.optional ? [IsOptional()] : []),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.trim().toLowerCase() : value,
    ),
    IsEmail(),
    MaxLength(254),
  );
