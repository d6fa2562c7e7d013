import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { AGENCIES, CHECKPOINT_QUORUM, type Agency } from 'correction-chaincode/domain';

export const ROLES = ['clerk', 'officer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Where dev mode keeps its keys under DATA_DIR. */
export const devKeyPaths = (dataDir: string) => {
  const dir = join(dataDir, 'keys');
  return {
    dir,
    agencyKey: (agency: Agency) => join(dir, 'agencies', `${agency}.private.jwk`),
    jwks: join(dir, 'agencies.jwks.json'),
    /** Each agency gateway's own key: it signs receipts and checkpoints. */
    gatewayKey: (agency: Agency) => join(dir, 'gateways', `${agency}.private.jwk`),
    /** The consortium trust file: every agency gateway's public key, for offline verifiers. */
    trust: join(dir, 'trust.json'),
    subjectKey: join(dir, 'subject.key'),
    /** The gateway's document key (AES-256, hex): seals documents and records at rest. */
    documentKey: join(dir, 'document.key'),
  };
};

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(
    () => true,
    () => false,
  );
}

/** Every file under DATA_DIR is for the gateway's user alone, public halves included. */
async function writePrivate(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
}

async function newEs256Jwk(kid: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { privateJwk, publicJwk };
}

/**
 * Creates, once, what a development gateway needs: an ES256 signing key per agency (to mint dev
 * tokens) with their public JWKS, a gateway key per agency (receipts, checkpoints) with the
 * consortium trust file of their public halves, a consortium subject key and a document key.
 * Returns true when anything was created.
 */
export async function ensureDevKeys(dataDir: string): Promise<boolean> {
  const paths = devKeyPaths(dataDir);
  await mkdir(join(paths.dir, 'agencies'), { recursive: true, mode: 0o700 });
  await mkdir(join(paths.dir, 'gateways'), { recursive: true, mode: 0o700 });
  let created = false;
  if (!(await exists(paths.jwks))) {
    const keys: JWK[] = [];
    for (const agency of AGENCIES) {
      const { privateJwk, publicJwk } = await newEs256Jwk(agency);
      await writePrivate(paths.agencyKey(agency), JSON.stringify(privateJwk, null, 2));
      keys.push(publicJwk);
    }
    await writePrivate(paths.jwks, JSON.stringify({ keys }, null, 2));
    created = true;
  }
  if (!(await exists(paths.trust))) {
    const agencies: Record<string, { gatewayKeys: JWK[] }> = {};
    for (const agency of AGENCIES) {
      const { privateJwk, publicJwk } = await newEs256Jwk(`gateway-${agency}`);
      await writePrivate(paths.gatewayKey(agency), JSON.stringify(privateJwk, null, 2));
      agencies[agency] = { gatewayKeys: [publicJwk] };
    }
    const trust = { consortium: 'correction-ledger (dev)', agencies, checkpointQuorum: CHECKPOINT_QUORUM };
    await writePrivate(paths.trust, JSON.stringify(trust, null, 2));
    created = true;
  }
  for (const path of [paths.subjectKey, paths.documentKey]) {
    if (!(await exists(path))) {
      await writePrivate(path, randomBytes(32).toString('hex'));
      created = true;
    }
  }
  return created;
}

export async function readJwk(path: string): Promise<JWK> {
  return JSON.parse(await readFile(path, 'utf8')) as JWK;
}

export interface TokenRequest {
  readonly agency: Agency;
  readonly role: Role;
  readonly sub: string;
  /** Lifetime, e.g. '8h'. */
  readonly expiresIn?: string;
  readonly issuer?: string;
  readonly audience?: string;
}

/** Signs a bearer token with an agency's private key (its kid names the agency). */
export async function mintToken(privateJwk: JWK, request: TokenRequest): Promise<string> {
  const key = await importJWK(privateJwk, 'ES256');
  let jwt = new SignJWT({ agency: request.agency, role: request.role })
    .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid ?? request.agency, typ: 'JWT' })
    .setSubject(request.sub)
    .setIssuedAt()
    .setExpirationTime(request.expiresIn ?? '8h');
  if (request.issuer) jwt = jwt.setIssuer(request.issuer);
  if (request.audience) jwt = jwt.setAudience(request.audience);
  return jwt.sign(key);
}

/** Mints a dev token from the keys dev mode created under DATA_DIR. */
export async function mintDevToken(dataDir: string, request: TokenRequest): Promise<string> {
  return mintToken(await readJwk(devKeyPaths(dataDir).agencyKey(request.agency)), request);
}
