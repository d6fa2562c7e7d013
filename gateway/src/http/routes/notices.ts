import { z } from 'zod';
import { streamNotices } from '../../services/notice-stream.js';
import { ObligationListSchema } from '../responses.js';
import { json, route, type AnyRoute } from '../route.js';
import { ObligationsQuery } from '../schemas.js';
import type { RouteServices } from './deps.js';

const noticeId = z.string().regex(/^\d{1,15}$/, 'must be a notice id');
const StreamHeaders = z.strictObject({ 'last-event-id': noticeId.optional().meta({ description: 'Resume after this notice' }) });
const StreamQuery = z.strictObject({ lastEventId: noticeId.optional() });

/** Notices as a stream, and obligations across subjects (webhooks push the same notices: webhooks.ts). */
export function noticeRoutes({ notices, obligations }: RouteServices): AnyRoute[] {
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
  ];
}
