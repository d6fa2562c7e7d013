import { TokenClaimsSchema } from '../responses.js';
import { json, route, type AnyRoute } from '../route.js';

/** What a token this gateway accepts must carry besides who: its issuer, audience and longest life. */
export interface TokenClaims {
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
  readonly maxLifetimeSeconds: number;
}

/**
 * The token claims the gateway checks, published: key login signs tokens in the browser, and a
 * gateway with TOKEN_ISSUER or TOKEN_AUDIENCE refuses a token without them. Configuration, not
 * data: answered without a token.
 */
export function tokenClaimRoutes(claims: TokenClaims): AnyRoute[] {
  const published = {
    ...(claims.issuer === undefined ? {} : { issuer: claims.issuer }),
    ...(claims.audience === undefined ? {} : { audience: claims.audience }),
    maxLifetimeSeconds: claims.maxLifetimeSeconds,
  };
  return [
    route({
      method: 'get',
      path: '/v1/token-claims',
      summary: 'What a token must claim here besides who (iss, aud, its longest life), for a console that signs tokens with a user\'s own key',
      access: 'public',
      responses: { 200: { description: 'The claims checked', schema: TokenClaimsSchema } },
      handle() {
        return Promise.resolve(json(200, published));
      },
    }),
  ];
}
