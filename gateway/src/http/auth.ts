import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { AGENCIES, type Agency } from 'correction-chaincode/domain';
import { ApiError } from '../errors.js';
import { ROLES, type Role } from '../keys.js';

/** The caller, as its agency's token says. */
export interface Principal {
  readonly agency: Agency;
  readonly role: Role;
  readonly sub: string;
}

export interface TokenVerifier {
  verify(authorization: string | undefined): Promise<Principal>;
}

const CLAIMS = z.object({
  agency: z.enum(AGENCIES),
  role: z.enum(ROLES),
  sub: z.string().min(1).max(200),
  exp: z.number(),
});

export interface TokenTrust {
  /** JWKS file path or http(s) URL with each agency's public key; each key's kid names its agency. */
  readonly jwks: string;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
}

/**
 * Verifies ES256 bearer tokens against the agencies' keys. A token is accepted only if it was
 * signed by the key of the agency it claims: a court key cannot mint a police token.
 */
export async function createTokenVerifier(trust: TokenTrust): Promise<TokenVerifier> {
  const keys: JWTVerifyGetKey = /^https?:\/\//.test(trust.jwks)
    ? createRemoteJWKSet(new URL(trust.jwks))
    : createLocalJWKSet(JSON.parse(await readFile(trust.jwks, 'utf8')) as Parameters<typeof createLocalJWKSet>[0]);
  const options = {
    algorithms: ['ES256'],
    requiredClaims: ['exp', 'sub'],
    ...(trust.issuer ? { issuer: trust.issuer } : {}),
    ...(trust.audience ? { audience: trust.audience } : {}),
  };
  return {
    async verify(authorization) {
      const match = /^Bearer ([A-Za-z0-9._-]+)$/.exec(authorization ?? '');
      if (!match?.[1]) throw new ApiError('UNAUTHENTICATED', 'missing bearer token');
      try {
        const { payload, protectedHeader } = await jwtVerify(match[1], keys, options);
        const claims = CLAIMS.safeParse(payload);
        if (!claims.success) throw new ApiError('UNAUTHENTICATED', 'token lacks agency, role, sub or exp claims');
        if (protectedHeader.kid !== claims.data.agency) {
          throw new ApiError('UNAUTHENTICATED', 'token is not signed by the key of the agency it names');
        }
        return { agency: claims.data.agency, role: claims.data.role, sub: claims.data.sub };
      } catch (error) {
        if (error instanceof ApiError) throw error;
        const reason = error instanceof joseErrors.JOSEError ? error.code : 'ERR_INVALID_TOKEN';
        throw new ApiError('UNAUTHENTICATED', `token refused (${reason})`);
      }
    },
  };
}
