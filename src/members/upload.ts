import type { FastifyRequest } from 'fastify';
import { textFault } from 'src/common/validation/well-formed-text';
import { MembersErrorCode, MembersException } from './members.exception';

export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

/**
 * Reads one uploaded file as UTF-8 text: a multipart form with a `file` field, or the raw body sent
 * as text/csv.
 */
export async function readUploadedText(request: FastifyRequest): Promise<string> {
  if (typeof request.body === 'string') {
    return request.body;
  }
  if (!request.isMultipart()) {
    throw new MembersException(
      MembersErrorCode.ImportFileMissing,
      'Send the file as multipart/form-data in a field named "file", or as text/csv',
    );
  }
  let text: string;
  try {
    const part = await request.file({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });
    if (!part || part.fieldname !== 'file') {
      throw new MembersException(MembersErrorCode.ImportFileMissing, 'No file in field "file"');
    }
    text = (await part.toBuffer()).toString('utf8');
  } catch (error) {
    throw unreadableUpload(error);
  }
  // A body sent as text/csv was checked with the rest of the request; a file part was not.
  const fault = textFault(text);
  if (fault) {
    throw new MembersException(MembersErrorCode.ImportInvalid, 'The file is not text', [
      { field: 'file', messages: [`file ${fault}`] },
    ]);
  }
  return text;
}

/**
 * The multipart plugin's own refusals (a file over the limit, too many parts) carry a 4xx status
 * the error filter answers; what the form parser throws without one (a body cut short, a missing
 * boundary, a malformed part header) is the client's fault too, not a 500.
 */
function unreadableUpload(error: unknown): unknown {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (
    error instanceof MembersException ||
    (typeof status === 'number' && status >= 400 && status < 500)
  ) {
    return error;
  }
  return new MembersException(MembersErrorCode.ImportInvalid, 'The upload could not be read', [
    { field: 'file', messages: ['file: the multipart form is cut short or malformed'] },
  ]);
}
