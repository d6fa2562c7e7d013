import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { ENTRY_ID_PATTERN, isCollectionMember, type Agency, type Entry } from 'correction-chaincode/domain';
import { listedFile } from './listed-files.js';
import { ApiError, toProblem } from '../errors.js';
import { InFlightLimit } from '../http/in-flight.js';
import type { Logger } from '../logger.js';
import type { StoredFile } from '../store/file-store.js';
import type { ExchangeIdentity, PeerRecognizer } from './identity.js';

/** The path of a file on the exchange: /exchange/v1/files/{sha256 hex}. */
export const EXCHANGE_FILES_PATH = '/exchange/v1/files/';
const HASH = /^[0-9a-f]{64}$/;

/** A file this gateway holds: what the exchange serves. */
export type HeldFile = StoredFile;

/** The files of this gateway's store, as the exchange reads them. */
export interface HeldFiles {
  stat(hash: string): Promise<HeldFile | undefined>;
  read(hash: string): Readable;
}

/** Reads an entry from this gateway's own ledger, as the gateway itself (no user asks), for a peer. */
export type InternalEntryReader = (entryId: string, peer: Agency) => Promise<Entry>;

export interface ExchangeServerOptions {
  readonly identity: ExchangeIdentity;
  readonly peers: PeerRecognizer;
  readonly entries: InternalEntryReader;
  readonly files: HeldFiles;
  /** Files served at once; past it a peer is answered 503 with Retry-After. */
  readonly concurrency: number;
  readonly logger?: Logger | undefined;
}

/**
 * The exchange's listening side: HTTPS with mutual TLS, where a peer is an agency whose gateway
 * key (in the trust file) the client certificate carries. A connection from anyone else is closed
 * as soon as its handshake ends. `GET /exchange/v1/files/{hash}?entry=ID` streams a file to an
 * agency that is a member of the entry's collection when the entry — read from this gateway's
 * own ledger — lists the file.
 */
export class ExchangeServer {
  readonly #o: ExchangeServerOptions;
  readonly #limit: InFlightLimit;
  readonly #server: Server;
  readonly #agencyOf = new WeakMap<Socket, Agency>();

  constructor(options: ExchangeServerOptions) {
    this.#o = options;
    this.#limit = new InFlightLimit(options.concurrency);
    this.#server = createServer(
      { key: options.identity.key, cert: options.identity.cert, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.3' },
      (request, response) => {
        void this.#answer(request, response);
      },
    );
    this.#server.on('secureConnection', (socket: TLSSocket) => {
      const agency = options.peers.agencyOf(socket.getPeerX509Certificate());
      if (agency === undefined || agency === options.identity.agency) {
        options.logger?.warn({ remoteAddress: socket.remoteAddress }, 'exchange: refused a connection whose certificate carries no other agency\'s gateway key');
        socket.destroy();
        return;
      }
      this.#agencyOf.set(socket, agency);
    });
    // A client that is no TLS peer (plain HTTP, a failed handshake) is dropped; nothing else to do.
    this.#server.on('tlsClientError', () => undefined);
    this.#server.headersTimeout = 10_000;
    this.#server.requestTimeout = 0;
  }

  /** Listens; resolves with the bound port. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
      this.#server.closeAllConnections();
    });
  }

  async #answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const release = this.#limit.enter();
    try {
      const peer = this.#agencyOf.get(request.socket);
      if (peer === undefined) throw new ApiError('UNAUTHENTICATED', 'the client certificate carries no agency\'s gateway key');
      if (!release) throw new ApiError('GATEWAY_BUSY', 'the exchange is serving as many files as it may; try again shortly');
      const { hash, entryId } = fileRequest(request);
      const file = await this.#entitled(peer, hash, entryId);
      response.writeHead(200, {
        'Content-Type': file.mediaType,
        'Content-Length': String(file.size),
        ETag: `"${file.hash}"`,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      await pipeline(this.#o.files.read(hash), response);
      this.#o.logger?.info({ peer, hash, entryId }, 'exchange: served a file to a peer');
    } catch (error) {
      this.#fail(response, error);
    } finally {
      release?.();
    }
  }

  /** The file, when the entry on this ledger lists it and the peer is a member of the entry's collection. */
  async #entitled(peer: Agency, hash: string, entryId: string): Promise<HeldFile> {
    const entry = await this.#o.entries(entryId, peer);
    if (!listedFile(entry, hash)) throw new ApiError('NOT_FOUND', 'the entry lists no such file');
    if (!isCollectionMember(entry.collection, peer)) throw new ApiError('FORBIDDEN', `${peer} is not entitled to the files of this entry`);
    const file = await this.#o.files.stat(hash);
    if (!file) throw new ApiError('NOT_FOUND', 'this gateway does not hold the file');
    return file;
  }

  #fail(response: ServerResponse, error: unknown): void {
    const problem = toProblem(error);
    if (problem.status >= 500 && problem.code !== 'GATEWAY_BUSY') {
      this.#o.logger?.error({ err: { name: (error as Error).name, code: (error as { code?: unknown }).code } }, 'exchange: failed to serve a file');
    }
    if (response.headersSent) {
      // The file was cut short: the peer sees fewer bytes than announced and keeps nothing.
      response.destroy();
      return;
    }
    const body = JSON.stringify(problem);
    response.writeHead(problem.status, {
      'Content-Type': 'application/problem+json',
      'Content-Length': String(Buffer.byteLength(body)),
      ...(problem.status === 503 ? { 'Retry-After': '1' } : {}),
    });
    response.end(body);
  }
}

/** The hash and entry id of a file request, checked; anything else is refused. */
function fileRequest(request: IncomingMessage): { hash: string; entryId: string } {
  if (request.method !== 'GET') throw new ApiError('METHOD_NOT_ALLOWED', 'the exchange serves GET only');
  const url = new URL(request.url ?? '/', 'https://exchange.invalid');
  if (!url.pathname.startsWith(EXCHANGE_FILES_PATH)) throw new ApiError('NOT_FOUND', 'no such route');
  const hash = url.pathname.slice(EXCHANGE_FILES_PATH.length);
  const entryId = url.searchParams.get('entry') ?? '';
  const errors = [
    ...(HASH.test(hash) ? [] : [{ path: 'hash', message: 'must be a SHA-256 hex digest' }]),
    ...(ENTRY_ID_PATTERN.test(entryId) && url.searchParams.getAll('entry').length === 1 ? [] : [{ path: 'entry', message: 'must be one entry id (32 hex digits)' }]),
  ];
  if (errors.length > 0) throw new ApiError('VALIDATION_FAILED', `${errors.length} field(s) are not valid`, { errors });
  return { hash, entryId };
}
