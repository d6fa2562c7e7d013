import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CHUNK_OVERHEAD, type ChunkSealer } from './chunk-sealer.js';
import { fileHashMismatch, fileTooLarge, fileTypeNotAccepted, FileRefusedError, insufficientStorage, uploadAborted } from './file-errors.js';
import { ATTACHMENT_MEDIA_TYPES, type AttachmentMediaType } from 'correction-chaincode/domain';
import { sniffMediaType, SNIFF_BYTES } from './media-type.js';
import { syncPath } from './sync-path.js';
import { SealedValueError, type Sealer } from './sealer.js';

export { ATTACHMENT_MEDIA_TYPES, type AttachmentMediaType } from 'correction-chaincode/domain';
export { FileRefusedError, type FileRefusal } from './file-errors.js';

/** What the store holds under one SHA-256. */
export interface StoredFile {
  readonly hash: string;
  readonly size: number;
  readonly mediaType: AttachmentMediaType;
}

/** A kept file opened for reading: checked once, then read from the one handle it holds until closed. */
export interface OpenedFile {
  readonly file: StoredFile;
  /** The plaintext, or the inclusive byte range [start, end], chunk by chunk (failing at a chunk that does not open). */
  stream(range?: { start: number; end: number }): Readable;
  /** Releases the handle; later calls do nothing. */
  close(): Promise<void>;
}

export interface FileStoreOptions {
  readonly sealer: Sealer;
  /** The largest file kept, in bytes. */
  readonly maxBytes: number;
}

export interface PutOptions {
  /** Refuse (FILE_HASH_MISMATCH) unless the bytes hash to this (and have this size). */
  readonly expect?: { readonly hash: string; readonly size?: number };
  readonly signal?: AbortSignal;
}

/** Plaintext bytes per sealed chunk: a Range read opens only the chunks it covers. */
const CHUNK_BYTES = 64 * 1024;
/**
 * Sealed chunks gathered before one write, written behind the stream while the next batch is
 * received and sealed; the file is synced once, after its last byte. (Opening it O_DSYNC instead,
 * so that each batch lands on disk as it is written, made a 50 MB upload a third slower here: every
 * write waits for the disk.)
 */
const WRITE_BATCH_BYTES = 256 * 1024;
const HASH_PATTERN = /^[0-9a-f]{64}$/;

/**
 * A sealed file: `header ‖ chunk 0 ‖ … ‖ chunk n-1 ‖ trailer`. Each chunk is AES-256-GCM
 * (ciphertext ‖ tag) of CHUNK_BYTES of plaintext (the last one fewer); the trailer is the tag of
 * an empty final chunk at index n, whose associated data binds the header, so a file cut short,
 * cut at a chunk boundary or given a header that lies does not open. Chunks are sealed as the
 * bytes stream in, so nothing is held back or copied to learn which chunk is the last.
 * Header: `"CLF" 0x01 ‖ file id (16) ‖ chunk bytes (u32) ‖ size (u64) ‖ media type index (u8) ‖ SHA-256 (32)`,
 * written last (its place reserved first); the file id derives the file's key.
 */
const MAGIC = Buffer.from([0x43, 0x4c, 0x46, 0x01]);
const ID_BYTES = 16;
const HEADER_BYTES = MAGIC.length + ID_BYTES + 4 + 8 + 1 + 32;

interface Header {
  readonly fileId: Buffer;
  readonly chunkBytes: number;
  readonly file: StoredFile;
}

/** A kept file's open handle, once its header and trailer are checked; a small file's sealed bytes, read whole. */
interface Checked {
  readonly handle: FileHandle;
  readonly header: Header;
  readonly chunks: ChunkSealer;
  readonly whole?: Buffer;
}

