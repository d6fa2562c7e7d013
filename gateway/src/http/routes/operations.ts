import type { Metrics } from '../../metrics.js';
import { HealthSchema } from '../responses.js';
import { json, route, type AnyRoute } from '../route.js';

export interface OperationDeps {
  readonly metrics: Metrics;
  readonly ready: () => Promise<boolean>;
  /** The OpenAPI document, built from every route including these. */
  readonly openApi: () => unknown;
}

/** Liveness, readiness, metrics and the API's own description: no token. */
export function operationRoutes({ metrics, ready, openApi }: OperationDeps): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness',
      access: 'public',
      responses: { 200: { description: 'Alive', schema: HealthSchema } },
      handle() {
        return Promise.resolve(json(200, { status: 'ok' }));
      },
    }),
    route({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: the ledger is reachable',
      access: 'public',
      responses: { 200: { description: 'Ready', schema: HealthSchema }, 503: { description: 'Not ready', schema: HealthSchema } },
      async handle() {
        const isReady = await ready().catch(() => false);
        return json(isReady ? 200 : 503, { status: isReady ? 'ready' : 'not ready' });
      },
    }),
    route({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      access: 'public',
      responses: { 200: { description: 'Text exposition format', contentType: 'text/plain' } },
      async handle({ raw }) {
        raw.setHeader('content-type', metrics.registry.contentType);
        raw.end(await metrics.registry.metrics());
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/openapi.json',
      summary: 'This document',
      access: 'public',
      responses: { 200: { description: 'OpenAPI 3.0', contentType: 'application/json' } },
      handle() {
        return Promise.resolve(json(200, openApi()));
      },
    }),
  ];
}
