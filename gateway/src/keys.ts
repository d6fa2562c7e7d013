import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { AGENCIES, AGENCY_WIDE, CHECKPOINT_QUORUM, ROLES, type Agency, type Role, type UnitKind } from 'correction-chaincode/domain';
import { generateNoteKey } from './note-keys.js';

export { ROLES, type Role } from 'correction-chaincode/domain';

/** Where dev mode keeps its keys under DATA_DIR. */
export const devKeyPaths = (dataDir: string) => {
  const dir = join(dataDir, 'keys');
  return {
    dir,
    agencyKey: (agency: Agency) => join(dir, 'agencies', `${agency}.private.jwk`),
    jwks: join(dir, 'agencies.jwks.json'),
    /** Each agency gateway's own key: it signs receipts and webhook notices. */
    gatewayKey: (agency: Agency) => join(dir, 'gateways', `${agency}.private.jwk`),
    /** Each agency's Ed25519 note key: it cosigns checkpoints (C2SP cosignature/v1). */
    noteKey: (agency: Agency) => join(dir, 'notes', `${agency}.key`),
    /** The consortium trust file: the log's origin, every agency's public keys and the checkpoint policy. */
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
      // Each dev key is its agency's agency-wide issuer: its tokens may name any unit and role.
      keys.push({ ...publicJwk, ...({ agency, unit: AGENCY_WIDE, roles: [...ROLES] } as Record<string, unknown>) });
    }
    await writePrivate(paths.jwks, JSON.stringify({ keys }, null, 2));
    created = true;
  }
  if (!(await isCurrentTrustFile(paths.trust))) {
    await writeDevConsortium(paths);
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

/** A trust file of the current version; an older dev one is made anew with its keys. */
async function isCurrentTrustFile(path: string): Promise<boolean> {
  try {
    return (JSON.parse(await readFile(path, 'utf8')) as { version?: unknown }).version === 2;
  } catch {
    return false;
  }
}

/**
 * A development consortium: a gateway key and a note key per agency, and the trust file naming
 * them, with an origin of its own (two dev ledgers are two logs) and no witnesses.
 */
async function writeDevConsortium(paths: ReturnType<typeof devKeyPaths>): Promise<void> {
  await mkdir(join(paths.dir, 'notes'), { recursive: true, mode: 0o700 });
  const origin = `correction-ledger.invalid/dev-${randomBytes(4).toString('hex')}/corrections`;
  const agencies: Record<string, { gatewayKeys: JWK[]; noteKeys: string[] }> = {};
  for (const agency of AGENCIES) {
    const { privateJwk, publicJwk } = await newEs256Jwk(`gateway-${agency}`);
    await writePrivate(paths.gatewayKey(agency), JSON.stringify(privateJwk, null, 2));
    const note = generateNoteKey(`${origin}/${agency.toLowerCase()}`);
    await writePrivate(paths.noteKey(agency), `${note.skey}\n`);
    const { kty, crv, x, y, kid, alg, use } = publicJwk;
    agencies[agency] = { gatewayKeys: [{ kty, crv, x, y, kid, alg, use }], noteKeys: [note.vkey] };
  }
  const trust = { version: 2, consortium: 'correction-ledger (dev)', origin, agencies, witnesses: [], policy: { agencies: CHECKPOINT_QUORUM, witnesses: 0 } };
  await writePrivate(paths.trust, JSON.stringify(trust, null, 2));
}

export async function readJwk(path: string): Promise<JWK> {
  return JSON.parse(await readFile(path, 'utf8')) as JWK;
}

export interface TokenRequest {
  readonly agency: Agency;
  readonly role: Role;
  readonly sub: string;
  /** The unit the user acts for; the key's unit when absent. */
  readonly unit?: string | undefined;
  /** The unit's kind, where the key lets the token name it (an agency-wide key). */
  readonly unitKind?: UnitKind | undefined;
  /** Lifetime, e.g. '8h'. */
  readonly expiresIn?: string;
  readonly issuer?: string;
  readonly audience?: string;
}

/** Signs a bearer token with an agency's private key (its kid names the agency). */
export async function mintToken(privateJwk: JWK, request: TokenRequest): Promise<string> {
  const key = await importJWK(privateJwk, 'ES256');
  const unit = request.unit === undefined ? {} : { unit: request.unit };
  const unitKind = request.unitKind === undefined ? {} : { unitKind: request.unitKind };
  let jwt = new SignJWT({ agency: request.agency, role: request.role, ...unit, ...unitKind })
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
