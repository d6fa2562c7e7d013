import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Principal } from './auth.js';

/**
 * Who may call a route: an agency's user with a bearer token, anyone (operations, docs), or a
 * monitor — anyone or an agency's user, as the operator chose (MONITOR_API): such routes serve
 * hashes and signatures only.
 */
export type Access = 'agency' | 'public' | 'monitor';

/** A documented answer of a route: its description and, where it has one, the schema of its body. */
export interface ResponseSpec {
  readonly description: string;
  /** The body's schema; a zod schema with a meta id becomes a component reference. */
  readonly schema?: z.ZodType;
  /** Media type of the body (application/json when a schema is given). */
  readonly contentType?: string;
  /** Response headers worth documenting (Location, Retry-After …). */
  readonly headers?: readonly string[];
}

/** What a handler answers: a status, a JSON body and headers. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A request body taken as a stream of bytes (a file) rather than parsed: the media types it may be
 * sent as, and the most bytes it may have (a declared Content-Length over it is refused before the
 * token is checked; a body that grows past it, while streaming).
 */
export interface UploadSpec {
  readonly mediaTypes: readonly string[];
  readonly maxBytes: number;
  /** The fields of the multipart/form-data form, for the spec, when that is among the media types. */
  readonly form?: Readonly<Record<string, { readonly description: string; readonly binary?: boolean }>>;
}

/** A streamed body as the handler receives it: its media type (lower case), its full Content-Type, and the bytes. */
export interface Upload {
  readonly mediaType: string;
  readonly contentType: string;
  readonly stream: IncomingMessage;
}

/** The parsed, validated request a handler receives. */
export interface RouteInput<A extends Access, P, Q, H, B> {
  /** The caller, for agency routes; public routes have none. */
  readonly principal: A extends 'agency' ? Principal : undefined;
  readonly params: P;
  readonly query: Q;
  readonly headers: H;
  /** The JSON body; not read (undefined) when the request came as an upload. */
  readonly body: B;
  /** The streamed body, when the route takes uploads and the request sent one (not JSON). */
  readonly upload: Upload | undefined;
  /** Fires when the client goes away (streams end on it). */
  readonly closed: Promise<void>;
  /**
   * Gives back the route's place among the ledger requests in progress before the answer ends: a
   * route that streams long after its ledger work (a file download) calls it once that work is done.
   */
  readonly ledgerDone: () => void;
  /** The raw response, for routes that stream; such a handler answers undefined. */
  readonly raw: ServerResponse;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * One route, declared once: the express router and the OpenAPI document are both built from it,
 * so the spec lists every status the route can answer and is exactly as strict as the server.
 */
export interface RouteDeclaration<
  A extends Access = Access,
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  H extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
> {
  readonly method: 'get' | 'post' | 'delete';
  /** OpenAPI path template, e.g. `/v1/subjects/{ref}`. */
  readonly path: string;
  readonly summary: string;
  readonly access: A;
  /** Path parameters, as a zod object keyed by the template's names. */
  readonly params?: P;
  readonly query?: Q;
  /** Request headers the route reads (lower-case names), as a zod object. */
  readonly headers?: H;
  /** The JSON body, when the route takes one. */
  readonly body?: B;
  /** The body as a stream of bytes, beside or instead of a JSON body: the request's media type chooses. */
  readonly upload?: UploadSpec;
  /** The route's own answers; the router adds the statuses every route of its kind can give. */
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** The route reads or writes the ledger: it can answer 503 while the ledger is unreachable, and 500 when a sealed record does not open. */
  readonly ledger?: boolean;
  readonly handle: (input: RouteInput<A, Parsed<P>, Parsed<Q>, Parsed<H>, Parsed<B>>) => Promise<Reply | undefined>;
}

/** A route of any shape, as the router and the OpenAPI builder hold them. */
export type AnyRoute = RouteDeclaration<Access, z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;

/** Declares a route, inferring the handler's input types from its schemas. */
export function route<
  A extends Access,
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  H extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(declaration: RouteDeclaration<A, P, Q, H, B>): AnyRoute {
  return declaration;
}

/** A JSON reply. */
export const json = (status: number, body: unknown, headers?: Readonly<Record<string, string>>): Reply =>
  headers ? { status, body, headers } : { status, body };
