import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { ApiError, toProblem, type Problem, type ProblemCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { TokenVerifier } from './auth.js';
import { openApiDocument } from './openapi.js';
import type { AnyRoute } from './route.js';
import { addressLimit, buildRouter, methodsOrNotFound, PRINCIPAL, ROUTE, type EdgeLimits } from './router.js';
import { consoleRouter } from './console.js';
import { catalogRoutes } from './routes/catalog.js';
import { devRoutes, type DevTokenMinter } from './routes/dev.js';
import type { RouteServices } from './routes/deps.js';
import { documentRoutes } from './routes/documents.js';
import { entryRoutes } from './routes/entries.js';
import { eventRoutes } from './routes/events.js';
import { logRoutes } from './routes/log.js';
import { noticeRoutes } from './routes/notices.js';
import { operationRoutes } from './routes/operations.js';
import { subjectRoutes } from './routes/subjects.js';
import { submissionRoutes } from './routes/submissions.js';
import { tokenClaimRoutes, type TokenClaims } from './routes/token-claims.js';
import { webhookRoutes } from './routes/webhooks.js';

export interface AppDeps extends RouteServices {
  readonly tokens: TokenVerifier;
  readonly limits: EdgeLimits;
  /** Browser origins allowed to call the API (a console served elsewhere); none by default. */
  readonly corsOrigins: readonly string[];
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly ready: () => Promise<boolean>;
  readonly version: string;
  /** Monitor routes answer without a token (true) or need an agency's (false). */
  readonly monitorOpen: boolean;
  /** Dev mode's token minter: with it, the gateway has POST /v1/dev/tokens; without, no such route. */
  readonly devTokens?: DevTokenMinter | undefined;
  /** What tokens must claim besides who: published at /v1/token-claims for key login. */
  readonly tokenClaims: TokenClaims;
  /** The built console's directory (default: dist/console); served at / and its pages. */
  readonly consoleDir?: string | undefined;
}

/** Every route the gateway serves, declared once. */
export function gatewayRoutes(deps: Readonly<AppDeps>, openApi: () => unknown): AnyRoute[] {
  const routes = [
    ...operationRoutes({ metrics: deps.metrics, ready: deps.ready, openApi }),
    ...eventRoutes(deps),
    ...submissionRoutes(deps),
    ...catalogRoutes(deps),
    ...subjectRoutes(deps),
    ...entryRoutes(deps),
    ...documentRoutes(deps),
    ...logRoutes(deps),
    ...noticeRoutes(deps),
    ...webhookRoutes(deps),
    ...tokenClaimRoutes(deps.tokenClaims),
    ...(deps.devTokens ? devRoutes(deps.devTokens) : []),
  ];
  // The operator's switch decides, once, whether monitors need a token: router and spec agree.
  const monitors = deps.monitorOpen ? 'public' : 'agency';
  return routes.map((declared) => (declared.access === 'monitor' ? { ...declared, access: monitors } : declared));
}

/**
 * Security headers: nothing sniffed, framed or cached that carries a document; a CSP under which
 * the API docs still render (their scripts are files; Swagger UI sets inline styles).
 */
function securityHeaders(): express.RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
}

function accessLog(logger: Logger, metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = typeof res.locals[ROUTE] === 'string' ? res.locals[ROUTE] : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      // Route templates only: a URL never carries an ID number, and bodies are never logged.
      const principal = (req as Request & { [PRINCIPAL]?: { agency: string } })[PRINCIPAL];
      logger.info({ method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10, agency: principal?.agency }, 'request');
    });
    next();
  };
}

/** The REST API: edge checks → parse (zod) → authorize → call a service → problem+json on error. */
export function createApp(deps: Readonly<AppDeps>): express.Express {
  const { logger, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  let document: Record<string, unknown> = {};
  const routes = gatewayRoutes(deps, () => document);
  document = openApiDocument(deps.version, routes);

  app.use(accessLog(logger, metrics));
  app.use(securityHeaders());
  app.use('/v1', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  const origins = new Set(deps.corsOrigins);
  app.use(
    cors({
      origin: (origin, callback) => {
        callback(null, origin !== undefined && origins.has(origin));
      },
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Last-Event-ID', 'Range', 'If-None-Match'],
      exposedHeaders: ['Location', 'Retry-After', 'RateLimit', 'RateLimit-Policy', 'Idempotent-Replayed', 'ETag', 'Content-Disposition', 'Content-Range'],
      maxAge: 600,
      preflightContinue: true,
    }),
  );
  app.use(addressLimit(deps.limits.address));
  const methods = methodsOrNotFound(routes);
  // Preflights and OPTIONS are answered here, without a token, before the router would.
  app.use((req, res, next) => {
    if (req.method === 'OPTIONS') methods(req, res, next);
    else next();
  });
  app.use(buildRouter(routes, deps));
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'correction-ledger API' }));
  app.use(consoleRouter(deps.consoleDir));
  app.use(methods);
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const problem = toProblem(fromExpress(error));
    // A busy gateway says so to every caller past its bound: not a failure worth a line each.
    if (problem.status >= 500 && problem.code !== 'GATEWAY_BUSY') logger.error({ err: errorSummary(error) }, 'request failed');
    if (problem.code === 'UNAUTHENTICATED') res.set('WWW-Authenticate', 'Bearer');
    const retryAfter = retryAfterOf(problem);
    if (retryAfter !== undefined) res.set('Retry-After', String(retryAfter));
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  });
  return app;
}

/** Seconds to wait before trying again, for the problems that have them. */
const RETRY_AFTER: Partial<Record<ProblemCode, number>> = { LEDGER_UNAVAILABLE: 5, NOT_YET_CHECKPOINTED: 5, GATEWAY_BUSY: 1, FILE_HOLDER_UNAVAILABLE: 5, RATE_LIMITED: 1 };

/** The problem's own delay (`retryAfter`, at least a second) or its code's. */
function retryAfterOf(problem: Problem): number | undefined {
  const fallback = RETRY_AFTER[problem.code];
  if (fallback === undefined) return undefined;
  return problem['retryAfter'] === undefined ? fallback : Math.max(1, Number(problem['retryAfter']));
}

/** Errors raised by express itself (a path parameter that is not valid percent-encoding) are the client's. */
function fromExpress(error: unknown): unknown {
  if (error instanceof URIError || (error as { status?: unknown }).status === 400) {
    return new ApiError('VALIDATION_FAILED', 'the path is not valid percent-encoded UTF-8', { errors: [{ path: '(path)', message: 'is not valid percent-encoding' }] });
  }
  return error;
}

/** What an unexpected error may show in a log: its class and code, never messages that could echo input. */
function errorSummary(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { kind: typeof error };
  return { name: error.name, code: (error as { code?: unknown }).code, stack: error.stack?.split('\n').slice(1, 6).join('\n') };
}
