import type { IncomingMessage } from 'node:http';
import type { InFlightLimit } from './in-flight.js';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { z } from 'zod';
import { issuesOf } from 'correction-chaincode/domain';
import { ApiError, validationFailed } from '../errors.js';
import type { Principal, TokenVerifier } from './auth.js';
import { isJsonMediaType, readJsonBody, type JsonLimits } from './json-body.js';
import { rateLimitHeaders, type RateLimiter } from './rate-limit.js';
import type { AnyRoute, Reply, Upload } from './route.js';
import { declaredOver, mediaTypeOf, uploadOf } from './upload-body.js';

/** The limits every request meets at the edge. */
export interface EdgeLimits {
  readonly json: JsonLimits;
  /** Per agency, for requests with a valid token. */
  readonly agency: RateLimiter;
  /** Per source address, for every request. */
  readonly address: RateLimiter;
  /** Per source address, spent by each request whose token is refused: strangers get little. */
  readonly unauthenticated: RateLimiter;
  /** Ledger requests in progress at once, over every agency and address. */
  readonly ledgerInFlight: InFlightLimit;
}

export interface RouterDeps {
  readonly tokens: TokenVerifier;
  readonly limits: EdgeLimits;
}

/** Where a request's principal is kept for the access log. */
export const PRINCIPAL = Symbol('principal');
/** Where the declared path template of the route that answered is kept (res.locals), for logs and metrics. */
export const ROUTE = 'routeTemplate';
type WithPrincipal = Request & { [PRINCIPAL]?: Principal };

