import { pipeline } from 'node:stream/promises';
import type { ServerResponse } from 'node:http';
import { create as contentDisposition } from 'content-disposition';
import parseRange from 'range-parser';
import { z } from 'zod';
import { ATTACHMENT_MEDIA_TYPES, type AttachmentMediaType } from 'correction-chaincode/domain';
import { ApiError } from '../../errors.js';
import type { DocumentService } from '../../services/documents.js';
import type { OpenedFile, StoredFile } from '../../store/file-store.js';
import { StoredFileSchema } from '../responses.js';
import { json, route, type AnyRoute, type Reply } from '../route.js';
import { entryId, purposeOf, sha256Hex, withPurposeQuery } from '../schemas.js';

const HashParams = z.strictObject({ hash: sha256Hex });
const DocumentQuery = withPurposeQuery({ entry: entryId.meta({ description: 'An entry that lists the file: entitlement is decided from it' }) }).meta({ id: 'DocumentQuery' });
const DownloadHeaders = z.strictObject({
  range: z.string().max(200).optional().meta({ description: 'One byte range (bytes=start-end); several are answered with the whole file' }),
  'if-none-match': z.string().max(1_000).optional().meta({ description: 'The ETag (the file\'s hash, quoted) a cached copy has' }),
});

const EXTENSIONS: Readonly<Record<AttachmentMediaType, string>> = { 'application/pdf': '.pdf', 'application/ofd': '.ofd', 'image/jpeg': '.jpg', 'image/png': '.png' };

/** The file name a download is offered under: the title the document gives it (with its type's extension), or its hash. */
function fileName(file: StoredFile, title: string | undefined): string {
  const extension = EXTENSIONS[file.mediaType];
  const name = title ?? file.hash;
  return name.toLowerCase().endsWith(extension) || (file.mediaType === 'image/jpeg' && name.toLowerCase().endsWith('.jpeg')) ? name : `${name}${extension}`;
}

/** Whether an If-None-Match header names this ETag (or any: `*`). */
function matchesETag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

/** The one byte range asked for, undefined for the whole file (no Range, one that does not parse, or several); 416 when none can be satisfied. */
function rangeOf(header: string | undefined, size: number, raw: ServerResponse): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const ranges = parseRange(size, header, { combine: true });
  if (ranges === -1) {
    raw.setHeader('Content-Range', `bytes */${String(size)}`);
    throw new ApiError('RANGE_NOT_SATISFIABLE', `the file has ${String(size)} bytes`);
  }
  // A Range that does not parse, or of another unit, is ignored (RFC 9110 §14.2); several ranges get the whole file.
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return undefined;
  return ranges[0];
}

async function serveFile(opened: OpenedFile, title: string | undefined, headers: z.infer<typeof DownloadHeaders>, raw: ServerResponse): Promise<Reply | undefined> {
  const { file } = opened;
  const etag = `"${file.hash}"`;
  const common = {
    ETag: etag,
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'private, no-store',
    'Content-Disposition': contentDisposition(fileName(file, title), { type: 'attachment' }),
  };
  if (matchesETag(headers['if-none-match'], etag)) return { status: 304, headers: common };
  const range = rangeOf(headers.range, file.size, raw);
  const length = range ? range.end - range.start + 1 : file.size;
  raw.writeHead(range ? 206 : 200, {
    ...common,
    'Content-Type': file.mediaType,
    'Content-Length': String(length),
    ...(range ? { 'Content-Range': `bytes ${String(range.start)}-${String(range.end)}/${String(file.size)}` } : {}),
  });
  await pipeline(opened.stream(range), raw);
  return undefined;
}

/** Attachments: upload a file before the event that lists it; download one an entry lists. */
export function documentRoutes({ documents }: { documents: DocumentService }): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/v1/documents',
      summary: 'Upload a file (PDF, OFD, JPEG or PNG, told by its leading bytes) for an event\'s document to list among its attachments',
      access: 'agency',
      upload: { mediaTypes: [...ATTACHMENT_MEDIA_TYPES, 'application/octet-stream'], maxBytes: documents.maxBytes },
      responses: {
        201: { description: 'Kept under its SHA-256 (already held: kept as it was)', schema: StoredFileSchema, headers: ['Location'] },
        403: { description: 'An auditor, or an agency this gateway does not serve' },
        415: { description: 'Not a PDF, OFD, JPEG or PNG by its leading bytes (FILE_TYPE_NOT_ACCEPTED), or a body of another media type' },
        507: { description: 'The gateway has no room for the file; nothing of it is kept' },
      },
      async handle({ principal, upload, closed }) {
        if (!upload) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'the body must be the file');
        const client = new AbortController();
        void closed.then(() => {
          if (!upload.stream.complete) client.abort();
        });
        const file = await documents.upload(principal, upload.stream, client.signal);
        return json(201, file, { Location: `/v1/documents/${file.hash}` });
      },
    }),
    route({
      method: 'get',
      path: '/v1/documents/{hash}',
      summary: 'A file an entry lists, to an agency entitled to the entry\'s document (the read is recorded); Range, ETag and If-None-Match',
      access: 'agency',
      params: HashParams,
      query: DocumentQuery,
      headers: DownloadHeaders,
      ledger: true,
      responses: {
        200: { description: 'The file', contentType: 'application/octet-stream', headers: ['ETag', 'Accept-Ranges', 'Content-Disposition', 'Content-Length'] },
        206: { description: 'The byte range asked for', contentType: 'application/octet-stream', headers: ['ETag', 'Content-Range', 'Content-Disposition'] },
        304: { description: 'Not modified: the ETag given is the file\'s', headers: ['ETag'] },
        403: { description: 'Not entitled to the entry\'s document, outside the jurisdiction of its subject, or a sealed record read without a purpose' },
        404: { description: 'Unknown entry, an entry that lists no such file, or a file this gateway does not hold (FILE_NOT_HELD)' },
        416: { description: 'The range lies outside the file (Content-Range names its size)', headers: ['Content-Range'] },
        502: { description: 'The file the holder\'s gateway served does not hash to what the entry lists (FILE_HASH_MISMATCH); nothing was kept' },
        503: {
          description: 'The gateway holding the file cannot be reached (FILE_HOLDER_UNAVAILABLE), the ledger is unavailable, or the gateway is busy (Retry-After)',
          headers: ['Retry-After'],
        },
      },
      async handle({ principal, params, query, headers, raw, ledgerDone }) {
        const { opened, title } = await documents.attachment(principal, query.entry, params.hash, purposeOf(query));
        // The ledger's part (entitlement, the recorded read) is done: a slow reader does not hold a ledger slot.
        ledgerDone();
        try {
          return await serveFile(opened, title, headers, raw);
        } finally {
          await opened.close();
        }
      },
    }),
  ];
}
