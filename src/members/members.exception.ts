import { DomainException, ErrorKind } from 'src/common/errors/domain.exception';

export enum MembersErrorCode {
  NotFound = 'MEMBER_NOT_FOUND',
  NumberTaken = 'MEMBER_NUMBER_TAKEN',
  InvalidLink = 'MEMBER_INVALID_USER_LINK',
  UserAlreadyLinked = 'MEMBER_USER_ALREADY_LINKED',
  InUse = 'MEMBER_IN_USE',
  ImportInvalid = 'MEMBER_IMPORT_INVALID',
  ImportFileMissing = 'MEMBER_IMPORT_FILE_MISSING',
}

const KINDS: Record<MembersErrorCode, ErrorKind> = {
  [MembersErrorCode.NotFound]: 'not_found',
  [MembersErrorCode.NumberTaken]: 'conflict',
  [MembersErrorCode.InvalidLink]: 'invalid',
  [MembersErrorCode.UserAlreadyLinked]: 'conflict',
  [MembersErrorCode.InUse]: 'conflict',
  [MembersErrorCode.ImportInvalid]: 'invalid',
  [MembersErrorCode.ImportFileMissing]: 'invalid',
};

export class MembersException extends DomainException {
  constructor(code: MembersErrorCode, message: string, details?: unknown) {
    super(KINDS[code], code, message, details);
  }
}
