import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** A secret key the gateway reads from a file named by an environment variable: hex text. */
export interface KeyFileSpec {
  readonly variable: 'SUBJECT_KEY' | 'DOCUMENT_KEY';
  readonly minBytes: number;
  readonly maxBytes: number;
}

/** The consortium's HMAC key for subject references. */
export const SUBJECT_KEY_FILE: KeyFileSpec = { variable: 'SUBJECT_KEY', minBytes: 32, maxBytes: 256 };
/** This gateway's AES-256 key for documents and records at rest. */
export const DOCUMENT_KEY_FILE: KeyFileSpec = { variable: 'DOCUMENT_KEY', minBytes: 32, maxBytes: 32 };

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
/** Group and others: no bit of theirs may be set on a key file. */
const GROUP_OTHERS = 0o077;

export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
  readonly code = 'KEY_FILE_INVALID';
}

const sizeText = (spec: KeyFileSpec): string =>
  spec.minBytes === spec.maxBytes ? `exactly ${spec.minBytes} bytes` : `${spec.minBytes} to ${spec.maxBytes} bytes`;

/** The key in a key file's text (surrounding whitespace allowed), or why it is not one. Never echoes the text. */
export function parseHexKey(text: string, spec: KeyFileSpec): { key: Uint8Array } | { problem: string } {
  const hex = text.trim();
  const bytes = hex.length / 2;
  if (!HEX.test(hex) || bytes < spec.minBytes || bytes > spec.maxBytes) {
    return { problem: `must hold ${sizeText(spec)} as hex (e.g. openssl rand -hex ${spec.minBytes})` };
  }
  return { key: Buffer.from(hex, 'hex') };
}

/**
 * Everything wrong with a key file, each naming its variable: missing or unreadable, inside
 * DATA_DIR (directly or through a symbolic link: a copy of the data directory must not carry the
 * key that opens it), open to group or others, or not a key. Synchronous, for loadConfig.
 */
export function keyFileProblems(spec: KeyFileSpec, path: string, dataDir: string): string[] {
  const name = spec.variable;
  let real: string;
  try {
    real = realpathSync(path);
  } catch (error) {
    if (HEX.test(path.trim()) && path.trim().length >= 2 * spec.minBytes) {
      return [`${name}: names a key file, and this value looks like a key itself: write it to a file (mode 0600) outside DATA_DIR and give that file's path`];
    }
    return [`${name}: cannot read the key file ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`];
  }
  const problems: string[] = [];
  const place = insideDataDir(resolve(path), real, dataDir);
  if (place) problems.push(`${name}: the key file ${path} lies inside DATA_DIR${place === 'through a link' ? ' (through a symbolic link)' : ''}; keep keys apart from the data they protect`);
  problems.push(...fileProblems(spec, path, real));
  return problems;
}

function fileProblems(spec: KeyFileSpec, path: string, real: string): string[] {
  const name = spec.variable;
  const stat = statSync(real);
  if (!stat.isFile()) return [`${name}: ${path} is not a file`];
  const problems: string[] = [];
  if ((stat.mode & GROUP_OTHERS) !== 0) {
    problems.push(`${name}: the key file ${path} is open to group or others (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}); chmod 600 it`);
  }
  // A key file holds at most a few hundred characters; anything far larger is not one.
  const parsed = stat.size > 4 * spec.maxBytes + 64 ? { problem: `must hold ${sizeText(spec)} as hex` } : parseHexKey(readFileSync(real, 'utf8'), spec);
  if ('problem' in parsed) problems.push(`${name}: the key file ${path} ${parsed.problem}`);
  return problems;
}

/** Whether a key file lies inside DATA_DIR, as named, or once symbolic links on either side are resolved. */
function insideDataDir(named: string, real: string, dataDir: string): 'as named' | 'through a link' | undefined {
  const literal = resolve(dataDir);
  if (isInside(named, literal)) return 'as named';
  const dirs = [literal, realPathOfDir(dataDir)];
  return [named, real].some((path) => dirs.some((dir) => isInside(path, dir))) ? 'through a link' : undefined;
}

/** The real path of a directory that may not exist yet: its nearest existing ancestor resolved. */
function realPathOfDir(dir: string): string {
  const absolute = resolve(dir);
  if (existsSync(absolute)) return realpathSync(absolute);
  const parent = dirname(absolute);
  return parent === absolute ? absolute : join(realPathOfDir(parent), basename(absolute));
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/** Reads a key file that loadConfig has checked. */
export async function readKeyFile(spec: KeyFileSpec, path: string): Promise<Uint8Array> {
  const parsed = parseHexKey(await readFile(path, 'utf8'), spec);
  if ('problem' in parsed) throw new KeyFileError(`${spec.variable}: the key file ${path} ${parsed.problem}`);
  return parsed.key;
}
