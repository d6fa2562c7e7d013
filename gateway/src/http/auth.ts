import { readFile } from 'node:fs/promises';
import { LRUCache } from 'lru-cache';
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet } from 'jose';
import { z } from 'zod';
import { AGENCIES, ALL_UNIT_KINDS, ROLES, unitOrAgencyWide, type Actor } from 'correction-chaincode/domain';
import { ApiError } from '../errors.js';
import { directoryKeyOf, principalOf } from './directory.js';

/**
 * The caller, as its agency's token and directory say: agency, unit, kind of unit, role and staff
 * id. The gateway asserts it to the contract with every transaction.
 */
export type Principal = Actor;

export interface TokenVerifier {
  verify(authorization: string | undefined): Promise<Principal>;
  /** The principal of a token this verifier has already accepted and that is still valid, without checking it again. */
  known(authorization: string | undefined): Principal | undefined;
}

const CLAIMS = z.object({
  agency: z.enum(AGENCIES),
  role: z.enum(ROLES),
  sub: z.string().min(1).max(200),
  /** The unit the user acts for: the key's own or one below it; the key's when absent. */
  unit: unitOrAgencyWide.optional(),
  unitKind: z.enum(ALL_UNIT_KINDS).optional(),
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
  /**
   * The agencies' directory: a JWKS file path or http(s) URL. Each key carries its agency, unit,
   * kind and roles (a key without them is agency-wide, its kid naming its agency).
   */
  readonly jwks: string;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
  /** Longest accepted span between iat and exp. */
  readonly maxLifetimeSeconds?: number;
  /** Seconds since the epoch (tests move it). */
  readonly now?: () => number;
}

/**
 * Verifies ES256 bearer tokens against the agencies' directory. A token is accepted only if it was
 * signed by a key of the agency it claims, for a role and a unit that key was issued for: a court
 * key cannot mint a police token, nor a Chaoyang key a Haidian one.
 */
export async function createTokenVerifier(trust: TokenTrust): Promise<TokenVerifier> {
  const keys = /^https?:\/\//.test(trust.jwks)
    ? createRemoteJWKSet(new URL(trust.jwks))
    : createLocalJWKSet(JSON.parse(await readFile(trust.jwks, 'utf8')) as JSONWebKeySet);
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
      const { exp, ...principal } = await verifyToken(token);
      const seconds = Math.min(rememberAtMost, exp - now());
      if (seconds > 0) verified.set(token, principal, { ttl: seconds * 1000 });
      return principal;
    },
  };

  async function verifyToken(token: string): Promise<Principal & { exp: number }> {
    try {
      const { payload, protectedHeader } = await jwtVerify(token, keys, options);
      const claims = CLAIMS.safeParse(payload);
      if (!claims.success) throw new ApiError('UNAUTHENTICATED', 'token lacks agency, role, sub, iat or exp claims, or names a malformed unit');
      const lifetimeProblem = lifetimeProblemOf(claims.data, maxLifetime, now());
      if (lifetimeProblem) throw new ApiError('UNAUTHENTICATED', lifetimeProblem);
      return { ...principalFromDirectory(keys.jwks(), protectedHeader.kid, claims.data), exp: claims.data.exp };
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const reason = error instanceof joseErrors.JOSEError ? error.code : 'ERR_INVALID_TOKEN';
      throw new ApiError('UNAUTHENTICATED', `token refused (${reason})`);
    }
  }
}

/**
 * Who a verified token stands for, as the directory entry of the key that verified it says (the
 * key its kid names); refused when the token claims more than that key was issued for.
 */
function principalFromDirectory(directory: JSONWebKeySet | undefined, kid: string | undefined, claims: z.infer<typeof CLAIMS>): Principal {
  const jwk = (directory?.keys ?? []).find((k) => k.kid === kid);
  const key = jwk ? directoryKeyOf(jwk) : "the key is in no agency's directory";
  const principal = typeof key === 'string' ? key : principalOf(claims, key);
  if (typeof principal === 'string') throw new ApiError('UNAUTHENTICATED', `token refused: ${principal}`);
  return principal;
}

/** A token issued ahead of our clock, or meant to live longer than the operator allows, is refused. */
function lifetimeProblemOf(claims: { iat: number; exp: number }, maxLifetime: number, now: number): string | undefined {
  if (claims.iat > now + MAX_IAT_SKEW_SECONDS) return 'token refused (issued in the future)';
  if (claims.exp - claims.iat > maxLifetime) return `token refused (lives longer than ${maxLifetime} s)`;
  return undefined;
}