/** `/v1/subjects/{ref}` → `/v1/subjects/:ref` (express), and a regular expression for 405s. */
export const expressPath = (template: string): string => template.replace(/\{(\w+)\}/g, ':$1');
export const templatePattern = (template: string): RegExp =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}/g, '[^/]+')}/?$`);

function sourceAddress(req: Request): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function parsePart(schema: z.ZodType | undefined, value: unknown, prefix: string): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw validationFailed(issuesOf(result.error, prefix));
  return result.data;
}

function pickHeaders(schema: z.ZodType | undefined, req: IncomingMessage): Record<string, string | string[] | undefined> {
  if (!schema) return {};
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  return Object.fromEntries(Object.keys(shape).map((name) => [name, req.headers[name]]));
}

function send(res: Response, reply: Reply): void {
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.set(name, value);
  if (reply.body === undefined) res.status(reply.status).end();
  else res.status(reply.status).json(reply.body);
}

/**
 * Builds the express router from route declarations. Per request, in this order: a declared body
 * too large is refused (413), the token is checked (401) before any body is read, the agency's
 * rate is checked (429), path, query and headers are parsed (400), the JSON body is read within
 * its bounds (413, 415, 400) and parsed by its schema (400), then the handler runs.
 */
export function buildRouter(routes: readonly AnyRoute[], deps: Readonly<RouterDeps>): express.Router {
  const router = express.Router();
  const { tokens, limits } = deps;

  const authenticate = async (req: WithPrincipal, res: Response): Promise<Principal> => {
    const authorization = req.get('authorization');
    const principal = tokens.known(authorization) ?? (await verifyNew(sourceAddress(req), authorization, res));
    req[PRINCIPAL] = principal;
    const take = limits.agency.take(principal.agency);
    res.set(rateLimitHeaders('agency', limits.agency, take));
    if (!take.allowed) throw new ApiError('RATE_LIMITED', `too many requests for ${principal.agency}`, { retryAfter: take.retryAfterSeconds });
    return principal;
  };

  /**
   * A token not seen before is checked only while its address has refused tokens to spare: an
   * address that keeps sending bad ones gets 429 without costing a signature check, while its
   * users with tokens already accepted carry on.
   */
  const verifyNew = async (address: string, authorization: string | undefined, res: Response): Promise<Principal> => {
    const strangers = limits.unauthenticated.peek(address);
    if (!strangers.allowed) {
      res.set(rateLimitHeaders('unauthenticated', limits.unauthenticated, strangers));
      throw new ApiError('RATE_LIMITED', 'too many refused requests from this address', { retryAfter: strangers.retryAfterSeconds });
    }
    try {
      return await tokens.verify(authorization);
    } catch (error) {
      limits.unauthenticated.take(address);
      throw error;
    }
  };

  const literals = literalPaths(routes);
  for (const declared of routes) {
    const parameterised = declared.path.includes('{');
    const handler = async (req: WithPrincipal, res: Response, next: NextFunction): Promise<void> => {
      if (parameterised && literals.has(req.path)) {
        next();
        return;
      }
      res.locals[ROUTE] = declared.path;
      const asUpload = declared.upload !== undefined && !(declared.body && isJsonMediaType(mediaTypeOf(req)));
      try {
        await serve(declared, req, res, asUpload);
      } catch (error) {
        // A body refused before it was read whole (an upload, one too large) is not read on: the connection closes after the answer.
        if (!req.complete && (asUpload || (error instanceof ApiError && error.code === 'PAYLOAD_TOO_LARGE'))) res.set('Connection', 'close');
        throw error;
      }
    };
    router[declared.method](expressPath(declared.path), handler);
  }
  return router;

  /** Runs one route for a request: edge checks, parsing, then its handler. */
  async function serve(declared: AnyRoute, req: WithPrincipal, res: Response, asUpload: boolean): Promise<void> {
    refuseDeclaredTooLarge(declared, req, asUpload, limits.json);
    const principal = declared.access === 'agency' ? await authenticate(req, res) : undefined;
    const params = parsePart(declared.params, { ...req.params }, '');
    const query = parsePart(declared.query, { ...(req.query as Record<string, unknown>) }, '');
    const headers = parsePart(declared.headers, pickHeaders(declared.headers, req), '');
    const upload: Upload | undefined = asUpload && declared.upload ? uploadOf(req, declared.upload) : undefined;
    const admitted = declared.ledger ? admit(limits.ledgerInFlight) : undefined;
    const ledgerDone = (): void => {
      admitted?.();
    };
    res.once('close', ledgerDone);
    const body = declared.body && !asUpload ? parsePart(declared.body, await readJsonBody(req, limits.json), '') : undefined;
    const closed = new Promise<void>((resolve) => {
      req.once('close', () => {
        resolve();
      });
    });
    const reply = await declared.handle({ principal, params, query, headers, body, upload, closed, ledgerDone, raw: res });
    if (reply) send(res, reply);
  }
}

/** A declared body length over the limit of the form the body comes in is refused before the token is checked. */
function refuseDeclaredTooLarge(declared: AnyRoute, req: IncomingMessage, asUpload: boolean, json: JsonLimits): void {
  const maxBytes = asUpload ? declared.upload?.maxBytes : declared.body ? json.maxBytes : undefined;
  if (maxBytes !== undefined && declaredOver(req, maxBytes)) throw new ApiError('PAYLOAD_TOO_LARGE', `the body exceeds ${maxBytes} bytes`, { maxBytes });
}

/** A place among the ledger requests in progress, or 503 GATEWAY_BUSY when none is free. */
function admit(limit: InFlightLimit): () => void {
  const release = limit.enter();
  if (!release) throw new ApiError('GATEWAY_BUSY', 'the gateway is working on as many ledger requests as it takes; try again shortly');
  return release;
}

/** Every request, per source address: a generous budget that still stops one host flooding the gateway. */
export function addressLimit(limiter: RateLimiter) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const take = limiter.take(sourceAddress(req));
    if (take.allowed) {
      next();
      return;
    }
    res.set(rateLimitHeaders('address', limiter, take));
    next(new ApiError('RATE_LIMITED', 'too many requests from this address', { retryAfter: take.retryAfterSeconds }));
  };
}

/**
 * After the routes: a known path asked with another method answers 405 naming the methods it
 * has (OPTIONS answers 204 with the same list, without a token); anything else is 404.
 */
export function methodsOrNotFound(routes: readonly AnyRoute[]) {
  const templates = new Map<string, { pattern: RegExp; literal: boolean; methods: Set<string> }>();
  for (const declared of routes) {
    const known = templates.get(declared.path) ?? { pattern: templatePattern(declared.path), literal: !declared.path.includes('{'), methods: new Set<string>() };
    known.methods.add(declared.method.toUpperCase());
    if (declared.method === 'get') known.methods.add('HEAD');
    templates.set(declared.path, known);
  }
  return (req: Request, res: Response, next: NextFunction): void => {
    const matching = [...templates.values()].filter(({ pattern }) => pattern.test(req.path));
    // A literal path (/v1/subjects/lookup) is its own resource, not a value of a parameter beside it.
    const resource = matching.some((t) => t.literal) ? matching.filter((t) => t.literal) : matching;
    const allowed = new Set(resource.flatMap(({ methods }) => [...methods]));
    if (allowed.size === 0) {
      next(new ApiError('NOT_FOUND', 'no such route'));
      return;
    }
    const allow = [...allowed, 'OPTIONS'];
    res.set('Allow', allow.join(', '));
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next(new ApiError('METHOD_NOT_ALLOWED', `${req.method} is not allowed here`, { allow }));
  };
}

/** The literal paths of the routes: a parameterised route does not take them as a parameter value. */
export function literalPaths(routes: readonly AnyRoute[]): ReadonlySet<string> {
  return new Set(routes.filter((r) => !r.path.includes('{')).map((r) => r.path));
}
