import {
  ArgumentMetadata,
  BadRequestException,
  ValidationError,
  ValidationPipe,
  ValidationPipeOptions,
} from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { isPatchBody } from './validators';

/** What a 400 lists: each field (a dotted path) with the reasons it was refused. */
export type FieldErrors = { field: string; messages: string[] }[];

export function validationFailed(details: FieldErrors): BadRequestException {
  return new BadRequestException({ message: 'Validation failed', details });
}

function flatten(errors: ValidationError[], prefix = ''): FieldErrors {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** The fields a DTO class declares, in declaration order. */
function declaredFields(type: abstract new (...args: never[]) => unknown): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(type, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))];
}

/** The global pipe, with one rule of its own: a PATCH body must set something. */
class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const result: unknown = await super.transform(value, metadata);
    const type = metadata.metatype;
    if (metadata.type === 'body' && type && isPatchBody(type) && setsNothing(result)) {
      const fields = declaredFields(type).join(', ');
      throw validationFailed([
        { field: 'body', messages: [`body must set at least one of ${fields}`] },
      ]);
    }
    return result;
  }
}

function setsNothing(body: unknown): boolean {
  return (
    typeof body === 'object' && body !== null && Object.values(body).every((v) => v === undefined)
  );
}

const OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => validationFailed(flatten(errors)),
};

/** Whitelisting, unknown fields refused, payloads turned into DTO instances; field-level reasons. */
export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe(OPTIONS);
}
