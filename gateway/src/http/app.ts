import express, { type NextFunction, type Request, type Response } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { Principal, TokenVerifier } from './auth.js';
import { ApiError, toProblem } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { CorrectionService } from '../services/correction-service.js';
import type { ProofService } from '../services/proof-service.js';
import { streamNotices, type NoticeSource } from '../services/notice-stream.js';
import type { ObligationList } from '../services/obligations.js';
import type { Webhooks } from '../services/webhooks.js';
import { openApiDocument } from './openapi.js';
import { AuditQuery, ConsistencyQuery, ObligationsQuery, WebhookBody, entryId, EvidenceRequest, LookupBody, parseBody, parseRecordEvent, subjectRef, VerifyBody } from './schemas.js';

export interface AppDeps {
  readonly service: CorrectionService;
  readonly proofs: ProofService;
  readonly notices: NoticeSource;
  readonly obligations: ObligationList;
  readonly webhooks: Webhooks;
  readonly tokens: TokenVerifier;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly ready: () => Promise<boolean>;
  readonly version: string;
}

type Authed = Request & { principal?: Principal };

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

function param(schema: { safeParse(v: unknown): { success: boolean } }, value: unknown, name: string): string {
  if (!schema.safeParse(value).success) {
    throw new ApiError('VALIDATION_FAILED', `${name} is not valid`, { errors: [{ path: name, message: 'has the wrong form' }] });
  }
  return value as string;
}

