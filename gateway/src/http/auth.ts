import { readFile } from 'node:fs/promises';
import { LRUCache } from 'lru-cache';
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
  /** The principal of a token this verifier has already accepted and that is still valid, without checking it again. */
  known(authorization: string | undefined): Principal | undefined;
}

const CLAIMS = z.object({
  agency: z.enum(AGENCIES),
  role: z.enum(ROLES),
  sub: z.string().min(1).max(200),
  iat: z.number(),
  exp: z.number(),
});

/** How far a token's issue time may lie ahead of this gateway's clock (clock skew between hosts). */
const MAX_IAT_SKEW_SECONDS = 60;
/** Verified tokens remembered (each until it expires), so that a client's next request skips the signature check. */
const VERIFIED_TOKENS = 10_000;
/** jose's default cache age of a remote key set. */
const REMOTE_KEYS_MAX_AGE_SECONDS = 600;
/** The longest a token may live, from iat to exp, unless the operator says otherwise. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 12 * 3600;

export interface TokenTrust {
  /** JWKS file path or http(s) URL with each agency's public key; each key's kid names its agency. */
  readonly jwks: string;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
  /** Longest accepted span between iat and exp. */
  readonly maxLifetimeSeconds?: number;
  /** Seconds since the epoch (tests move it). */
  readonly now?: () => number;
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
    requiredClaims: ['exp', 'iat', 'sub'],
    ...(trust.issuer ? { issuer: trust.issuer } : {}),
    ...(trust.audience ? { audience: trust.audience } : {}),
  };
  const maxLifetime = trust.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  const now = trust.now ?? (() => Date.now() / 1000);
  // A remote key set is fetched again after jose's cache age: a token verified against it is
  // remembered no longer, so a key withdrawn from the directory stops working within that time.
  const rememberAtMost = /^https?:\/\//.test(trust.jwks) ? REMOTE_KEYS_MAX_AGE_SECONDS : maxLifetime;
  const verified = new LRUCache<string, Principal>({ max: VERIFIED_TOKENS, ttl: rememberAtMost * 1000, ttlAutopurge: false });
  const tokenOf = (authorization: string | undefined): string | undefined => /^Bearer ([A-Za-z0-9._-]{1,8192})$/.exec(authorization ?? '')?.[1];
  return {
    known(authorization) {
      const token = tokenOf(authorization);
      return token === undefined ? undefined : verified.get(token);
    },
    async verify(authorization) {
      const token = tokenOf(authorization);
      if (!token) throw new ApiError('UNAUTHENTICATED', 'missing bearer token');
      const remembered = verified.get(token);
      if (remembered) return remembered;
      const principal = await verifyToken(token);
      const seconds = Math.min(rememberAtMost, principal.exp - now());
      if (seconds > 0) verified.set(token, principal, { ttl: seconds * 1000 });
      return principal;
    },
  };

  async function verifyToken(token: string): Promise<Principal & { exp: number }> {
    try {
      const { payload, protectedHeader } = await jwtVerify(token, keys, options);
      const claims = CLAIMS.safeParse(payload);
      if (!claims.success) throw new ApiError('UNAUTHENTICATED', 'token lacks agency, role, sub, iat or exp claims');
      const lifetimeProblem = lifetimeProblemOf(claims.data, maxLifetime, now());
      if (lifetimeProblem) throw new ApiError('UNAUTHENTICATED', lifetimeProblem);
      if (protectedHeader.kid !== claims.data.agency) {
        throw new ApiError('UNAUTHENTICATED', 'token is not signed by the key of the agency it names');
      }
      return { agency: claims.data.agency, role: claims.data.role, sub: claims.data.sub, exp: claims.data.exp };
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const reason = error instanceof joseErrors.JOSEError ? error.code : 'ERR_INVALID_TOKEN';
      throw new ApiError('UNAUTHENTICATED', `token refused (${reason})`);
    }
  }
}

/** A token issued ahead of our clock, or meant to live longer than the operator allows, is refused. */
function lifetimeProblemOf(claims: { iat: number; exp: number }, maxLifetime: number, now: number): string | undefined {
  if (claims.iat > now + MAX_IAT_SKEW_SECONDS) return 'token refused (issued in the future)';
  if (claims.exp - claims.iat > maxLifetime) return `token refused (lives longer than ${maxLifetime} s)`;
  return undefined;
}
