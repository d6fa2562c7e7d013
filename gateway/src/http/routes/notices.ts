import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { streamNotices } from '../../services/notice-stream.js';
import { DeliveryListSchema, ObligationListSchema, WebhookSchema } from '../responses.js';
import { json, route, type AnyRoute } from '../route.js';
import { ObligationsQuery, WebhookBody } from '../schemas.js';
import type { Principal } from '../auth.js';
import type { RouteServices } from './deps.js';

const noticeId = z.string().regex(/^\d{1,15}$/, 'must be a notice id');
const StreamHeaders = z.strictObject({ 'last-event-id': noticeId.optional().meta({ description: 'Resume after this notice' }) });
const StreamQuery = z.strictObject({ lastEventId: noticeId.optional() });
const WebhookParams = z.strictObject({ id: z.uuid() });

/** Only those who act for an agency manage its webhooks; an auditor reads and verifies. */
function writer(principal: Principal): Principal {
  if (principal.role === 'auditor') throw new ApiError('FORBIDDEN', 'an auditor reads and verifies, never writes');
  return principal;
}

/** Notices as a stream and as webhooks, and obligations across subjects. */
export function noticeRoutes({ notices, obligations, webhooks }: RouteServices): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/v1/stream',
      summary: "Server-sent events: every new notice addressed to the caller's unit or a unit below it; resume with Last-Event-ID",
      access: 'agency',
      headers: StreamHeaders,
      query: StreamQuery,
      responses: { 200: { description: 'An event stream (text/event-stream)', contentType: 'text/event-stream' } },
      async handle({ principal, headers, query, raw, closed }) {
        const after = Number(headers['last-event-id'] ?? query.lastEventId ?? '0');
        raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        raw.flushHeaders();
        await streamNotices(notices, principal, after, (chunk) => raw.write(chunk), closed);
        raw.end();
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/v1/obligations',
      summary: "Statutory obligations across subjects that fall to the caller's unit or the units below it, by obligated agency and state (open, overdue, met, late, void)",
      access: 'agency',
      query: ObligationsQuery,
      responses: { 200: { description: 'The obligations, by due date', schema: ObligationListSchema } },
      async handle({ principal, query }) {
        return json(200, await obligations.list(principal, query));
      },
    }),
    route({
      method: 'post',
      path: '/v1/webhooks',
      summary: "Register a webhook for the caller's agency: notices are POSTed as JWS (application/jose), retried until 2xx",
      access: 'agency',
      body: WebhookBody,
      responses: { 201: { description: 'The webhook', schema: WebhookSchema, headers: ['Location'] }, 403: { description: 'An auditor' } },
      async handle({ principal, body }) {
        const webhook = await webhooks.register(writer(principal).agency, body.url, body.events);
        return json(201, webhook, { Location: `/v1/webhooks/${webhook.id}` });
      },
    }),
    route({
      method: 'get',
      path: '/v1/webhooks/{id}',
      summary: "A webhook of the caller's agency, with its delivery cursor",
      access: 'agency',
      params: WebhookParams,
      responses: { 200: { description: 'The webhook', schema: WebhookSchema }, 404: { description: 'Unknown webhook' } },
      async handle({ principal, params }) {
        return json(200, await webhooks.webhook(principal.agency, params.id));
      },
    }),
    route({
      method: 'get',
      path: '/v1/webhooks/{id}/deliveries',
      summary: "A webhook's delivery log",
      access: 'agency',
      params: WebhookParams,
      responses: { 200: { description: 'The attempts, oldest first', schema: DeliveryListSchema }, 404: { description: 'Unknown webhook' } },
      async handle({ principal, params }) {
        return json(200, await webhooks.deliveries(principal.agency, params.id));
      },
    }),
  ];
}
