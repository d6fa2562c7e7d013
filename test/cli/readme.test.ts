import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { tempDir } from '../support/temp.js';

const exec = promisify(execFile);

/** The README's curl examples, exactly as written, against a real gateway. */
describe('README examples', function () {
  this.timeout(60_000);
  let target: EmbeddedTarget;
  let script: string;
  let tmp: Awaited<ReturnType<typeof tempDir>>;

  before(async () => {
    const readme = await readFile('README.md', 'utf8');
    const block = /<!-- readme-example:start -->\s*```sh\n([\s\S]*?)```\s*<!-- readme-example:end -->/.exec(readme);
    if (!block?.[1]) throw new Error('README has no example block');
    script = block[1];
    target = await embeddedTarget();
    tmp = await tempDir();
  });
  after(async () => {
    await target.close();
    await tmp.remove();
  });

  const runExamples = async () => {
    const { stdout } = await exec('bash', ['-euo', 'pipefail', '-c', script], {
      env: { ...process.env, GATEWAY: target.url(), DATA_DIR: target.dataDir, TMPDIR: tmp.path },
    });
    const [lookup, verify] = splitJson(stdout.trim());
    return { lookup, verify, handover: JSON.parse(await readFile(`${tmp.path}/handover.json`, 'utf8')) as { entry: { id: string } } };
  };

  it('upload a judgment, list it in a handover, download it and tell it by its bytes as the README says', async () => {
    const readme = await readFile('README.md', 'utf8');
    const block = /<!-- readme-documents:start -->\s*```sh\n([\s\S]*?)```\s*<!-- readme-documents:end -->/.exec(readme);
    if (!block?.[1]) throw new Error('README has no documents example');
    const { stdout } = await exec('bash', ['-euo', 'pipefail', '-c', block[1]], { env: { ...process.env, GATEWAY: target.url(), DATA_DIR: target.dataDir, TMPDIR: tmp.path } });
    const upload = JSON.parse(await readFile(`${tmp.path}/judgment.json`, 'utf8')) as { hash: string; mediaType: string };
    expect(upload.mediaType).to.equal('application/pdf');
    expect(stdout).to.include('same bytes');
    expect(stdout).to.match(new RegExp(`PASS\\s+file is an attachment of the entry\\s+attachment 0 \\(刑事判决书\\.pdf\\), sha256 ${upload.hash}`));
  });

  it('hand over, look up and verify as the README says', async () => {
    const { lookup, verify, handover } = await runExamples();
    expect(lookup).to.have.nested.property('status.state', 'PENDING_REPORT');
    expect(verify).to.deep.include({ valid: true, checks: { docHash: true, chainLink: true, entryHash: true } });
    const again = await runExamples();
    expect(again.handover.entry.id).to.equal(handover.entry.id);
    expect(again.lookup).to.have.nested.property('status.entryCount', 1);
  });
});

/** The examples print two JSON documents back to back (lookup, then verify). */
function splitJson(text: string): [unknown, unknown] {
  const boundary = text.indexOf('}{');
  if (boundary < 0) throw new Error(`expected two JSON answers, got: ${text.slice(0, 200)}`);
  return [JSON.parse(text.slice(0, boundary + 1)), JSON.parse(text.slice(boundary + 1))];
}
