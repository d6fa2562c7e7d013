import busboy from 'busboy';
import type { FieldIssue } from 'correction-chaincode/domain';
import { validationFailed } from '../errors.js';
import { uploadAborted } from '../store/file-errors.js';
import { hashStream } from '../services/hash-stream.js';
import type { Upload } from './route.js';

/** A multipart/form-data form of text fields and one file, the file hashed as it streams (not kept). */
export interface HashedFileForm {
  readonly fields: Readonly<Record<string, string>>;
  readonly file: { readonly hash: string; readonly size: number };
}

/** The longest text field value taken. */
const FIELD_BYTES = 256;
const FILE_FIELD = 'file';

/** A part may come without a name (busboy then gives none at all): the problem still says where it is. */
const refused = (path: string | undefined, message: string) => validationFailed([{ path: path === undefined || path === '' ? '(unnamed part)' : path, message } satisfies FieldIssue]);

/**
 * Reads a form with the text fields `fieldNames` and one file in the field `file` (busboy), the
 * file within `maxBytes` (FILE_TOO_LARGE past it). Any other field, a second file, a field too
 * long or a form that does not parse is refused (400) naming what is wrong.
 */
export function hashFileForm(upload: Upload, maxBytes: number, fieldNames: readonly string[]): Promise<HashedFileForm> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': upload.contentType }, limits: { files: 1, fields: fieldNames.length + 1, fieldSize: FIELD_BYTES, fileSize: maxBytes + 1 } });
    } catch {
      reject(refused('(body)', 'is not multipart/form-data with a boundary'));
      return;
    }
    const fields: Record<string, string> = {};
    let hashing: Promise<{ hash: string; size: number }> | undefined;
    const fail = (error: unknown): void => {
      upload.stream.unpipe(parser);
      reject(error instanceof Error ? error : refused('(body)', 'is not a form this route reads'));
    };
    parser.on('field', (name: string | undefined, value, info) => {
      if (name === undefined || !fieldNames.includes(name)) fail(refused(name, 'is not a field of this form'));
      else if (info.valueTruncated) fail(refused(name, `is longer than ${String(FIELD_BYTES)} bytes`));
      else fields[name] = value;
    });
    parser.on('file', (name: string | undefined, stream) => {
      if (name !== FILE_FIELD) {
        stream.resume();
        fail(refused(name, `is not a field of this form (the file goes in "${FILE_FIELD}")`));
        return;
      }
      hashing = hashStream(stream, maxBytes);
      hashing.catch(fail);
    });
    // One field more than the form has is read, to be named in the answer; past that the form is refused whole.
    // Emitted when a part beyond the limit arrives (busboy's partsLimit fires on reaching its limit, so parts are bounded by these two).
    for (const limit of ['filesLimit', 'fieldsLimit'] as const) parser.on(limit, () => { fail(refused('(body)', 'has more parts than this form has fields')); });
    parser.on('error', () => { fail(refused('(body)', 'is not valid multipart/form-data')); });
    parser.on('close', () => {
      if (!hashing) fail(refused(FILE_FIELD, 'is required: the file to check'));
      else hashing.then((file) => { resolve({ fields, file }); }, fail);
    });
    upload.stream.on('error', () => { fail(uploadAborted()); });
    upload.stream.pipe(parser);
  });
}
