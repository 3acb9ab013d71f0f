import { DomainException, ErrorKind } from 'src/common/errors/domain.exception';

export enum ElectionsErrorCode {
  MeetingNotFound = 'MEETING_NOT_FOUND',
  RegistrationClosed = 'MEETING_REGISTRATION_CLOSED',
  NotAMember = 'ELECTION_NOT_A_MEMBER',
  MemberNotFound = 'ELECTION_MEMBER_NOT_FOUND',
  NotFound = 'ELECTION_NOT_FOUND',
  InvalidConfiguration = 'ELECTION_INVALID_CONFIGURATION',
  ConfigurationFrozen = 'ELECTION_CONFIGURATION_FROZEN',
  NotReady = 'ELECTION_NOT_READY',
  WrongStatus = 'ELECTION_WRONG_STATUS',
  CandidateNotFound = 'ELECTION_CANDIDATE_NOT_FOUND',
  CandidateExists = 'ELECTION_CANDIDATE_EXISTS',
  VotingClosed = 'ELECTION_VOTING_CLOSED',
  NotOnRoll = 'ELECTION_NOT_ON_ROLL',
  ChooseMember = 'ELECTION_CHOOSE_MEMBER',
  AlreadyVoted = 'ELECTION_ALREADY_VOTED',
  InvalidBallot = 'ELECTION_INVALID_BALLOT',
  RollEntryNotFound = 'ELECTION_ROLL_ENTRY_NOT_FOUND',
  RollEntryExists = 'ELECTION_ROLL_ENTRY_EXISTS',
  ReceiptNotFound = 'ELECTION_RECEIPT_NOT_FOUND',
  NotTallied = 'ELECTION_NOT_TALLIED',
  InvalidIdempotencyKey = 'ELECTION_INVALID_IDEMPOTENCY_KEY',
  NomineeNotEligible = 'ELECTION_NOMINEE_NOT_ELIGIBLE',
  NotTheNominee = 'ELECTION_NOT_THE_NOMINEE',
  NotAwaitingConsent = 'ELECTION_NOT_AWAITING_CONSENT',
}

const KINDS: Record<ElectionsErrorCode, ErrorKind> = {
  [ElectionsErrorCode.MeetingNotFound]: 'not_found',
  [ElectionsErrorCode.RegistrationClosed]: 'conflict',
  [ElectionsErrorCode.NotAMember]: 'forbidden',
  [ElectionsErrorCode.MemberNotFound]: 'not_found',
  [ElectionsErrorCode.NotFound]: 'not_found',
  [ElectionsErrorCode.InvalidConfiguration]: 'invalid',
  [ElectionsErrorCode.ConfigurationFrozen]: 'conflict',
  [ElectionsErrorCode.NotReady]: 'conflict',
  [ElectionsErrorCode.WrongStatus]: 'conflict',
  [ElectionsErrorCode.CandidateNotFound]: 'not_found',
  [ElectionsErrorCode.CandidateExists]: 'conflict',
  [ElectionsErrorCode.VotingClosed]: 'conflict',
  [ElectionsErrorCode.NotOnRoll]: 'forbidden',
  [ElectionsErrorCode.ChooseMember]: 'invalid',
  [ElectionsErrorCode.AlreadyVoted]: 'conflict',
  [ElectionsErrorCode.InvalidBallot]: 'invalid',
  [ElectionsErrorCode.RollEntryNotFound]: 'not_found',
  [ElectionsErrorCode.RollEntryExists]: 'conflict',
  [ElectionsErrorCode.ReceiptNotFound]: 'not_found',
  [ElectionsErrorCode.NotTallied]: 'conflict',
  [ElectionsErrorCode.InvalidIdempotencyKey]: 'invalid',
  [ElectionsErrorCode.NomineeNotEligible]: 'conflict',
  [ElectionsErrorCode.NotTheNominee]: 'forbidden',
  [ElectionsErrorCode.NotAwaitingConsent]: 'conflict',
};

export class ElectionsException extends DomainException {
  constructor(code: ElectionsErrorCode, message: string, details?: unknown) {
    super(KINDS[code], code, message, details);
  }
}
