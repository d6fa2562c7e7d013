import { z } from 'zod';
import { ConsistencyProofSchema, LogStateSchema } from '../responses.js';
import { json, route, type AnyRoute } from '../route.js';
import type { RouteServices } from './deps.js';

/** Sizes of the log; far beyond any ledger, still exact as JSON numbers. */
const size = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
export const ConsistencyQuery = z.strictObject({ from: size, to: size }).meta({ id: 'ConsistencyQuery' });

/** The Merkle log as this gateway holds it. */
export function logRoutes({ proofs }: RouteServices): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/v1/log',
      summary: "The Merkle log's size, root and latest final checkpoint",
      access: 'agency',
      responses: { 200: { description: 'The log state', schema: LogStateSchema } },
      async handle() {
        return json(200, await proofs.logState());
      },
    }),
    route({
      method: 'get',
      path: '/v1/log/consistency',
      summary: 'RFC 9162 consistency proof between two final checkpoints',
      access: 'agency',
      query: ConsistencyQuery,
      responses: {
        200: { description: 'The proof', schema: ConsistencyProofSchema },
        404: { description: 'No final checkpoint of one of the sizes, or from is larger than to (no proof exists)' },
      },
      async handle({ query }) {
        return json(200, await proofs.consistency(query.from, query.to));
      },
    }),
  ];
}
