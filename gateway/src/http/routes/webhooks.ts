import { z } from 'zod';
import { ApiError } from '../../errors.js';
import type { Principal } from '../auth.js';
import { DeliveryListSchema, WebhookListSchema, WebhookSchema } from '../responses.js';
import { json, route, type AnyRoute } from '../route.js';
import { WebhookBody } from '../schemas.js';
import type { RouteServices } from './deps.js';

const WebhookParams = z.strictObject({ id: z.uuid() });

/** A webhook makes the gateway call out on the agency's behalf: only its clerks set one up, resume or remove it. */
function clerk(principal: Principal): Principal {
  if (principal.role !== 'clerk') throw new ApiError('FORBIDDEN', 'only a clerk manages webhooks');
  return principal;
}

const NOT_CLERK = { description: 'Not a clerk (officers and auditors read webhooks, never manage them)' };
const UNKNOWN = { description: 'Unknown webhook, or one of another agency' };

/** Notices pushed to receivers the agency registered, and the log of every attempt. */
export function webhookRoutes({ webhooks }: RouteServices): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/v1/webhooks',
      summary:
        "Register a webhook for the caller's unit (clerks): it gets the notices addressed to the unit and the units below it: notices are POSTed as JWS (application/jose), retried until 2xx or the give-up time. " +
        'The host must be on the allow-list and every address it resolves to public (or allowed by the operator)',
      access: 'agency',
      body: WebhookBody,
      responses: {
        201: { description: 'The webhook', schema: WebhookSchema, headers: ['Location'] },
        403: { description: 'Not a clerk, or a destination the operator does not allow (DESTINATION_REFUSED, naming `url`)' },
        409: { description: 'The agency already has as many webhooks as it may (WEBHOOK_LIMIT_REACHED, with `limit`)' },
      },
      async handle({ principal, body }) {
        const webhook = await webhooks.register(clerk(principal), body.url, body.events);
        return json(201, webhook, { Location: `/v1/webhooks/${webhook.id}` });
      },
    }),
    route({
      method: 'get',
      path: '/v1/webhooks',
      summary: "The caller's agency's webhooks, oldest first, and how many it may have",
      access: 'agency',
      responses: { 200: { description: 'The webhooks', schema: WebhookListSchema } },
      async handle({ principal }) {
        return json(200, { webhooks: await webhooks.list(principal.agency), limit: webhooks.maxPerAgency });
      },
    }),
    route({
      method: 'get',
      path: '/v1/webhooks/{id}',
      summary: "A webhook of the caller's agency: its state and delivery cursor",
      access: 'agency',
      params: WebhookParams,
      responses: { 200: { description: 'The webhook', schema: WebhookSchema }, 404: UNKNOWN },
      async handle({ principal, params }) {
        return json(200, await webhooks.webhook(principal.agency, params.id));
      },
    }),
    route({
      method: 'delete',
      path: '/v1/webhooks/{id}',
      summary: 'Remove a webhook (clerks): an attempt in flight is abandoned and nothing more is sent; its delivery log goes with it',
      access: 'agency',
      params: WebhookParams,
      responses: { 204: { description: 'Removed' }, 403: NOT_CLERK, 404: UNKNOWN },
      async handle({ principal, params }) {
        await webhooks.remove(clerk(principal).agency, params.id);
        return { status: 204 };
      },
    }),
    route({
      method: 'post',
      path: '/v1/webhooks/{id}/resume',
      summary: 'Resume a failing webhook (clerks): deliveries go on from its cursor, with a fresh give-up time; an active webhook is left as it is',
      access: 'agency',
      params: WebhookParams,
      responses: { 200: { description: 'The webhook, active', schema: WebhookSchema }, 403: NOT_CLERK, 404: UNKNOWN },
      async handle({ principal, params }) {
        return json(200, await webhooks.resume(clerk(principal).agency, params.id));
      },
    }),
    route({
      method: 'get',
      path: '/v1/webhooks/{id}/deliveries',
      summary: "A webhook's delivery log: its latest attempts (WEBHOOK_DELIVERY_LOG_SIZE), oldest first",
      access: 'agency',
      params: WebhookParams,
      responses: { 200: { description: 'The attempts, oldest first', schema: DeliveryListSchema }, 404: UNKNOWN },
      async handle({ principal, params }) {
        return json(200, await webhooks.deliveries(principal.agency, params.id));
      },
    }),
  ];
}
