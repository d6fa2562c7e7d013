import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import { AGENCIES, type Agency } from 'correction-chaincode/domain';

const exec = promisify(execFile);

/** Runs one of the project's scripts with bash; rejects with its output when it fails. */
export async function runScript(script: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec('bash', [join('scripts', script), ...args], { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    throw new Error(`${script} ${args.join(' ')} exited ${String(e.code)}:\n${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: error });
  }
}

/** Each agency's kit settings: its host name, and its block of ports from `base` (100 each). */
export interface KitPlan {
  readonly agency: Agency;
  readonly host: string;
  readonly address: string;
  readonly portBlock: number;
  readonly dir: string;
  /** The units its gateway may act for (node-init --units), when bounded. */
  readonly units?: string;
}

export function planKits(root: string, base: number, units: Partial<Record<Agency, string>> = {}): KitPlan[] {
  return AGENCIES.map((agency, i) => ({
    ...(units[agency] === undefined ? {} : { units: units[agency] }),
    agency,
    host: `${agency.toLowerCase()}.consortium.test`,
    address: '127.0.0.1',
    portBlock: base + 100 * i,
    dir: join(root, agency),
  }));
}

export const initArgs = (kit: KitPlan): string[] => [
  ...['--agency', kit.agency, '--host', kit.host, '--address', kit.address, '--dir', kit.dir, '--ports', String(kit.portBlock)],
  ...(kit.units === undefined ? [] : ['--units', kit.units]),
];

/** Every file under a folder, with its mode, and every folder. */
export async function walk(dir: string): Promise<{ files: Array<{ path: string; mode: number }>; dirs: Array<{ path: string; mode: number }> }> {
  const files: Array<{ path: string; mode: number }> = [];
  const dirs = [{ path: dir, mode: (await stat(dir)).mode & 0o777 }];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    const mode = (await stat(path)).mode & 0o777;
    (entry.isDirectory() ? dirs : files).push({ path, mode });
  }
  return { files, dirs };
}

/** Files named as private keys are: Fabric's keystore `*_sk`, `*.key`, `key.pem`. */
export const isKeyFileName = (path: string): boolean => /(_sk|\.key|(^|\/)key\.pem)$/.test(path);

/**
 * The private keys of a folder, by the SPKI of their public halves: every file that parses as a
 * private key counts, whatever its name.
 */
export async function privateKeysIn(dir: string): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (const { path } of (await walk(dir)).files) {
    const text = await readFile(path);
    if (!text.includes('PRIVATE KEY')) continue;
    const spki = createPublicKey(createPrivateKey(text)).export({ format: 'der', type: 'spki' }).toString('base64');
    keys.set(spki, path);
  }
  return keys;
}

/** How many other peers an agency's peer sees on the channel (its operations metrics). */
export async function gossipPeersKnown(kit: KitPlan): Promise<number> {
  const response = await fetch(`http://${kit.address}:${String(kit.portBlock + 3)}/metrics`).catch(() => undefined);
  if (!response?.ok) return 0;
  const line = (await response.text()).split('\n').find((l) => l.startsWith('gossip_membership_total_peers_known{channel="corrections"}'));
  return Number(line?.split(' ')[1] ?? 0);
}

/**
 * A TLS handshake with an agency's chaincode server, checked against the agency's TLS CA, as a
 * client without a certificate: the certificate the server presented (when it did), and how the
 * connection ended (the TLS error code when the server refused it).
 */
export async function probeChaincodeServer(kit: KitPlan): Promise<{ subject?: string; authorized: boolean; refusal?: string }> {
  const ca = await readFile(join(kit.dir, 'tlsca', 'tlsca.crt'));
  return new Promise((resolve) => {
    let subject: string | undefined;
    let authorized = false;
    const socket = connect({ host: kit.address, port: kit.portBlock + 21, ca, servername: kit.host, ALPNProtocols: ['h2'] }, () => {
      const cn: string | string[] | undefined = socket.getPeerCertificate().subject.CN;
      subject = Array.isArray(cn) ? cn.join(',') : cn;
      authorized = socket.authorized;
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      resolve({ ...(subject === undefined ? {} : { subject }), authorized, refusal: error.code ?? error.message });
    });
    socket.on('close', () => {
      resolve({ ...(subject === undefined ? {} : { subject }), authorized });
    });
  });
}
