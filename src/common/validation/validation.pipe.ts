import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

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

/** Whitelisting, unknown fields refused, payloads turned into DTO instances; field-level reasons. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailed(flatten(errors)),
  });
}
