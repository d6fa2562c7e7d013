import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { devKeyPaths } from '../../gateway/src/keys.js';
import { Api } from '../support/api.js';
import { bundleOnceFinal } from '../support/checkpoints.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget } from '../support/target.js';
import { tempDir } from '../support/temp.js';

const exec = promisify(execFile);
const VERIFIER = resolve('verifier');

/** The relative and package imports of an ES module's text. */
const importsOf = (text: string): string[] => [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)].map((m) => m[1] ?? m[2] ?? '');

/**
 * Every module the package's main export reaches inside the package, and every outside specifier
 * they import: a browser build has no Node built-ins to give them.
 */
async function importGraph(entry: string): Promise<{ files: Set<string>; external: Set<string> }> {
  const files = new Set<string>();
  const external = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of importsOf(await readFile(file, 'utf8'))) {
      if (specifier.startsWith('.')) pending.push(join(dirname(file), specifier));
      else external.add(specifier);
    }
  }
  return { files, external };
}

describe('the verifier as a package of its own', function () {
  this.timeout(300_000);

  it('packs (building on pack), installs into an empty folder without its optional Fabric part, and verifies a bundle with correction-verify', async () => {
    const dir = await tempDir('correction-verifier-pack-');
    const target = await embeddedTarget({ CHECKPOINT_INTERVAL_SECONDS: '0.2' });
    try {
      const court = new Api(target, 'COURT');
      const document = sampleDocument('SENTENCE_HANDOVER');
      const recorded = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(9900) }, document, '2024-01-10T09:00:00+08:00');
      const bundle = await bundleOnceFinal(court, recorded.body.entry.id);
      await writeFile(join(dir.path, 'bundle.json'), JSON.stringify(bundle));
      await writeFile(join(dir.path, 'tampered.json'), JSON.stringify({ ...bundle, inclusion: { ...bundle.inclusion, leafIndex: bundle.inclusion.leafIndex + 1 } }));
      await writeFile(join(dir.path, 'document.json'), JSON.stringify(document));
      await writeFile(join(dir.path, 'trust.json'), await readFile(devKeyPaths(target.dataDir).trust, 'utf8'));

      const packed = await exec('npm', ['pack', '--json', '--pack-destination', dir.path], { cwd: VERIFIER });
      const [pack] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
      if (!pack) throw new Error('npm pack made no package');
      const { filename, files } = pack;
      expect(files.map((f) => f.path)).to.include.members(['dist/cli.js', 'dist/index.js', 'dist/fabric.js', 'package.json']);
      expect(files.some((f) => f.path.startsWith('src/') || f.path.endsWith('.map'))).to.equal(false);

      const app = join(dir.path, 'app');
      await mkdir(app);
      await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
      await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=optional', join(dir.path, filename)], { cwd: app });
      const installed = await readdir(join(app, 'node_modules', '@hyperledger')).catch(() => []);
      expect(installed, 'the optional Fabric dependency stays out').to.deep.equal([]);

      const bin = join(app, 'node_modules', '.bin', 'correction-verify');
      const good = await exec(bin, [join(dir.path, 'bundle.json'), join(dir.path, 'document.json'), '--trust', join(dir.path, 'trust.json')]);
      expect(good.stdout).to.match(/PASS {2}checkpoint cosignatures/);
      expect(good.stdout).to.match(/evidence verified\n$/);
      const bad = await exec(bin, [join(dir.path, 'tampered.json'), '--trust', join(dir.path, 'trust.json')]).then(
        () => ({ code: 0, stdout: '' }),
        (error: unknown) => error as { code: number; stdout: string },
      );
      expect(bad.code).to.equal(1);
      expect(bad.stdout).to.match(/FAIL {2}inclusion proof/);

      // What a browser would load: the main export reaches no Node built-in, in the package or its dependencies' entries.
      const { external } = await importGraph(join(app, 'node_modules', 'correction-verifier', 'dist', 'index.js'));
      const builtins = [...external].filter((s) => s.startsWith('node:') || builtinModules.includes(s));
      expect(builtins).to.deep.equal([]);
      expect([...external].sort()).to.deep.equal(['@noble/curves/ed25519.js', '@noble/hashes/sha2.js', '@noble/hashes/utils.js', '@scure/base', 'canonicalize', 'jose', 'zod']);
    } finally {
      await target.close();
      await dir.remove();
    }
  });

  it('builds from its own tsconfig, which extends nothing outside the package', async () => {
    const tsconfig = JSON.parse(await readFile(join(VERIFIER, 'tsconfig.json'), 'utf8')) as Record<string, unknown>;
    expect(tsconfig).to.not.have.property('extends');
    const manifest = JSON.parse(await readFile(join(VERIFIER, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(manifest['bin']).to.deep.equal({ 'correction-verify': 'dist/cli.js' });
    expect(manifest['optionalDependencies']).to.have.property('@hyperledger/fabric-protos');
    expect(manifest['dependencies']).to.not.have.property('@hyperledger/fabric-protos');
    expect(manifest['scripts']).to.have.property('prepack');
  });
});
