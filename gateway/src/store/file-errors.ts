/** Why the file store refused a file: each maps to one HTTP answer at the edge. */
export type FileRefusal = 'FILE_TOO_LARGE' | 'FILE_TYPE_NOT_ACCEPTED' | 'INSUFFICIENT_STORAGE' | 'FILE_HASH_MISMATCH' | 'UPLOAD_ABORTED';

/** A file the store did not keep, and why; nothing of it is left on disk. The message names no content. */
export class FileRefusedError extends Error {
  override readonly name = 'FileRefusedError';
  readonly code: FileRefusal;
  readonly maxBytes?: number;
  constructor(code: FileRefusal, detail: string, maxBytes?: number) {
    super(detail);
    this.code = code;
    if (maxBytes !== undefined) this.maxBytes = maxBytes;
  }
}

/** Over the store's byte limit, found while streaming. */
export const fileTooLarge = (maxBytes: number): FileRefusedError => new FileRefusedError('FILE_TOO_LARGE', `the file exceeds ${maxBytes} bytes`, maxBytes);

/** Not a PDF, OFD, JPEG or PNG by its leading bytes. */
export const fileTypeNotAccepted = (): FileRefusedError =>
  new FileRefusedError('FILE_TYPE_NOT_ACCEPTED', 'the file is not a PDF, OFD, JPEG or PNG by its leading bytes');

/** The disk (or quota) is full. */
export const insufficientStorage = (): FileRefusedError => new FileRefusedError('INSUFFICIENT_STORAGE', 'the gateway has no room to keep the file');

/** The bytes do not hash to what was expected. */
export const fileHashMismatch = (): FileRefusedError => new FileRefusedError('FILE_HASH_MISMATCH', 'the file does not hash to the expected SHA-256 and size');

/** The sender went away or the caller gave up before the file was whole. */
export const uploadAborted = (): FileRefusedError => new FileRefusedError('UPLOAD_ABORTED', 'the file was not received whole');
