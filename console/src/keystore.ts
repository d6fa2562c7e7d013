import { del, get, set } from 'idb-keyval';
import { calculateJwkThumbprint, exportJWK, importJWK, SignJWT, type JWK } from 'jose';

/** The user's key as this browser keeps it: the private half cannot be exported. */
export interface UserKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  /** RFC 7638 thumbprint: the kid `correction-ledger directory add` gives the key. */
  readonly kid: string;
}

const STORE_KEY = 'correction-ledger/user-key';
/** Tokens the console signs live this long. */
export const TOKEN_SECONDS = 15 * 60;

async function publicHalf(publicKey: CryptoKey): Promise<{ publicJwk: JWK; kid: string }> {
  const { kty, crv, x, y } = await exportJWK(publicKey);
  const bare = { kty, crv, x, y };
  const kid = await calculateJwkThumbprint(bare);
  return { publicJwk: { ...bare, kid, alg: 'ES256', use: 'sig' }, kid };
}

export async function loadKey(): Promise<UserKey | undefined> {
  return get<UserKey>(STORE_KEY);
}

/** A new ES256 key pair, its private half not extractable, kept in IndexedDB. */
export async function generateKey(): Promise<UserKey> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const key = { privateKey: pair.privateKey, ...(await publicHalf(pair.publicKey)) };
  await set(STORE_KEY, key);
  return key;
}

/** Imports a private JWK (ES256) once: from then on the browser keeps it, not extractable. */
export async function importKey(text: string): Promise<UserKey> {
  const jwk = JSON.parse(text) as JWK;
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') throw new Error('not an EC P-256 private JWK');
  const privateKey = (await importJWK({ ...jwk, alg: 'ES256' }, 'ES256', { extractable: false })) as CryptoKey;
  const { d: _private, ...publicOnly } = jwk;
  const publicKey = (await importJWK({ ...publicOnly, alg: 'ES256' }, 'ES256', { extractable: true })) as CryptoKey;
  const key = { privateKey, ...(await publicHalf(publicKey)) };
  await set(STORE_KEY, key);
  return key;
}

export async function deleteKey(): Promise<void> {
  await del(STORE_KEY);
}

export interface Claims {
  readonly agency: string;
  readonly role: string;
  readonly sub: string;
  readonly unit?: string | undefined;
}

/** What the gateway checks of a token besides who (GET /v1/token-claims): issuer, audience, longest life. */
export interface GatewayClaims {
  readonly issuer?: string;
  readonly audience?: string;
  readonly maxLifetimeSeconds: number;
}

/**
 * A short-lived bearer token signed in the browser with the user's key, for the issuer and
 * audience the gateway expects (if it expects any), living no longer than it allows.
 */
export async function signToken(key: UserKey, claims: Claims, gateway: GatewayClaims): Promise<{ token: string; expiresAt: string }> {
  const now = Math.floor(Date.now() / 1000);
  const seconds = Math.min(TOKEN_SECONDS, gateway.maxLifetimeSeconds);
  const { sub, unit, ...rest } = claims;
  const jwt = new SignJWT({ ...rest, ...(unit ? { unit } : {}) })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + seconds);
  if (gateway.issuer !== undefined) jwt.setIssuer(gateway.issuer);
  if (gateway.audience !== undefined) jwt.setAudience(gateway.audience);
  return { token: await jwt.sign(key.privateKey), expiresAt: new Date((now + seconds) * 1000).toISOString() };
}
