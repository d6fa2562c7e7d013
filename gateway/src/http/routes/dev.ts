import { z } from 'zod';
import { AGENCIES, ALL_UNIT_KINDS, isUnitKindOf, ROLES, unitOrAgencyWide } from 'correction-chaincode/domain';
import { DevTokenSchema } from '../responses.js';
import { json, route, type AnyRoute } from '../route.js';

export const DevTokenBody = z
  .strictObject({
    agency: z.enum(AGENCIES),
    role: z.enum(ROLES),
    sub: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be 1-64 letters, digits or . _ @ -'),
    unit: unitOrAgencyWide.optional(),
    unitKind: z.enum(ALL_UNIT_KINDS).optional(),
  })
  .refine((body) => body.unitKind === undefined || isUnitKindOf(body.agency, body.unitKind), { error: 'is not a kind of unit of the agency', path: ['unitKind'] })
  .meta({ id: 'DevTokenBody' });
export type DevTokenRequest = z.infer<typeof DevTokenBody>;

/** Mints a dev token with an agency's dev key; only a dev-mode gateway has one. */
export type DevTokenMinter = (request: DevTokenRequest) => Promise<{ token: string; expiresAt: string }>;

/**
 * Dev mode only: a token for any agency, unit and role, as `correction-ledger token` prints, so
 * that the console's dev login needs no terminal. A gateway outside dev mode has no such route.
 */
export function devRoutes(mint: DevTokenMinter): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/v1/dev/tokens',
      summary: 'Dev mode only: a short-lived bearer token for an agency, unit and role, signed with the dev agency key',
      access: 'public',
      body: DevTokenBody,
      responses: {
        201: { description: 'The token', schema: DevTokenSchema },
      },
      async handle({ body }) {
        return json(201, await mint(body));
      },
    }),
  ];
}
