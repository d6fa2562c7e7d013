import { lookup } from 'node:dns/promises';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { finished } from 'node:stream/promises';
import pLimit from 'p-limit';
import { hostAddress, type DestinationPolicy, type Refusal } from './webhook-destinations.js';

/** One address of a host, as dns.lookup gives it. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a host name to every address it has. */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The system's resolver (getaddrinfo, as node's own connections use). */
export const systemResolver: HostResolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** A signed notice on its way to a receiver. */
export interface NoticePost {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What came of one attempt: the receiver's status, and when it failed, why (a stable name). */
export type DeliveryOutcome =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly status: number | null; readonly error: string };

/** POSTs notices to checked destinations only. */
export interface WebhookTransport {
  /** Why a URL may not be registered: its host, its literal address, or an address its name resolves to now. */
  refusal(url: URL): Promise<Refusal | undefined>;
  /** One attempt; undefined when `signal` ended it (the webhook was removed or the gateway is closing). */
  post(notice: NoticePost, signal: AbortSignal): Promise<DeliveryOutcome | undefined>;
}

export interface WebhookTransportOptions {
  readonly policy: DestinationPolicy;
  readonly resolve?: HostResolver;
  /** The longest one attempt may take, from resolving the host to the last byte of the answer. */
  readonly timeoutMs: number;
  /**
   * Attempts in flight at once, across every webhook. A thousand webhooks retrying together would
   * otherwise hold a thousand requests' worth of sockets and buffers at the same moment; waiting
   * for a turn costs a webhook nothing but a place in the queue.
   */
  readonly concurrency: number;
}

/** An error thrown by the transport itself, named like node's own (`code`). */
class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Node's error codes (ECONNREFUSED, CERT_HAS_EXPIRED …) name failures well; anything else is a network error. */
function errorName(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : 'NETWORK_ERROR';
}

function outcomeOf(status: number): DeliveryOutcome {
  if (status >= 200 && status < 300) return { ok: true, status };
  // A redirect is not followed: its target was never checked, and a receiver answers where it was registered.
  if (status >= 300 && status < 400) return { ok: false, status, error: 'REDIRECT' };
  return { ok: false, status, error: `HTTP_${status}` };
}

/**
 * Connects to the addresses that were checked, and to no other: node's connection asks this
 * lookup instead of resolving the name again, so a second answer from DNS cannot redirect it.
 */
function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    const usable = family === 0 ? addresses : addresses.filter((a) => a.family === family);
    const [first] = usable;
    if (!first) callback(new DeliveryError('ENOTFOUND', 'no checked address of that family'), '');
    else if (options.all) callback(null, usable.map(({ address, family: f }) => ({ address, family: f })));
    else callback(null, first.address, first.family);
  };
}

/** Rejects when the signal aborts first: a resolver takes no signal of its own. */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason as Error);
    };
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
    });
  });
}

/**
 * One agent per scheme for every attempt, without keep-alive: each attempt opens its own
 * connection through its own pinned lookup and closes it, and no attempt builds an agent of its own.
 */
const agents = { http: new HttpAgent({ keepAlive: false }), https: new HttpsAgent({ keepAlive: false }) };

/** POSTs the notice and reads the answer to its end; a connection of its own, no redirects. */
async function send(url: URL, notice: NoticePost, addresses: readonly ResolvedAddress[], signal: AbortSignal): Promise<number> {
  const secure = url.protocol === 'https:';
  const request = secure ? httpsRequest : httpRequest;
  const options: RequestOptions = {
    method: 'POST',
    headers: { ...notice.headers, 'content-length': String(Buffer.byteLength(notice.body)) },
    agent: secure ? agents.https : agents.http,
    lookup: pinnedLookup(addresses),
    signal,
  };
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = request(url, options, resolve);
    outgoing.once('error', reject);
    outgoing.end(notice.body);
  });
  await finished(response.resume());
  return response.statusCode ?? 0;
}

/**
 * Runs one attempt under its own controller: aborted when `outer` aborts or the deadline passes.
 * The timer and the listener on `outer` go when the attempt ends, so a webhook that retries for
 * hours leaves nothing behind per attempt (AbortSignal.any and AbortSignal.timeout would keep each
 * attempt's signal alive well past it).
 */
async function withDeadline<T>(outer: AbortSignal, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<{ value: T } | { error: unknown; timedOut: boolean }> {
  const attempt = new AbortController();
  let timedOut = false;
  const abandon = () => {
    attempt.abort();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    attempt.abort();
  }, timeoutMs);
  outer.addEventListener('abort', abandon, { once: true });
  try {
    return { value: await work(attempt.signal) };
  } catch (error) {
    return { error, timedOut };
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', abandon);
  }
}

export function createWebhookTransport(options: Readonly<WebhookTransportOptions>): WebhookTransport {
  const { policy, timeoutMs } = options;
  const resolve = options.resolve ?? systemResolver;
  const turn = pLimit(options.concurrency);

  const addressesOf = async (hostname: string, signal: AbortSignal): Promise<readonly ResolvedAddress[]> => {
    const literal = hostAddress(hostname);
    if (literal !== undefined) return [{ address: literal, family: isIP(literal) }];
    const addresses = await unlessAborted(resolve(hostname), signal);
    if (addresses.length === 0) throw new DeliveryError('ENOTFOUND', `${hostname} has no address`);
    return addresses;
  };

  /** The destination's addresses once every one is checked, or why it is refused. */
  const checked = async (url: URL, signal: AbortSignal): Promise<{ refusal: Refusal } | { addresses: readonly ResolvedAddress[] }> => {
    const refusal = policy.refuseUrl(url);
    if (refusal) return { refusal };
    const addresses = await addressesOf(url.hostname, signal);
    for (const { address } of addresses) {
      const refused = policy.refuseAddress(address);
      if (refused) return { refusal: { code: refused.code, message: `${url.hostname} resolves to ${refused.message}` } };
    }
    return { addresses };
  };

  const attempt = async (notice: NoticePost, signal: AbortSignal): Promise<DeliveryOutcome> => {
    const url = new URL(notice.url);
    const found = await checked(url, signal);
    if ('refusal' in found) return { ok: false, status: null, error: found.refusal.code };
    return outcomeOf(await send(url, notice, found.addresses, signal));
  };

  return {
    async refusal(url) {
      const result = await withDeadline(new AbortController().signal, timeoutMs, (signal) => checked(url, signal));
      // A name that does not resolve yet is not refused: its deliveries will say ENOTFOUND.
      return 'value' in result && 'refusal' in result.value ? result.value.refusal : undefined;
    },

    async post(notice, signal) {
      const removed = (): boolean => signal.aborted;
      const attemptInTurn = async (): Promise<DeliveryOutcome | undefined> => {
        if (removed()) return undefined;
        const result = await withDeadline(signal, timeoutMs, (attemptSignal) => attempt(notice, attemptSignal));
        if ('value' in result) return result.value;
        if (removed()) return undefined;
        return { ok: false, status: null, error: result.timedOut ? 'ETIMEDOUT' : errorName(result.error) };
      };
      // A webhook removed while it waits stops waiting at once; its turn, when it comes, ends at once.
      return unlessAborted(turn(attemptInTurn), signal).catch(() => undefined);
    },
  };
}
