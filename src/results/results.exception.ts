import { DomainException, ErrorKind } from 'src/common/errors/domain.exception';

export enum ResultsErrorCode {
  NotFound = 'RESULT_NOT_FOUND',
  NotTallied = 'RESULT_NOT_TALLIED',
  UnknownContestKind = 'RESULT_UNKNOWN_CONTEST_KIND',
  AlreadyCertified = 'RESULT_ALREADY_CERTIFIED',
  SameAdminAsClose = 'RESULT_SAME_ADMIN_AS_CLOSE',
  EmbargoInPast = 'RESULT_EMBARGO_IN_PAST',
  NotPublished = 'RESULT_NOT_PUBLISHED',
  SigningKeyMissing = 'RESULT_SIGNING_KEY_MISSING',
  PublicBallotsDiffer = 'RESULT_PUBLIC_BALLOTS_DIFFER',
  DecisionMismatch = 'RESULT_DECISION_MISMATCH',
  BundleMissing = 'RESULT_BUNDLE_MISSING',
}

const KINDS: Record<ResultsErrorCode, ErrorKind> = {
  [ResultsErrorCode.NotFound]: 'not_found',
  [ResultsErrorCode.NotTallied]: 'failed_precondition',
  [ResultsErrorCode.UnknownContestKind]: 'not_found',
  [ResultsErrorCode.AlreadyCertified]: 'conflict',
  [ResultsErrorCode.SameAdminAsClose]: 'forbidden',
  [ResultsErrorCode.EmbargoInPast]: 'invalid',
  [ResultsErrorCode.NotPublished]: 'conflict',
  [ResultsErrorCode.SigningKeyMissing]: 'unavailable',
  [ResultsErrorCode.PublicBallotsDiffer]: 'failed_precondition',
  [ResultsErrorCode.DecisionMismatch]: 'failed_precondition',
  [ResultsErrorCode.BundleMissing]: 'not_found',
};

export class ResultsException extends DomainException {
  constructor(
    code: ResultsErrorCode,
    message: string,
    details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(KINDS[code], code, message, details, options);
  }
}
