import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { expect } from 'chai';
import { create } from 'tar';
import { Api } from '../support/api.js';
import { runCli } from '../support/child-gateway.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { samplePdf, sha256 } from '../support/sample-files.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { tempDir } from '../support/temp.js';

const exec = promisify(execFile);

interface LogState {
  readonly size: number;
  readonly root: string;
}

/** What a gateway shows of the recorded handover: the log, the entry, the attachment's bytes. */
async function observed(target: EmbeddedTarget, entryId: string, hash: string): Promise<{ log: LogState; entry: unknown; file: string }> {
  const court = new Api(target, 'COURT', 'clerk');
  const log = await court.get<LogState>('/v1/log');
  const entry = await court.get(`/v1/entries/${entryId}`);
  const token = await target.token('COURT', 'clerk');
  const download = await fetch(`${target.url()}/v1/documents/${hash}?entry=${entryId}`, { headers: { authorization: `Bearer ${token}` } });
  expect(download.status).to.equal(200);
  return { log: { size: log.body.size, root: log.body.root }, entry: entry.body, file: sha256(new Uint8Array(await download.arrayBuffer())) };
}

describe('backup and restore of a gateway\'s data directory', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let dataDir: string;
  let archive: string;
  let original: Awaited<ReturnType<typeof observed>>;
  let entryId: string;
  let hash: string;

  before(async () => {
    tmp = await tempDir('correction-backup-');
    dataDir = join(tmp.path, 'data');
    archive = join(tmp.path, 'gateway.tgz');
    const target = await embeddedTarget({ DATA_DIR: dataDir });
    try {
      const token = await target.token('COURT', 'clerk');
      const upload = await fetch(`${target.url()}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' }, body: samplePdf(200_000) });
      expect(upload.status).to.equal(201);
      const file = (await upload.json()) as { hash: string; size: number; mediaType: string };
      hash = file.hash;
      const recorded = await new Api(target, 'COURT', 'clerk').record('SENTENCE_HANDOVER', { idNumber: residentId(7_700) }, sampleDocument('SENTENCE_HANDOVER', { attachments: [{ title: '刑事判决书', ...file }] }), '2024-01-10T09:00:00+08:00');
      expect(recorded.status, JSON.stringify(recorded.body)).to.equal(201);
      entryId = recorded.body.entry.id;
      original = await observed(target, entryId, hash);

      // While the gateway runs, its data directory is not backed up.
      const refused = await runCli(['backup', '--data-dir', dataDir, '--out', archive]);
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.include('in use').and.include('stop the gateway first');
      expect(await readdir(tmp.path)).to.deep.equal(['data']);
    } finally {
      await target.gateway.close();
      await target.close();
    }
  });
  after(async () => {
    await tmp.remove();
  });

  it('backs up a stopped gateway, restores it elsewhere, and the restored gateway shows the same log, entry and file; the audit passes', async () => {
    // The README's commands, as written.
    const readme = await readFile('README.md', 'utf8');
    const block = /<!-- readme-gateway-backup:start -->\s*```sh\n([\s\S]*?)```\s*<!-- readme-gateway-backup:end -->/.exec(readme);
    if (!block?.[1]) throw new Error('README has no gateway backup block');
    const restoredDir = join(tmp.path, 'restored');
    const { stdout } = await exec('bash', ['-euo', 'pipefail', '-c', block[1]], { env: { ...process.env, DATA_DIR: dataDir, BACKUP: archive, RESTORED: restoredDir } });
    expect(stdout).to.match(/^backed up \d+ files \(\d+ bytes\) to /m);
    expect(stdout).to.match(/^restored \d+ files \(\d+ bytes\) into /m);
    expect(stdout).to.include('intact');
    expect((await readdir(tmp.path)).sort()).to.deep.equal(['data', 'gateway.tgz', 'restored']);

    const restored = await embeddedTarget({ DATA_DIR: restoredDir });
    try {
      expect(await observed(restored, entryId, hash)).to.deep.equal(original);
    } finally {
      await restored.gateway.close();
      await restored.close();
    }
  });

  it('overwrites neither an archive nor a data directory that holds something', async () => {
    const again = await runCli(['backup', '--data-dir', dataDir, '--out', archive]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include('exists');
    const onto = await runCli(['restore', '--from', archive, '--data-dir', dataDir]);
    expect(onto.code).to.equal(1);
    expect(onto.stderr).to.include('is not empty');
  });

  it('refuses an archive cut short, leaving nothing behind', async () => {
    const cut = join(tmp.path, 'cut.tgz');
    await copyFile(archive, cut);
    await truncate(cut, Math.floor((await stat(cut)).size / 2));
    const target = join(tmp.path, 'from-cut');
    const restore = await runCli(['restore', '--from', cut, '--data-dir', target]);
    expect(restore.code).to.equal(1);
    expect(restore.stderr).to.include('does not unpack');
    expect((await readdir(tmp.path)).filter((name) => name.includes('from-cut'))).to.deep.equal([]);
  });

  it('refuses an archive whose paths would leave the data directory', async () => {
    const crafted = join(tmp.path, 'crafted');
    await mkdir(join(crafted, 'inner'), { recursive: true });
    await writeFile(join(crafted, 'escape.txt'), 'outside');
    const evil = join(tmp.path, 'evil.tgz');
    await create({ gzip: true, cwd: join(crafted, 'inner'), file: evil, preservePaths: true }, ['../escape.txt']);
    const target = join(tmp.path, 'from-evil');
    const restore = await runCli(['restore', '--from', evil, '--data-dir', target]);
    expect(restore.code).to.equal(1);
    expect((await readdir(tmp.path)).filter((name) => name.includes('from-evil') || name === 'escape.txt')).to.deep.equal([]);
    expect(await readFile(join(crafted, 'escape.txt'), 'utf8')).to.equal('outside');
  });
});
