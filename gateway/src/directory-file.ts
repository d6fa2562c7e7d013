import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import { DIRECTORY_MEMBERS, directoryKeyOf, type DirectoryMembers } from './http/directory.js';

export class DirectoryError extends Error {
  override readonly name = 'DirectoryError';
  readonly code = 'DIRECTORY_INVALID';
}

/** Reads a directory (a JWKS file); a file that does not exist yet is an empty directory. */
async function readDirectory(path: string): Promise<{ keys: JWK[] }> {
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '{"keys":[]}';
    throw error;
  });
  const parsed = JSON.parse(text) as { keys?: unknown };
  if (!Array.isArray(parsed.keys)) throw new DirectoryError(`${path} is not a JWKS (no "keys" array)`);
  return { keys: parsed.keys as JWK[] };
}

/**
 * Registers a user's public key in an agency's directory: the key, with the agency, unit, kind
 * and roles its tokens may claim. Only a public ES256 key is taken; its kid is its RFC 7638
 * thumbprint unless it has one. A key already there under the same kid is replaced. The file is
 * written whole and renamed into place, so a reader never sees half of it. Returns the kid.
 */
export async function addToDirectory(path: string, jwk: JWK, members: DirectoryMembers): Promise<string> {
  if (jwk.d !== undefined) throw new DirectoryError('the JWK holds a private key: register its public half only');
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new DirectoryError('the JWK must be an EC P-256 public key (ES256)');
  await importJWK(jwk, 'ES256').catch((error: unknown) => {
    throw new DirectoryError(`the JWK is not a usable ES256 key: ${error instanceof Error ? error.message : String(error)}`);
  });
  const checked = DIRECTORY_MEMBERS.parse(members);
  const kid = jwk.kid ?? (await calculateJwkThumbprint(jwk));
  const entry = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig', ...checked };
  const why = directoryKeyOf(entry);
  if (typeof why === 'string') throw new DirectoryError(why);
  const directory = await readDirectory(path);
  const keys = [...directory.keys.filter((k) => k.kid !== kid), entry];
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
  return kid;
}
