import type { FastifyRequest } from 'fastify';
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
  const part = await request.file({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });
  if (!part || part.fieldname !== 'file') {
    throw new MembersException(MembersErrorCode.ImportFileMissing, 'No file in field "file"');
  }
  const buffer = await part.toBuffer();
  return buffer.toString('utf8');
}
