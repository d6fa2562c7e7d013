import { z } from 'zod';
import { AGENCIES } from 'correction-chaincode/domain';
import { OffChainReceiptSchema, CheckpointListSchema, ConsistencyProofSchema, LeafInclusionProofSchema, LeafRangeSchema, LogStateSchema } from '../responses.js';
import { queryIndex, queryPageLength, querySize } from '../query-integer.js';
import { json, route, type AnyRoute } from '../route.js';
import type { RouteServices } from './deps.js';

const size = querySize();
const index = queryIndex();
/** Most leaves or checkpoints one request lists (queryPageLength's bound). */
export const MAX_PAGE = 1_000;

export const ConsistencyQuery = z.strictObject({ from: size, to: size }).meta({ id: 'ConsistencyQuery' });
const InclusionQuery = z.strictObject({ index, size: size.optional() });
const LeavesQuery = z.strictObject({ start: index, end: index.optional() });
const CheckpointsQuery = z.strictObject({ before: size.optional(), limit: queryPageLength().default(100) });

/** Agency cosignatures one gateway sends another (c2sp.org/tlog-cosignature lines, with the root each signs). */
export const OffChainCosignaturesBody = z
  .strictObject({
    cosignatures: z
      .array(
        z.strictObject({
          treeSize: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
          root: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest'),
          agency: z.enum(AGENCIES),
          signature: z.string().max(400).regex(/^\u2014 [^\s+]{1,100} [A-Za-z0-9+/]+={0,2}$/u, 'must be a signed-note signature line'),
        }),
      )
      .min(1)
      .max(64),
  })
  .meta({ id: 'OffChainCosignatures' });

const notYet = { description: 'NOT_YET_CHECKPOINTED: the log has no final checkpoint yet (Retry-After)', headers: ['Retry-After'] };

/**
 * The Merkle log for monitors: only hashes, roots and signatures, never an entry's contents, so
 * the operator may serve these without a token (MONITOR_API).
 */
export function logRoutes({ proofs, cosignatures }: RouteServices): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/v1/log/cosignatures',
      summary: "Another agency's gateway sends its cosignatures of this log: each verified under the agency's note key in the trust file, kept, and weighed toward finality at once",
      access: 'public',
      body: OffChainCosignaturesBody,
      responses: {
        202: { description: 'Kept (or held until this log reaches their size)', schema: OffChainReceiptSchema },
        409: { description: "A valid cosignature of another root than this log's at that size: a split view (alerted)" },
      },
      async handle({ body }) {
        return json(202, await cosignatures.receive(body.cosignatures));
      },
    }),
    route({
      method: 'get',
      path: '/v1/log',
      summary: "The log's origin, its size and root here now, and its latest final checkpoint",
      access: 'monitor',
      responses: { 200: { description: 'The log state', schema: LogStateSchema } },
      handle() {
        return Promise.resolve(json(200, proofs.logState()));
      },
    }),
    route({
      method: 'get',
      path: '/v1/log/checkpoint',
      summary: 'The latest final checkpoint as a C2SP signed note (c2sp.org/tlog-checkpoint, with cosignature/v1 lines)',
      access: 'monitor',
      responses: { 200: { description: 'The signed note', contentType: 'text/plain; charset=utf-8' }, 409: notYet },
      handle({ raw }) {
        const { note } = proofs.latestCheckpoint();
        raw.setHeader('content-type', 'text/plain; charset=utf-8');
        raw.end(note);
        return Promise.resolve(undefined);
      },
    }),
    route({
      method: 'get',
      path: '/v1/log/checkpoints',
      summary: 'Final checkpoints, largest first (page with before=next)',
      access: 'monitor',
      query: CheckpointsQuery,
      responses: { 200: { description: 'The checkpoints', schema: CheckpointListSchema } },
      async handle({ query }) {
        return json(200, await proofs.checkpoints(query.before, query.limit));
      },
    }),
    route({
      method: 'get',
      path: '/v1/log/leaves',
      summary: `Entry hashes of leaves start to end (exclusive; at most ${MAX_PAGE}), as far as a final checkpoint covers them`,
      access: 'monitor',
      query: LeavesQuery,
      responses: {
        200: { description: 'The leaves', schema: LeafRangeSchema },
        404: { description: 'No final checkpoint covers the first leaf yet' },
      },
      handle({ query }) {
        return Promise.resolve(json(200, proofs.leaves(query.start, Math.min(query.end ?? query.start + MAX_PAGE, query.start + MAX_PAGE))));
      },
    }),
    route({
      method: 'get',
      path: '/v1/log/inclusion',
      summary: 'RFC 9162 inclusion proof of a leaf in the final checkpoint of a size (the latest when size is absent)',
      access: 'monitor',
      query: InclusionQuery,
      responses: {
        200: { description: 'The proof', schema: LeafInclusionProofSchema },
        404: { description: 'No final checkpoint of that size, or the leaf lies beyond it' },
      },
      async handle({ query }) {
        return json(200, await proofs.inclusionAt(query.index, query.size));
      },
    }),
    route({
      method: 'get',
      path: '/v1/log/consistency',
      summary: 'RFC 9162 consistency proof between the final checkpoints of two sizes',
      access: 'monitor',
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
