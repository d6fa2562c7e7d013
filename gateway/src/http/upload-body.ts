import type { IncomingMessage } from 'node:http';
import { parse as parseContentType } from 'content-type';
import { ApiError } from '../errors.js';
import type { Upload, UploadSpec } from './route.js';

/** The declared body length is over the route's limit: a 413 needs no token, nor a byte read. */
export function declaredOver(req: IncomingMessage, maxBytes: number): boolean {
  const length = Number(req.headers['content-length'] ?? 0);
  return Number.isFinite(length) && length > maxBytes;
}

/** The request's media type, lower case, or undefined when it declares none (or one that does not parse). */
export function mediaTypeOf(req: IncomingMessage): string | undefined {
  const header = req.headers['content-type'];
  if (header === undefined) return undefined;
  try {
    return parseContentType(header).type;
  } catch {
    return undefined;
  }
}

/**
 * The request's body as an upload, if its media type is one the route takes: identity coding only
 * (the limit counts the bytes kept). Refuses any other type with 415, naming those it takes.
 */
export function uploadOf(req: IncomingMessage, spec: UploadSpec): Upload {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'request bodies are not accepted with a content coding', { accept: ['identity'] });
  }
  const mediaType = mediaTypeOf(req);
  if (mediaType === undefined || !spec.mediaTypes.includes(mediaType)) {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `the body must be one of ${spec.mediaTypes.join(', ')}`, { accept: spec.mediaTypes });
  }
  return { mediaType, contentType: req.headers['content-type'] ?? mediaType, stream: req };
}
