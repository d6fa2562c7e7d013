import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type TLSSocket } from 'node:tls';
import type { Readable } from 'node:stream';
import type { Agency, Entry } from 'correction-chaincode/domain';
import { ApiError } from '../errors.js';
import type { Logger } from '../logger.js';
import { EXCHANGE_FILES_PATH, type HeldFile } from './exchange-server.js';
import type { ExchangeIdentity, PeerRecognizer } from './identity.js';
import { listedFile } from './listed-files.js';

/** Where fetched files go: the store checks the bytes against the expected hash and size before keeping anything. */
export interface FileSink {
  stat(hash: string): Promise<HeldFile | undefined>;
  put(source: Readable, options: { readonly expect: { readonly hash: string; readonly size?: number }; readonly signal?: AbortSignal }): Promise<HeldFile>;
}

export interface RemoteFilesOptions {
  readonly identity: ExchangeIdentity;
  readonly peers: PeerRecognizer;
  /** Each other agency's exchange URL. */
  readonly urls: ReadonlyMap<Agency, URL>;
  readonly files: FileSink;
  /** Counts the files a holder served that did not hash to what the entry lists. */
  readonly onMismatch: (holder: Agency) => void;
  /** From dialling to the end of the handshake. */
  readonly connectTimeoutMs: number;
  /** The longest the holder may stay silent while answering. */
  readonly idleTimeoutMs: number;
  /** What a client is told to wait while the holder cannot be reached. */
  readonly retryAfterSeconds: number;
  readonly logger?: Logger | undefined;
}

/**
 * Fetches a file an entry lists from the gateway of the agency that recorded the entry (its
 * holder), over mutual TLS: the holder must present its agency's gateway key from the trust file.
 * The bytes stream into the store, which keeps them only if they hash to the entry's SHA-256 and
 * size. Concurrent fetches of one file share one transfer.
 */
export class RemoteFiles {
  readonly #o: RemoteFilesOptions;
  readonly #inFlight = new Map<string, Promise<HeldFile>>();

  constructor(options: RemoteFilesOptions) {
    this.#o = options;
  }

  fetch(entry: Entry, hash: string): Promise<HeldFile> {
    const running = this.#inFlight.get(hash);
    if (running) return running;
    const transfer = this.#transfer(entry, hash).finally(() => {
      this.#inFlight.delete(hash);
    });
    this.#inFlight.set(hash, transfer);
    return transfer;
  }

  async #transfer(entry: Entry, hash: string): Promise<HeldFile> {
    const held = await this.#o.files.stat(hash);
    if (held) return held;
    const listed = listedFile(entry, hash);
    if (!listed) throw new ApiError('NOT_FOUND', 'the entry lists no such file');
    const holder = entry.agency;
    const url = this.#o.urls.get(holder);
    if (holder === this.#o.identity.agency || !url) throw new ApiError('NOT_FOUND', `this gateway does not hold the file, and has no exchange with ${holder}, which recorded the entry`);
    const abort = new AbortController();
    try {
      const response = await this.#get(url, holder, `${EXCHANGE_FILES_PATH}${hash}?entry=${entry.id}`, abort.signal);
      return await this.#keep(response, { hash, size: listed.size, entryId: entry.id, holder }, abort.signal);
    } finally {
      abort.abort();
    }
  }

  /** Streams the holder's answer into the store, which checks it against the entry before keeping it. */
  async #keep(response: IncomingMessage, file: { hash: string; size: number; entryId: string; holder: Agency }, signal: AbortSignal): Promise<HeldFile> {
    if (response.statusCode !== 200) {
      response.resume();
      // Entitlement is decided from the same entry on both sides: a refusal stands; anything else may pass.
      if (response.statusCode === 403) throw new ApiError('FORBIDDEN', `${file.holder}'s gateway refuses this agency the files of the entry`);
      // The holder does not hold the file, or its ledger does not show the entry yet.
      if (response.statusCode === 404) throw new ApiError('FILE_NOT_HELD', `neither this gateway nor ${file.holder}'s, which recorded the entry, holds the file`);
      throw this.#unavailable(file.holder, `answered ${String(response.statusCode)}`);
    }
    try {
      return await this.#o.files.put(response, { expect: { hash: file.hash, size: file.size }, signal });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'FILE_HASH_MISMATCH') {
        this.#o.onMismatch(file.holder);
        this.#o.logger?.error({ hash: file.hash, entryId: file.entryId, holder: file.holder }, 'ALERT: a holder served a file that does not hash to what its entry lists; nothing was kept');
        throw new ApiError('FILE_HASH_MISMATCH', `the file ${file.holder}'s gateway served does not match the entry; nothing was kept`);
      }
      if ((error as { code?: unknown }).code === 'UPLOAD_ABORTED' || response.errored) throw this.#unavailable(file.holder, 'stopped sending the file');
      throw error;
    }
  }

  /** Dials the holder, checks who answers, and sends the request only then. */
  async #get(url: URL, holder: Agency, path: string, signal: AbortSignal): Promise<IncomingMessage> {
    const socket = await this.#dial(url, holder);
    return new Promise((resolve, reject) => {
      const request = httpRequest({ createConnection: () => socket, method: 'GET', path, headers: { host: url.host, accept: '*/*' }, signal }, resolve);
      request.on('error', (error) => {
        reject(signal.aborted ? error : this.#unavailable(holder, 'dropped the connection'));
      });
      request.end();
    });
  }

  async #dial(url: URL, holder: Agency): Promise<TLSSocket> {
    const socket = connect({
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(url.port || 443),
      ...(/^[\d.]+$|^\[/.test(url.hostname) ? {} : { servername: url.hostname }),
      key: this.#o.identity.key,
      cert: this.#o.identity.cert,
      // The holder's certificate is self-signed: it is checked below against the trust file instead.
      rejectUnauthorized: false,
      minVersion: 'TLSv1.3',
      timeout: this.#o.connectTimeoutMs,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
        socket.once('timeout', () => {
          reject(new Error('timed out'));
        });
      });
    } catch {
      socket.destroy();
      throw this.#unavailable(holder, 'could not be reached');
    }
    const presented = this.#o.peers.agencyOf(socket.getPeerX509Certificate());
    if (presented !== holder) {
      socket.destroy();
      this.#o.logger?.error({ holder, presented: presented ?? null, url: url.origin }, 'ALERT: the exchange URL of an agency answered without that agency\'s gateway key');
      throw this.#unavailable(holder, 'did not authenticate with its gateway key');
    }
    socket.setTimeout(this.#o.idleTimeoutMs, () => {
      socket.destroy(new Error('the holder stayed silent too long'));
    });
    return socket;
  }

  #unavailable(holder: Agency, what: string): ApiError {
    return new ApiError('FILE_HOLDER_UNAVAILABLE', `the gateway of ${holder}, which holds the file, ${what}; try again later`, { retryAfter: this.#o.retryAfterSeconds });
  }
}