/** The REST API: parse (zod) → authorize → call a service → problem+json on error. */
export function createApp(deps: Readonly<AppDeps>): express.Express {
  const { service, proofs, tokens, logger, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // The router's baseUrl is gone by the time the response finishes; the mount point is known.
      const mount = req.originalUrl.startsWith('/v1/') ? '/v1' : '';
      const route = req.route ? `${mount}${String(req.route.path)}` : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      // Route templates only: a URL never carries an ID number, and bodies are never logged.
      logger.info(
        { method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10, agency: (req as Authed).principal?.agency },
        'request',
      );
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await deps.ready().catch(() => false);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  const document = openApiDocument(deps.version);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'correction-ledger API' }));

  const v1 = express.Router();
  v1.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));
  v1.use(async (req: Authed, _res, next) => {
    req.principal = await tokens.verify(req.get('authorization'));
    next();
  });
  const who = (req: Authed): Principal => req.principal as Principal;

  v1.post('/events', async (req: Authed, res) => {
    const body = parseRecordEvent(req.body);
    const key = req.get('idempotency-key');
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw new ApiError('VALIDATION_FAILED', 'Idempotency-Key is not valid', {
        errors: [{ path: 'Idempotency-Key', message: 'must be 1-200 visible ASCII characters' }],
      });
    }
    const { response, replayed } = await service.recordEvent(who(req), body, key);
    const recorded = response.body as { entry: { id: string } };
    res.status(response.status).location(`/v1/entries/${recorded.entry.id}`);
    if (replayed) res.set('Idempotent-Replayed', 'true');
    res.json(response.body);
  });
  v1.post('/subjects/lookup', async (req: Authed, res) => {
    const { idNumber } = parseBody(LookupBody, req.body);
    res.json(await service.lookup(who(req), idNumber));
  });
  v1.get('/subjects/:ref', async (req: Authed, res) => {
    res.json(await service.subjectStatus(who(req), param(subjectRef, req.params['ref'], 'ref')));
  });
  v1.get('/subjects/:ref/obligations', async (req: Authed, res) => {
    res.json(await service.obligations(who(req), param(subjectRef, req.params['ref'], 'ref')));
  });
  v1.get('/subjects/:ref/entries', async (req: Authed, res) => {
    res.json(await service.subjectEntries(who(req), param(subjectRef, req.params['ref'], 'ref')));
  });
  v1.get('/entries/:id', async (req: Authed, res) => {
    res.json(await service.entry(who(req), param(entryId, req.params['id'], 'id')));
  });
  v1.get('/entries/:id/proof', async (req: Authed, res) => {
    res.json(await proofs.inclusion(who(req), param(entryId, req.params['id'], 'id')));
  });
  v1.get('/entries/:id/evidence', async (req: Authed, res) => {
    res.json(await proofs.evidence(who(req), param(entryId, req.params['id'], 'id')));
  });
  v1.post('/evidence', async (req: Authed, res) => {
    const { receipt } = parseBody(EvidenceRequest, req.body);
    res.json(await proofs.evidenceForReceipt(who(req), receipt));
  });
  const writer = (req: Authed): Principal => {
    const principal = who(req);
    if (principal.role === 'auditor') throw new ApiError('FORBIDDEN', 'an auditor reads and verifies, never writes');
    return principal;
  };
  v1.post('/webhooks', async (req: Authed, res) => {
    const { url, events } = parseBody(WebhookBody, req.body);
    const webhook = await deps.webhooks.register(writer(req).agency, url, events);
    res.status(201).location(`/v1/webhooks/${webhook.id}`).json(webhook);
  });
  v1.get('/webhooks/:id', async (req: Authed, res) => {
    res.json(await deps.webhooks.webhook(who(req).agency, String(req.params['id'])));
  });
  v1.get('/webhooks/:id/deliveries', async (req: Authed, res) => {
    res.json(await deps.webhooks.deliveries(who(req).agency, String(req.params['id'])));
  });
  v1.get('/obligations', async (req, res) => {
    res.json(await deps.obligations.list(parseBody(ObligationsQuery, { ...req.query })));
  });
  v1.get('/stream', async (req: Authed, res) => {
    const raw = req.get('last-event-id') ?? (typeof req.query['lastEventId'] === 'string' ? req.query['lastEventId'] : '0');
    if (!/^\d{1,15}$/.test(raw)) {
      throw new ApiError('VALIDATION_FAILED', 'Last-Event-ID is not valid', { errors: [{ path: 'Last-Event-ID', message: 'must be a notice id' }] });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    const closed = new Promise<void>((resolve) => req.on('close', () => resolve()));
    await streamNotices(deps.notices, who(req).agency, Number(raw), (chunk) => res.write(chunk), closed);
    res.end();
  });
  v1.get('/log', async (_req, res) => {
    res.json(await proofs.logState());
  });
  v1.get('/log/consistency', async (req, res) => {
    const { from, to } = parseBody(ConsistencyQuery, { ...req.query });
    res.json(await proofs.consistency(from, to));
  });
  v1.post('/verify', async (req: Authed, res) => {
    res.json(await service.verify(who(req), parseBody(VerifyBody, req.body)));
  });
  v1.get('/audit', async (req: Authed, res) => {
    const query = parseBody(AuditQuery, { ...req.query });
    res.json(await service.audit(who(req), query.subject));
  });
  app.use('/v1', v1);

  app.use((_req, _res, next) => {
    next(new ApiError('NOT_FOUND', 'no such route'));
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const problem = toProblem(fromExpress(error));
    if (problem.status >= 500) logger.error({ err: errorSummary(error) }, 'request failed');
    if (problem.code === 'UNAUTHENTICATED') res.set('WWW-Authenticate', 'Bearer');
    if (problem.code === 'LEDGER_UNAVAILABLE' || problem.code === 'NOT_YET_CHECKPOINTED') res.set('Retry-After', '5');
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  });
  return app;
}

/** Body-parser errors carry a `type`; map them to our codes. */
function fromExpress(error: unknown): unknown {
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.parse.failed') {
    return new ApiError('VALIDATION_FAILED', 'body is not valid JSON', { errors: [{ path: '(body)', message: 'is not valid JSON' }] });
  }
  if (type === 'entity.too.large') return new ApiError('PAYLOAD_TOO_LARGE', 'body exceeds 1 MB');
  return error;
}

/** What an unexpected error may show in a log: its class and code, never messages that could echo input. */
function errorSummary(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { kind: typeof error };
  return { name: error.name, code: (error as { code?: unknown }).code, stack: error.stack?.split('\n').slice(1, 6).join('\n') };
}
