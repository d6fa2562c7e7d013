import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { finished } from 'node:stream/promises';
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

/** POSTs the notice and reads the answer to its end; one connection, no pooling, no redirects. */
async function send(url: URL, notice: NoticePost, addresses: readonly ResolvedAddress[], signal: AbortSignal): Promise<number> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const options: RequestOptions = {
    method: 'POST',
    headers: { ...notice.headers, 'content-length': String(Buffer.byteLength(notice.body)) },
    agent: false,
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

export function createWebhookTransport(options: Readonly<WebhookTransportOptions>): WebhookTransport {
  const { policy, timeoutMs } = options;
  const resolve = options.resolve ?? systemResolver;

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

  return {
    async refusal(url) {
      try {
        const found = await checked(url, AbortSignal.timeout(timeoutMs));
        return 'refusal' in found ? found.refusal : undefined;
      } catch {
        // A name that does not resolve yet is not refused: its deliveries will say ENOTFOUND.
        return undefined;
      }
    },

    async post(notice, signal) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const either = AbortSignal.any([signal, timeout]);
      try {
        const url = new URL(notice.url);
        const found = await checked(url, either);
        if ('refusal' in found) return { ok: false, status: null, error: found.refusal.code };
        return outcomeOf(await send(url, notice, found.addresses, either));
      } catch (error) {
        if (signal.aborted) return undefined;
        return { ok: false, status: null, error: timeout.aborted ? 'ETIMEDOUT' : errorName(error) };
      }
    },
  };
}
