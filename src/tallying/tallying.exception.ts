import { DomainException, ErrorKind } from 'src/common/errors/domain.exception';

export enum TallyingErrorCode {
  UnknownContestKind = 'TALLY_UNKNOWN_CONTEST_KIND',
  CountMismatch = 'TALLY_COUNT_MISMATCH',
  InputChanged = 'TALLY_INPUT_CHANGED',
  InvalidConfiguration = 'TALLY_INVALID_CONFIGURATION',
}

const KINDS: Record<TallyingErrorCode, ErrorKind> = {
  [TallyingErrorCode.UnknownContestKind]: 'invalid',
  [TallyingErrorCode.CountMismatch]: 'failed_precondition',
  [TallyingErrorCode.InputChanged]: 'failed_precondition',
  [TallyingErrorCode.InvalidConfiguration]: 'invalid',
};

export class TallyingException extends DomainException {
  constructor(
    code: TallyingErrorCode,
    message: string,
    details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(KINDS[code], code, message, details, options);
  }
}
