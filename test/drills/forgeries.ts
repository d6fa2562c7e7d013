import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

/** What a forger has to work with: the real keys' public halves, a key of its own, and genuine tokens it may tamper with. */
export interface ForgerKit {
  /** The court's private key (a forger who stole a key of ANOTHER agency still cannot speak for this one). */
  readonly court: JWK;
  readonly police: JWK;
  /** The court's public key, as the JWKS publishes it. */
  readonly courtPublic: JWK;
  /** A genuine token of a court auditor, and another of a court clerk, to tamper with. */
  readonly auditorToken: string;
  readonly clerkToken: string;
}

/** A forged credential: the Authorization header it sends (undefined: none), or a token in the query string. */
export interface Forgery {
  readonly name: string;
  readonly authorization?: string | undefined;
  readonly query?: string;
}

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** ES256 over any header and payload, as a forger holding the key would write it (no library to stop it). */
function es256(key: KeyObject, header: Record<string, unknown>, payload: unknown): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

function hs256(secret: string, header: Record<string, unknown>, payload: unknown): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Changes one character of the token's signature, keeping it valid base64url. */
function flipSignature(token: string): string {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -2)}${last}${token.slice(-1)}`;
}

/** Keeps a genuine auditor token's header and signature, and makes its payload say clerk. */
function promoted(token: string): string {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${header}.${b64({ ...claims, role: 'clerk' })}.${signature}`;
}

const importKey = (jwk: JWK): KeyObject => createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });

/** Claims a court clerk's token carries, issued now for an hour. */
function courtClaims(now: number): Record<string, unknown> {
  return { agency: 'COURT', role: 'clerk', sub: 'forger', iat: now, exp: now + 3600 };
}

function without(claims: Record<string, unknown>, name: string): Record<string, unknown> {
  const { [name]: _dropped, ...rest } = claims;
  return rest;
}

/** Tokens signed with the court's own key that still must be refused: bad claims, bad times, bad headers. */
function badClaims(court: KeyObject, now: number): Forgery[] {
  const header = { alg: 'ES256', kid: 'COURT', typ: 'JWT' };
  const claims = courtClaims(now);
  const signed = (payload: unknown, h: Record<string, unknown> = header) => `Bearer ${es256(court, h, payload)}`;
  return [
    { name: 'claims of another agency (court key, agency POLICE)', authorization: signed({ ...claims, agency: 'POLICE' }) },
    { name: 'wrong kid (NOBODY)', authorization: signed(claims, { ...header, kid: 'NOBODY' }) },
    { name: 'kid of another agency (court key, kid POLICE)', authorization: signed(claims, { ...header, kid: 'POLICE' }) },
    { name: 'expired an hour ago', authorization: signed({ ...claims, iat: now - 7200, exp: now - 3600 }) },
    { name: 'nbf an hour ahead', authorization: signed({ ...claims, nbf: now + 3600 }) },
    { name: 'iat a day ahead', authorization: signed({ ...claims, iat: now + 86_400, exp: now + 90_000 }) },
    { name: 'a 100-year lifetime', authorization: signed({ ...claims, exp: now + 100 * 365 * 86_400 }) },
    { name: 'missing iat', authorization: signed(without(claims, 'iat')) },
    { name: 'missing exp', authorization: signed(without(claims, 'exp')) },
    { name: 'missing sub', authorization: signed(without(claims, 'sub')) },
    { name: 'missing role', authorization: signed(without(claims, 'role')) },
    { name: 'missing agency', authorization: signed(without(claims, 'agency')) },
    { name: 'role admin', authorization: signed({ ...claims, role: 'admin' }) },
    { name: 'agency ARMY', authorization: signed({ ...claims, agency: 'ARMY' }) },
    { name: 'sub of 300 characters', authorization: signed({ ...claims, sub: 's'.repeat(300) }) },
    { name: 'exp as a string', authorization: signed({ ...claims, exp: String(now + 3600) }) },
    { name: 'payload not JSON', authorization: signed('{"agency":"COURT",') },
    { name: 'crit header naming an unknown extension', authorization: signed(claims, { ...header, crit: ['x-drill'], 'x-drill': true }) },
    { name: 'alg RS256 over an ES256 signature', authorization: signed(claims, { ...header, alg: 'RS256' }) },
  ];
}

/** Tokens a forger signs without the court's key, or with no signature at all. */
function badSignatures(kit: ForgerKit, now: number): Forgery[] {
  const claims = courtClaims(now);
  const police = importKey(kit.police);
  const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const pem = createPublicKey({ key: kit.courtPublic as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  return [
    { name: 'alg none', authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.` },
    { name: 'alg NONE with kid COURT', authorization: `Bearer ${b64({ alg: 'NONE', kid: 'COURT' })}.${b64(claims)}.` },
    { name: 'HS256 keyed with the court public key (PEM)', authorization: `Bearer ${hs256(pem, { alg: 'HS256', kid: 'COURT', typ: 'JWT' }, claims)}` },
    { name: 'HS256 keyed with the court public JWK', authorization: `Bearer ${hs256(JSON.stringify(kit.courtPublic), { alg: 'HS256', kid: 'COURT' }, claims)}` },
    { name: 'police key, kid COURT', authorization: `Bearer ${es256(police, { alg: 'ES256', kid: 'COURT' }, claims)}` },
    { name: 'police key and kid, claims COURT', authorization: `Bearer ${es256(police, { alg: 'ES256', kid: 'POLICE' }, claims)}` },
    { name: 'a key of its own, kid COURT', authorization: `Bearer ${es256(stranger, { alg: 'ES256', kid: 'COURT' }, claims)}` },
    { name: 'tampered payload (auditor made clerk)', authorization: `Bearer ${promoted(kit.auditorToken)}` },
    { name: 'tampered signature', authorization: `Bearer ${flipSignature(kit.clerkToken)}` },
    { name: 'truncated', authorization: `Bearer ${kit.clerkToken.slice(0, -10)}` },
  ];
}

/** Headers that are not one bearer token, whatever they carry. */
function badHeaders(kit: ForgerKit): Forgery[] {
  const token = kit.clerkToken;
  return [
    { name: 'no Authorization header', authorization: undefined },
    { name: 'empty bearer', authorization: 'Bearer ' },
    { name: 'garbage base64', authorization: 'Bearer !!!.@@@.###' },
    { name: 'JWE-shaped (5 parts)', authorization: `Bearer ${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d` },
    { name: 'two tokens', authorization: `Bearer ${token}, Bearer ${token}` },
    { name: 'lower-case "bearer"', authorization: `bearer ${token}` },
    { name: 'two spaces after Bearer', authorization: `Bearer  ${token}` },
    { name: 'a tab after Bearer', authorization: `Bearer\t${token}` },
    { name: 'a huge token (12 KB)', authorization: `Bearer ${'a'.repeat(6_000)}.${'b'.repeat(6_000)}.c` },
    { name: 'Basic credentials', authorization: `Basic ${Buffer.from('court:password').toString('base64')}` },
    { name: 'the token in the query string', query: `access_token=${token}` },
  ];
}

/** At least 24 ways to try the gateway's door without a key that fits; every one must get 401 (or 429). */
export function forgeries(kit: ForgerKit): Forgery[] {
  const now = Math.floor(Date.now() / 1000);
  return [...badClaims(importKey(kit.court), now), ...badSignatures(kit, now), ...badHeaders(kit)];
}
