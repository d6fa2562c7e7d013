import type { Readable } from 'node:stream';
import { listedAttachments, type Agency, type Entry, type Purpose } from 'correction-chaincode/domain';
import { ApiError } from '../errors.js';
import type { Principal } from '../http/auth.js';
import type { FileStore, OpenedFile, StoredFile } from '../store/file-store.js';
import { writerOf } from './caller.js';

/** Files the local store lacks, fetched from the gateway of the agency that holds them (on Fabric). */
export interface RemoteFiles {
  /** Fetches, checks against the entry and keeps the file, then answers what the store now holds. */
  fetch(entry: Entry, hash: string): Promise<StoredFile>;
}

/** An entry as its reader may see it: the entry, and its document when the reader is entitled to it. */
export interface EntryReader {
  /** The entry and, when the caller's agency is entitled, its document (a recorded read); nothing else is read. */
  entryWithDocument(principal: Principal, entryId: string, purpose: Purpose | null): Promise<{ entry: Entry; document?: unknown }>;
  /** The entry alone, within the caller's jurisdiction: its document not read. */
  entryAlone(principal: Principal, entryId: string, purpose: Purpose | null): Promise<Entry>;
}

/** A file an entry lists, as an entitled reader gets it: opened (the caller closes it), and the title to name it by. */
export interface EntitledFile {
  readonly opened: OpenedFile;
  readonly title: string | undefined;
}

/** Which of an entry's attachments a file is, or that it is none of them. */
export interface FileMatch {
  readonly entryId: string;
  readonly hash: string;
  readonly size: number;
  readonly matches: boolean;
  readonly attachment?: { readonly index: number; readonly hash: string; readonly size: number; readonly mediaType: string; readonly title?: string };
}

export interface DocumentServiceDeps {
  readonly files: FileStore;
  readonly entries: EntryReader;
  /** On Fabric a gateway holds one agency's identity and serves that agency only. */
  readonly servesAgency?: Agency | undefined;
  readonly remoteFiles?: RemoteFiles | undefined;
}

/** The titles a document gives its attachments, by hash: only an entitled reader gets the document. */
function titlesOf(document: unknown): Map<string, string> {
  const listed = (document as { attachments?: unknown } | undefined)?.attachments;
  if (!Array.isArray(listed)) return new Map();
  return new Map((listed as Array<{ hash: string; title: string }>).map(({ hash, title }) => [hash, title]));
}

/**
 * Attachments: files uploaded before the event that lists them, served to the agencies entitled to
 * that entry's document — decided from the entry on the ledger, each read recorded as the entry's
 * document read is — and files checked against an entry's list.
 */
export class DocumentService {
  readonly #deps: DocumentServiceDeps;

  constructor(deps: Readonly<DocumentServiceDeps>) {
    this.#deps = deps;
  }

  /** The largest file taken, in bytes. */
  get maxBytes(): number {
    return this.#deps.files.maxBytes;
  }

  /** Keeps a file for an event to list; only those who record events upload. */
  async upload(principal: Principal, source: Readable, signal?: AbortSignal): Promise<StoredFile> {
    writerOf(principal, this.#deps.servesAgency);
    return this.#deps.files.put(source, signal ? { signal } : {});
  }

  /**
   * A file the entry lists, opened for a caller entitled to the entry's document: 403 otherwise,
   * 404 when the entry lists no such file, FILE_NOT_HELD when neither this gateway nor (on Fabric)
   * the holder's can give it. The caller closes the file.
   */
  async attachment(principal: Principal, entryId: string, hash: string, purpose: Purpose | null): Promise<EntitledFile> {
    const { entry, document } = await this.#deps.entries.entryWithDocument(principal, entryId, purpose);
    if (document === undefined) throw new ApiError('FORBIDDEN', `${principal.agency} is not entitled to this entry's documents`);
    if (!listedAttachments(entry.facts).some((listed) => listed.hash === hash)) throw new ApiError('NOT_FOUND', 'the entry lists no file with this hash');
    const title = titlesOf(document).get(hash);
    const opened = (await this.#deps.files.open(hash)) ?? (await this.#fetch(entry, hash));
    return { opened, title };
  }

  /** Fetches the file from the holder's gateway (which keeps it here), then opens it. */
  async #fetch(entry: Entry, hash: string): Promise<OpenedFile> {
    if (!this.#deps.remoteFiles) throw new ApiError('FILE_NOT_HELD', 'this gateway does not hold the file');
    await this.#deps.remoteFiles.fetch(entry, hash);
    const opened = await this.#deps.files.open(hash);
    if (!opened) throw new ApiError('FILE_NOT_HELD', 'this gateway does not hold the file');
    return opened;
  }

  /**
   * Which of the entry's attachments a file of this hash and size is. The entry is read as any
   * reader within its subject's jurisdiction reads it, without its document: the title is given
   * where the entry shows it (not for a sealed record).
   */
  async match(principal: Principal, entryId: string, { hash, size }: { hash: string; size: number }, purpose: Purpose | null): Promise<FileMatch> {
    const attachments = listedAttachments((await this.#deps.entries.entryAlone(principal, entryId, purpose)).facts);
    const index = attachments.findIndex((listed) => listed.hash === hash);
    const listed = attachments[index];
    if (!listed) return { entryId, hash, size, matches: false };
    const { title } = listed;
    return { entryId, hash, size, matches: true, attachment: { index, hash, size: listed.size, mediaType: listed.mediaType, ...(title === undefined ? {} : { title }) } };
  }
}
