import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { demoPdf, uploadFile } from '../../gateway/src/demo-files.js';
import { devKeyPaths } from '../../gateway/src/keys.js';
import { Api } from '../support/api.js';
import { bundleOnceFinal } from '../support/checkpoints.js';
import { runCli } from '../support/child-gateway.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { tempDir } from '../support/temp.js';

/**
 * An evidence bundle proves an entry's files too: the entry lists each file's hash, and
 * `verify-evidence BUNDLE --attachment FILE` checks a file offline against it, with nothing but
 * the bundle, the file and the trust file.
 */
describe('files checked offline against an evidence bundle', function () {
  this.timeout(120_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let target: EmbeddedTarget;

  before(async () => {
    dir = await tempDir('correction-attachment-evidence-');
    target = await embeddedTarget({ CHECKPOINT_INTERVAL_SECONDS: '0.2' });
  });
  after(async () => {
    await (target as EmbeddedTarget | undefined)?.close();
    await dir.remove();
  });

  it('passes the judgment the handover lists, names it, and fails any other file', async () => {
    const court = new Api(target, 'COURT');
    const token = await target.token('COURT');
    const judgment = await demoPdf('刑事判决书', ['Case 1']);
    const notice = await demoPdf('执行通知书', ['Case 1']);
    const uploaded = [await uploadFile(target.url(), token, judgment, 'application/pdf'), await uploadFile(target.url(), token, notice, 'application/pdf')];
    const attachments = [{ title: '刑事判决书.pdf', ...uploaded[0] }, { title: '执行通知书.pdf', ...uploaded[1] }];
    const recorded = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(9700) }, sampleDocument('SENTENCE_HANDOVER', { attachments }), '2024-01-10T09:00:00+08:00');
    expect(recorded.status).to.equal(201);
    const bundle = await bundleOnceFinal(court, recorded.body.entry.id);
    const files = {
      bundle: join(dir.path, 'bundle.json'),
      trust: join(dir.path, 'trust.json'),
      judgment: join(dir.path, 'judgment.pdf'),
      other: join(dir.path, 'other.pdf'),
    };
    await writeFile(files.bundle, JSON.stringify(bundle));
    await writeFile(files.trust, await readFile(devKeyPaths(target.dataDir).trust, 'utf8'));
    await writeFile(files.judgment, judgment);
    await writeFile(files.other, await demoPdf('刑事判决书', ['Case 2']));

    const good = await runCli(['verify-evidence', files.bundle, '--attachment', files.judgment, '--trust', files.trust]);
    expect(good.code, good.stdout + good.stderr).to.equal(0);
    expect(good.stdout).to.include(`PASS  attachment: attachment 1 of 2 (刑事判决书.pdf), SHA-256 ${attachments[0]?.hash ?? ''}`);
    expect(good.stdout).to.match(/evidence verified\n$/);

    const bad = await runCli(['verify-evidence', files.bundle, '--attachment', files.other, '--trust', files.trust]);
    expect(bad.code).to.equal(1);
    expect(bad.stdout).to.match(/FAIL {2}attachment: the file hashes to [0-9a-f]{64}, which is none of the entry's 2 attachment\(s\)/);
    expect(bad.stdout).to.match(/evidence NOT verified\n$/);
  });
});
