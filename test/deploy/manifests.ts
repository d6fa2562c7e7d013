import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

/** Where the Kubernetes manifests live, from the project root. */
export const DEPLOY_DIR = 'deploy/kubernetes';

/** One YAML document of a manifest file, as plain data. */
export interface Manifest {
  readonly file: string;
  readonly kind: string;
  readonly name: string;
  readonly data: Record<string, unknown>;
}

const Head = z.object({ kind: z.string(), metadata: z.object({ name: z.string() }) });

/** Every *.yaml file under `dir`, kustomization.yaml files included, relative to `dir`. */
export async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.yaml'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** The documents of a YAML file; a syntax error throws. */
export async function readYaml(path: string): Promise<unknown[]> {
  return parseAllDocuments(await readFile(path, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as unknown;
  });
}

/** Every Kubernetes resource under `dir`: each document of each manifest but the kustomizations. */
export async function loadManifests(dir = DEPLOY_DIR): Promise<Manifest[]> {
  const files = (await yamlFiles(dir)).filter((file) => !file.endsWith('kustomization.yaml'));
  const manifests: Manifest[] = [];
  for (const file of files) {
    for (const data of await readYaml(join(dir, file))) {
      const head = Head.parse(data);
      manifests.push({ file, kind: head.kind, name: head.metadata.name, data: data as Record<string, unknown> });
    }
  }
  return manifests;
}

/** scripts/validate-manifests.sh on `dir`: its exit code and everything it printed. */
export function validateManifests(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['scripts/validate-manifests.sh', dir], { env }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, output: stdout + stderr });
    });
  });
}

/** `KEY=value` lines of a kustomize env file. */
export async function readEnvFile(path: string): Promise<Record<string, string>> {
  const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}