/** The part of the header the final chunk binds: chunk bytes, size, media type, hash. */
function binding(chunkBytes: number, file: StoredFile): Buffer {
  const bytes = Buffer.alloc(4 + 8 + 1 + 32);
  bytes.writeUInt32BE(chunkBytes, 0);
  bytes.writeBigUInt64BE(BigInt(file.size), 4);
  bytes[12] = ATTACHMENT_MEDIA_TYPES.indexOf(file.mediaType);
  Buffer.from(file.hash, 'hex').copy(bytes, 13);
  return bytes;
}

function encodeHeader(fileId: Buffer, chunkBytes: number, file: StoredFile): Buffer {
  return Buffer.concat([MAGIC, fileId, binding(chunkBytes, file)]);
}

function decodeHeader(bytes: Buffer): Header {
  if (bytes.length !== HEADER_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new SealedValueError('UNKNOWN_FORMAT');
  const at = MAGIC.length + ID_BYTES;
  const mediaType = ATTACHMENT_MEDIA_TYPES[bytes[at + 12] ?? 255];
  const chunkBytes = bytes.readUInt32BE(at);
  if (!mediaType || chunkBytes === 0) throw new SealedValueError('NOT_AUTHENTIC');
  const size = Number(bytes.readBigUInt64BE(at + 4));
  return { fileId: bytes.subarray(MAGIC.length, at), chunkBytes, file: { hash: bytes.subarray(at + 13).toString('hex'), size, mediaType } };
}

/** Data chunks of a file of `size` bytes, where chunk `index` starts on disk, where the trailer starts, and the whole length. */
const chunkCount = (size: number, chunkBytes: number): number => Math.ceil(size / chunkBytes);
const chunkOffset = (index: number, chunkBytes: number): number => HEADER_BYTES + index * (chunkBytes + CHUNK_OVERHEAD);
const trailerOffset = (size: number, chunkBytes: number): number => HEADER_BYTES + size + chunkCount(size, chunkBytes) * CHUNK_OVERHEAD;
const sealedLength = (size: number, chunkBytes: number): number => trailerOffset(size, chunkBytes) + CHUNK_OVERHEAD;
/** Chunks read with one system call when a file is served. */
const READ_BATCH_CHUNKS = 16;
/** A sealed file up to this length (one batch of chunks) is read whole, with one call, when it is opened to be served. */
const READ_WHOLE_BYTES = HEADER_BYTES + READ_BATCH_CHUNKS * (CHUNK_BYTES + CHUNK_OVERHEAD) + CHUNK_OVERHEAD;

const isNoSpace = (error: unknown): boolean => ['ENOSPC', 'EDQUOT'].includes(String((error as { code?: unknown }).code));
const isMissing = (error: unknown): boolean => (error as { code?: unknown }).code === 'ENOENT';

/** Writes every byte of `buffers` at `position`: a write may take fewer bytes than it was given. */
async function writeAll(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  let { bytesWritten } = await handle.writev(buffers, position);
  if (bytesWritten === total) return;
  const rest = Buffer.concat(buffers, total);
  while (bytesWritten < total) {
    bytesWritten += (await handle.write(rest, bytesWritten, total - bytesWritten, position + bytesWritten)).bytesWritten;
  }
}

/**
 * Files kept by their SHA-256 under DATA_DIR/files/ab/abcd… (256 shard folders), sealed at rest under the document
 * key. A file is streamed into a temporary file in the same filesystem, hashed on the way,
 * written batch by batch while the next streams in, synced, renamed into place and its directory
 * synced: a crash leaves either the whole file or
 * nothing visible, and leftovers are removed at the next open.
 */
export class FileStore {
  readonly #root: string;
  readonly #temp: string;
  readonly #sealer: Sealer;
  readonly #maxBytes: number;
  /** Handles of the shard folders files were kept in, by path: their renames are synced through them. */
  readonly #shards = new Map<string, Promise<FileHandle>>();
  #closed = false;

  private constructor(root: string, options: Readonly<FileStoreOptions>) {
    this.#root = root;
    this.#temp = join(root, 'tmp');
    this.#sealer = options.sealer;
    this.#maxBytes = options.maxBytes;
  }

  /** Opens (creating) the store under `dataDir`, removing what a crash left half-written. */
  static async open(dataDir: string, options: Readonly<FileStoreOptions>): Promise<FileStore> {
    const store = new FileStore(join(dataDir, 'files'), options);
    await mkdir(store.#temp, { recursive: true, mode: 0o700 });
    for (const name of await readdir(store.#temp)) await rm(join(store.#temp, name), { force: true, recursive: true });
    // The 256 shard folders made once, so that keeping a file costs no new folder and no sync of its parent.
    const existing = new Set(await readdir(store.#root));
    const missing = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0')).filter((shard) => !existing.has(shard));
    await Promise.all(missing.map((shard) => mkdir(join(store.#root, shard), { mode: 0o700 })));
    if (missing.length > 0) await syncPath(store.#root, true);
    return store;
  }

  /** The largest file the store keeps, in bytes. */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** Where the file with this hash is kept. */
  #path(hash: string): string {
    return join(this.#root, hash.slice(0, 2), hash);
  }

  /** What the store holds under this SHA-256 (hex), or undefined. Throws SealedValueError when the kept file does not authenticate as that hash. */
  async stat(hash: string): Promise<StoredFile | undefined> {
    const checked = await this.#openChecked(hash, false);
    await checked?.handle.close();
    return checked?.header.file;
  }

  /**
   * Opens a kept file for reading, checked once (undefined when the store does not hold it;
   * SealedValueError when it does not authenticate as that hash): what it is, and its plaintext
   * read from the same handle. The caller closes it when done; the stream does not.
   */
  async open(hash: string): Promise<OpenedFile | undefined> {
    const checked = await this.#openChecked(hash, true);
    if (!checked) return undefined;
    let closing: Promise<void> | undefined;
    return {
      file: checked.header.file,
      stream: (range) => Readable.from(plaintext(checked, range), { objectMode: false }),
      close: () => (closing ??= checked.handle.close()),
    };
  }

  /** The file's handle, checked: its header and its chunk sealer (and, `toServe`, a small file's bytes). The caller closes the handle. */
  async #openChecked(hash: string, toServe: boolean): Promise<Checked | undefined> {
    if (!HASH_PATTERN.test(hash)) return undefined;
    let handle: FileHandle;
    try {
      handle = await open(this.#path(hash), 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    try {
      return { handle, ...(await this.#authenticate(handle, hash, toServe)) };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Checks a kept file before any of it is served: its header names this hash, its length is the
   * header's, and its trailer (which binds the header) opens. Header and trailer are read at once;
   * a small file `toServe` is read whole with one call. Chunks are opened as they are read.
   */
  async #authenticate(handle: FileHandle, hash: string, toServe: boolean): Promise<{ header: Header; chunks: ChunkSealer; whole?: Buffer }> {
    const { size: length } = await handle.stat();
    const readWhole = toServe && length <= READ_WHOLE_BYTES;
    const { head, bytesRead, trailer } = await readEnds(handle, length, readWhole);
    const header = decodeHeader(head.subarray(0, Math.min(bytesRead, HEADER_BYTES)));
    const { chunkBytes, file } = header;
    if (file.hash !== hash || file.size === 0) throw new SealedValueError('NOT_AUTHENTIC');
    if (length !== sealedLength(file.size, chunkBytes) || (readWhole && bytesRead !== length)) throw new SealedValueError('NOT_AUTHENTIC');
    const chunks = this.#sealer.forFile(header.fileId);
    chunks.open(chunkCount(file.size, chunkBytes), trailer, binding(chunkBytes, file));
    return { header, chunks, ...(readWhole ? { whole: head } : {}) };
  }

  /**
   * The plaintext bytes, or the inclusive byte range [start, end]; streams chunk by chunk, never
   * the whole file in memory. The stream fails (SealedValueError) at the first chunk that does not
   * open, before its bytes are passed on; a missing file fails it with ENOENT.
   */
  read(hash: string, range?: { start: number; end: number }): Readable {
    const openChecked = this.#openChecked.bind(this);
    async function* whole(): AsyncGenerator<Buffer> {
      const checked = await openChecked(hash, true);
      if (!checked) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      try {
        yield* plaintext(checked, range);
      } finally {
        await checked.handle.close();
      }
    }
    return Readable.from(whole(), { objectMode: false });
  }

  /**
   * Streams a file in. Refuses over maxBytes while streaming, a type not recognised by its leading
   * bytes, a full disk, an aborted source or signal, and (with `expect`) bytes that hash otherwise:
   * in each case nothing is left. A file already held is kept as it is. Nothing half-written is
   * ever visible under a hash.
   */
  async put(source: Readable | AsyncIterable<Uint8Array>, options: Readonly<PutOptions> = {}): Promise<StoredFile> {
    const tempPath = join(this.#temp, `${randomBytes(12).toString('hex')}.part`);
    let handle: FileHandle | undefined;
    try {
      handle = await open(tempPath, 'wx', 0o600);
      const file = await this.#sealInto(handle, source, options);
      // Its bytes and length made durable (fdatasync) while the store looks for a copy it holds already.
      const [held] = await Promise.all([this.stat(file.hash).catch(() => undefined), handle.datasync()]);
      // Closed while it is renamed into place: a rename does not wait for the handle.
      const closing = handle.close();
      handle = undefined;
      const [, placed] = await Promise.all([closing, this.#place(tempPath, file, held)]);
      return placed;
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await unlink(tempPath).catch(() => undefined);
      throw refusal(error, options.signal);
    }
  }

  /** Seals the source into the open temporary file; answers what it holds. */
  async #sealInto(handle: FileHandle, source: Readable | AsyncIterable<Uint8Array>, options: Readonly<PutOptions>): Promise<StoredFile> {
    const fileId = randomBytes(ID_BYTES);
    const writer = new SealedWriter(handle, this.#sealer.forFile(fileId), this.#maxBytes);
    let file: StoredFile;
    try {
      for await (const piece of source as AsyncIterable<Uint8Array>) {
        if (options.signal?.aborted) throw uploadAborted();
        await writer.add(piece);
      }
      if (options.signal?.aborted) throw uploadAborted();
      file = await writer.finish(fileId);
    } catch (error) {
      // The handle is closed and the file removed only once no write is left in flight.
      await writer.settle();
      throw error;
    }
    if (!matchesExpected(file, options.expect)) throw fileHashMismatch();
    return file;
  }

  /** Renames a synced temporary file into place, unless the store holds that file already (`held`). */
  async #place(tempPath: string, file: StoredFile, held: StoredFile | undefined): Promise<StoredFile> {
    if (held) {
      await unlink(tempPath);
      return held;
    }
    const dir = join(this.#root, file.hash.slice(0, 2));
    await rename(tempPath, join(dir, file.hash));
    await this.#syncShard(dir);
    return file;
  }

  /**
   * Makes a rename into a shard folder durable: through that folder's handle, opened on first use
   * and kept until the store closes (one call per file kept instead of three).
   */
  async #syncShard(dir: string): Promise<void> {
    if (this.#closed) {
      await syncPath(dir, true);
      return;
    }
    let handle = this.#shards.get(dir);
    if (!handle) {
      handle = open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
      this.#shards.set(dir, handle);
      handle.catch(() => this.#shards.delete(dir));
    }
    await (await handle).sync();
  }

  /** Closes the shard folders' handles; a file kept after this syncs its folder through a handle of its own. */
  async close(): Promise<void> {
    this.#closed = true;
    const handles = [...this.#shards.values()];
    this.#shards.clear();
    await Promise.all(handles.map(async (handle) => (await handle.catch(() => undefined))?.close()));
  }
}

/** A kept file's header and trailer, read at once (its length known), or, `whole`, the whole file with one call. */
async function readEnds(handle: FileHandle, length: number, whole: boolean): Promise<{ head: Buffer; bytesRead: number; trailer: Buffer }> {
  const head = Buffer.allocUnsafe(whole ? length : HEADER_BYTES);
  const trailer = whole ? head.subarray(length - Math.min(length, CHUNK_OVERHEAD)) : Buffer.alloc(CHUNK_OVERHEAD);
  const [{ bytesRead }] = await Promise.all([
    handle.read(head, 0, head.length, 0),
    whole || length < HEADER_BYTES + CHUNK_OVERHEAD ? undefined : handle.read(trailer, 0, CHUNK_OVERHEAD, length - CHUNK_OVERHEAD),
  ]);
  return { head, bytesRead, trailer };
}

/** Chunks `first` to `last` (inclusive), read in one call and opened one by one. */
async function readChunks({ handle, header, chunks, whole }: Checked, first: number, last: number): Promise<Buffer[]> {
  const { chunkBytes, file } = header;
  const start = chunkOffset(first, chunkBytes);
  const end = Math.min(chunkOffset(last + 1, chunkBytes), trailerOffset(file.size, chunkBytes));
  const sealed = whole ? whole.subarray(start, end) : Buffer.allocUnsafe(end - start);
  const { bytesRead } = whole ? { bytesRead: sealed.length } : await handle.read(sealed, 0, sealed.length, start);
  if (bytesRead !== sealed.length) throw new SealedValueError('NOT_AUTHENTIC');
  const opened: Buffer[] = [];
  for (let index = first; index <= last; index++) {
    const at = chunkOffset(index, chunkBytes) - start;
    opened.push(chunks.open(index, sealed.subarray(at, Math.min(at + chunkBytes + CHUNK_OVERHEAD, sealed.length))));
  }
  return opened;
}

/** The plaintext of an authenticated file, or of the inclusive byte range [start, end], batch of chunks by batch. */
async function* plaintext(checked: Checked, range: { start: number; end: number } | undefined): AsyncGenerator<Buffer> {
  const { chunkBytes, file } = checked.header;
  const start = Math.max(0, range?.start ?? 0);
  const end = Math.min(file.size - 1, range?.end ?? file.size - 1);
  const lastChunk = Math.floor(end / chunkBytes);
  for (let first = Math.floor(start / chunkBytes); first <= lastChunk; first += READ_BATCH_CHUNKS) {
    const last = Math.min(lastChunk, first + READ_BATCH_CHUNKS - 1);
    const opened = await readChunks(checked, first, last);
    for (const [i, chunk] of opened.entries()) {
      const from = (first + i) * chunkBytes;
      yield chunk.subarray(Math.max(0, start - from), Math.min(chunk.length, end - from + 1));
    }
  }
}

/** Whether a file is the one expected (its hash, and its size when given), or nothing was expected. */
function matchesExpected(file: StoredFile, expect: PutOptions['expect']): boolean {
  return !expect || (expect.hash === file.hash && (expect.size === undefined || expect.size === file.size));
}

/** The refusal an error during put() stands for: a full disk, an abort, or the error itself. */
function refusal(error: unknown, signal: AbortSignal | undefined): unknown {
  if (error instanceof FileRefusedError) return error;
  if (isNoSpace(error)) return insufficientStorage();
  if (signal?.aborted) return uploadAborted();
  const code = (error as { code?: unknown }).code;
  // A request stream that ends early (the client went away) errors with these.
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (error as { message?: unknown }).message === 'aborted') return uploadAborted();
  return error;
}

/**
 * Seals a stream of plaintext into chunks written after the header's reserved place, each chunk
 * encrypted piece by piece as the bytes arrive, then the trailer that binds what the file is.
 */
class SealedWriter {
  readonly #handle: FileHandle;
  readonly #chunks: ChunkSealer;
  readonly #maxBytes: number;
  readonly #hash = createHash('sha256');
  #chunk: { update(piece: Uint8Array): Buffer; end(): Buffer } | undefined;
  #inChunk = 0;
  #batch: Buffer[] = [];
  #batchBytes = 0;
  #position = HEADER_BYTES;
  #index = 0;
  #size = 0;
  #head = Buffer.alloc(0);
  /** The batch write in flight, if any: one at a time. */
  #writing: Promise<void> | undefined;

  constructor(handle: FileHandle, chunks: ChunkSealer, maxBytes: number) {
    this.#handle = handle;
    this.#chunks = chunks;
    this.#maxBytes = maxBytes;
  }

  async add(piece: Uint8Array): Promise<void> {
    this.#size += piece.length;
    if (this.#size > this.#maxBytes) throw fileTooLarge(this.#maxBytes);
    const bytes = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    if (this.#head.length < SNIFF_BYTES) {
      this.#head = Buffer.concat([this.#head, bytes.subarray(0, SNIFF_BYTES - this.#head.length)]);
      // Refused as soon as enough is seen: a disguised file is not streamed to the end first.
      if (this.#head.length >= SNIFF_BYTES && !sniffMediaType(this.#head)) throw fileTypeNotAccepted();
    }
    this.#hash.update(bytes);
    for (let at = 0; at < bytes.length; ) {
      const part = bytes.subarray(at, at + CHUNK_BYTES - this.#inChunk);
      this.#chunk ??= this.#chunks.begin(this.#index);
      this.#push(this.#chunk.update(part));
      this.#inChunk += part.length;
      at += part.length;
      if (this.#inChunk === CHUNK_BYTES) this.#endChunk();
    }
    if (this.#batchBytes >= WRITE_BATCH_BYTES) await this.#writeBehind();
  }

  /** Writes the last chunks, the trailer and, at the place reserved for it, the header of the file `fileId`. */
  async finish(fileId: Buffer): Promise<StoredFile> {
    const mediaType = sniffMediaType(this.#head);
    if (!mediaType) throw fileTypeNotAccepted();
    if (this.#chunk) this.#endChunk();
    const file: StoredFile = { hash: this.#hash.digest('hex'), size: this.#size, mediaType };
    this.#push(this.#chunks.seal(this.#index, new Uint8Array(0), binding(CHUNK_BYTES, file)));
    await this.#writing;
    await Promise.all([this.#write(), writeAll(this.#handle, [encodeHeader(fileId, CHUNK_BYTES, file)], 0)]);
    return file;
  }

  /** Waits for the write in flight, if any, whatever its outcome. */
  async settle(): Promise<void> {
    await this.#writing?.catch(() => undefined);
  }

  #endChunk(): void {
    this.#push(this.#chunk?.end() ?? Buffer.alloc(0));
    this.#chunk = undefined;
    this.#inChunk = 0;
    this.#index++;
  }

  #push(sealed: Buffer): void {
    if (sealed.length === 0) return;
    this.#batch.push(sealed);
    this.#batchBytes += sealed.length;
  }

  /**
   * Starts writing the gathered batch once the write before it has landed, and returns without
   * waiting for it: the next batch is received and sealed meanwhile. A failed write is thrown
   * here, at the next batch, or by finish().
   */
  async #writeBehind(): Promise<void> {
    await this.#writing;
    const writing = this.#write();
    // Marked handled now; awaited (and so thrown) at the next batch or by finish().
    writing.catch(() => undefined);
    this.#writing = writing;
  }

  /** Writes the gathered batch at its place. */
  async #write(): Promise<void> {
    if (this.#batchBytes === 0) return;
    const batch = this.#batch;
    const at = this.#position;
    this.#position += this.#batchBytes;
    this.#batch = [];
    this.#batchBytes = 0;
    await writeAll(this.#handle, batch, at);
  }
}
