import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { devKeyPaths } from '../../gateway/src/keys.js';
import { readTrust } from '../../gateway/src/services/receipts.js';
import { Api } from '../support/api.js';
import { bundleOnceFinal } from '../support/checkpoints.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { tempDir } from '../support/temp.js';

const exec = promisify(execFile);
const MODULE = resolve('test', 'interop');

/**
 * The Go side of the standards: a program built on golang.org/x/mod/sumdb/note,
 * github.com/transparency-dev/formats and github.com/transparency-dev/merkle reads a running
 * gateway's checkpoints and proofs and must accept them all (and refuse another log's origin).
 */
describe('interoperability with the transparency-dev Go libraries', function () {
  this.timeout(300_000);
  let target: EmbeddedTarget;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let binary: string;

  before(async () => {
    dir = await tempDir('correction-interop-');
    binary = join(dir.path, 'interop');
    // Go's build cache makes this seconds once the modules are downloaded (versions pinned in go.sum).
    await exec('go', ['build', '-mod=readonly', '-o', binary, '.'], { cwd: MODULE });
    target = await embeddedTarget({ CHECKPOINT_INTERVAL_SECONDS: '0.2', CHECKPOINT_EVERY: '5' });
    const court = new Api(target, 'COURT');
    let last = '';
    for (let i = 0; i < 13; i++) {
      last = (await court.record('SENTENCE_HANDOVER', { idNumber: residentId(9800 + i) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00')).body.entry.id;
    }
    await bundleOnceFinal(court, last, 13);
  });
  after(async () => {
    await (target as EmbeddedTarget | undefined)?.close();
    await dir.remove();
  });

  it('parses and verifies every checkpoint, cosignature, inclusion and consistency proof of a running gateway', async () => {
    const { stdout } = await exec(binary, ['-gateway', target.url(), '-trust', devKeyPaths(target.dataDir).trust]);
    expect(stdout).to.match(/PASS {2}checkpoint .* size 13/);
    expect(stdout).to.match(/PASS {2}13 leaves rebuild the root; an inclusion proof of each verifies/);
    expect(stdout).to.match(/PASS {2}[1-9]\d* consistency proofs verify/);
  });

  it('refuses the checkpoints under a trust file of another origin', async () => {
    const trust = await readTrust(devKeyPaths(target.dataDir).trust);
    const other = join(dir.path, 'other-trust.json');
    await writeFile(other, JSON.stringify({ ...trust, origin: 'correction-ledger.invalid/another/corrections' }));
    const failed = await exec(binary, ['-gateway', target.url(), '-trust', other]).then(
      () => ({ code: 0, stderr: '' }),
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failed.code).to.equal(1);
    expect(failed.stderr).to.match(/FAIL/);
  });
});
