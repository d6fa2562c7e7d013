import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { copyFile, chmod, mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { Level } from 'level';
import { syntheticResidentId } from '../../gateway/src/demo.js';
import { devKeyPaths, ensureDevKeys, mintDevToken } from '../../gateway/src/keys.js';
import { sampleDocument } from '../support/documents.js';
import { encodingsOf, filesContaining, walk } from '../support/files.js';
import { runCli } from '../support/child-gateway.js';
import { tempDir } from '../support/temp.js';

const CLI = join(process.cwd(), 'dist', 'gateway', 'src', 'cli.js');
/** Personal data distinctive enough that finding it anywhere means it leaked. */
const NAME = '甄别封存人丙';
const JUDGMENT = '本院认为：被告人甄某某犯盗窃罪，判处有期徒刑一年，缓刑二年（静态数据检验全文）';

/** A CLI command run to its end. */
const run = runCli;

/** `correction-ledger serve` outside dev mode; resolves with its URL once its log says it listens. */
async function serve(env: Record<string, string>): Promise<{ url: string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[\d.]+:\d+)"/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      reject(new Error(`serve exited with ${String(code)}: ${output}`));
    });
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('data at rest', function () {
  this.timeout(120_000);
  let root: Awaited<ReturnType<typeof tempDir>>;
  let dataDir: string;
  let keysDir: string;
  let env: Record<string, string>;
  let recorded: Array<{ id: string; collection: string }>;

  before(async () => {
    root = await tempDir();
    // The consortium's keys, apart from the data directory, which the gateway creates itself.
    keysDir = join(root.path, 'consortium');
    await ensureDevKeys(keysDir);
    const keys = devKeyPaths(keysDir);
    dataDir = join(root.path, 'data');
    env = {
      PORT: '0',
      HOST: '127.0.0.1',
      LEDGER: 'embedded',
      DEV_MODE: 'false',
      DATA_DIR: dataDir,
      SUBJECT_KEY: keys.subjectKey,
      DOCUMENT_KEY: keys.documentKey,
      TOKEN_JWKS: keys.jwks,
      RECEIPT_KEY: keys.gatewayKey('COURT'),
      NOTE_KEY: keys.noteKey('COURT'),
      AGENCY: 'COURT',
      TRUST_FILE: keys.trust,
      LOG_LEVEL: 'info',
    };

    const gateway = await serve(env);
    try {
      const token = await mintDevToken(keysDir, { agency: 'COURT', role: 'clerk', sub: 'at-rest' });
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      recorded = [];
      for (const n of [1, 2, 3]) {
        const document = sampleDocument('SENTENCE_HANDOVER', { subjectName: `${NAME}${String(n)}`, judgment: JUDGMENT });
        const answer = await fetch(`${gateway.url}/v1/events`, {
          method: 'POST',
          headers: { ...headers, 'idempotency-key': `at-rest-${String(n)}` },
          body: JSON.stringify({ type: 'SENTENCE_HANDOVER', subject: { idNumber: syntheticResidentId(700 + n) }, occurredAt: '2024-01-10T09:00:00+08:00', document }),
        });
        expect(answer.status).to.equal(201);
        const { entry } = (await answer.json()) as { entry: { id: string; collection: string } };
        recorded.push(entry);
        const read = (await (await fetch(`${gateway.url}/v1/entries/${entry.id}`, { headers })).json()) as { document?: unknown };
        expect(read.document).to.deep.equal(document);
      }
      // A submission waiting in the outbox holds its document until it settles: sealed as well.
      const paused = await run(['pause', '--data-dir', dataDir]);
      expect(paused.code, paused.stderr).to.equal(0);
      const pending = await fetch(`${gateway.url}/v1/events`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': 'at-rest-pending' },
        body: JSON.stringify({
          type: 'SENTENCE_HANDOVER',
          subject: { idNumber: syntheticResidentId(704) },
          occurredAt: '2024-01-10T09:00:00+08:00',
          document: sampleDocument('SENTENCE_HANDOVER', { subjectName: `${NAME}4`, judgment: JUDGMENT }),
        }),
      });
      expect(pending.status).to.equal(202);
    } finally {
      await gateway.stop();
    }
  });
  after(() => root.remove());

  it('leaves no name and no document text in any file under DATA_DIR, while public entries stay readable there', async () => {
    const needles = [...encodingsOf(NAME), ...encodingsOf(JUDGMENT), ...encodingsOf(JUDGMENT.slice(0, 8))];
    expect(await filesContaining(dataDir, needles)).to.deep.equal([]);
    // The same search finds what is meant to be in clear: it does read the files the data went to.
    expect(await filesContaining(dataDir, [Buffer.from(recorded[0]?.id ?? '-')])).to.not.deep.equal([]);
  });

  it('creates every file under DATA_DIR 0600 and every directory 0700', async () => {
    const entries = await walk(dataDir);
    expect(entries.filter((e) => e.kind === 'file').length).to.be.greaterThan(10);
    for (const entry of entries) {
      expect({ path: entry.path, mode: entry.mode.toString(8) }).to.deep.equal({ path: entry.path, mode: entry.kind === 'dir' ? '700' : '600' });
    }
  });

  it('audits intact with the document key, given as --document-key or by DOCUMENT_KEY', async () => {
    const given = await run(['audit', '--data-dir', dataDir, '--document-key', env['DOCUMENT_KEY'] ?? '']);
    expect(given.code, given.stdout + given.stderr).to.equal(0);
    expect(given.stdout).to.match(/entries 3: intact/);
    const fromEnvironment = await run(['audit', '--data-dir', dataDir], { DOCUMENT_KEY: env['DOCUMENT_KEY'] ?? '' });
    expect(fromEnvironment.code, fromEnvironment.stdout + fromEnvironment.stderr).to.equal(0);
  });

  it('names by entry every document it cannot open with a wrong document key', async () => {
    const wrongKey = join(root.path, 'wrong.key');
    await writeFile(wrongKey, randomBytes(32).toString('hex'), { mode: 0o600 });
    const audit = await run(['audit', '--data-dir', dataDir, '--document-key', wrongKey, '--json']);
    expect(audit.code).to.equal(1);
    const report = JSON.parse(audit.stdout) as { problems: Array<{ kind: string; entryId?: string }> };
    expect(report.problems.map((p) => [p.kind, p.entryId])).to.have.deep.members(recorded.map((e) => ['DOCUMENT_UNREADABLE', e.id]));
  });

  it('names the entry whose stored ciphertext had one byte flipped', async () => {
    const target = recorded[1] as { id: string; collection: string };
    const db = new Level(join(dataDir, 'ledger'));
    const documents = db.sublevel<string, Uint8Array>('private', { valueEncoding: 'view' });
    const key = `${target.collection}\u0000${target.id}`;
    const sealed = Buffer.from((await documents.get(key)) as Uint8Array);
    sealed[30] = (sealed[30] ?? 0) ^ 0x80;
    await documents.put(key, sealed);
    await db.close();
    const audit = await run(['audit', '--data-dir', dataDir, '--document-key', env['DOCUMENT_KEY'] ?? '']);
    expect(audit.code).to.equal(1);
    expect(audit.stdout).to.match(/1 problem\(s\)/);
    expect(audit.stdout).to.include(`DOCUMENT_UNREADABLE  block`).and.to.include(`entry ${target.id}`);
  });

  it('refuses to start with a key inside DATA_DIR, directly or through a symbolic link, naming each', async () => {
    const otherData = join(root.path, 'other-data');
    await mkdir(otherData, { mode: 0o700 });
    await copyFile(env['SUBJECT_KEY'] ?? '', join(otherData, 'subject.key'));
    await copyFile(env['DOCUMENT_KEY'] ?? '', join(otherData, 'document.key'));
    await symlink(join(otherData, 'document.key'), join(root.path, 'document-link.key'));
    const refused = await run(['serve'], { ...env, DATA_DIR: otherData, SUBJECT_KEY: join(otherData, 'subject.key'), DOCUMENT_KEY: join(root.path, 'document-link.key') });
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/SUBJECT_KEY: the key file .*subject\.key lies inside DATA_DIR;/);
    expect(refused.stderr).to.match(/DOCUMENT_KEY: the key file .*document-link\.key lies inside DATA_DIR \(through a symbolic link\)/);
    await stat(join(otherData, 'ledger')).then(() => expect.fail('a refused gateway must open nothing'), () => undefined);
  });

  it('refuses to start with key files that group or others may read, naming each', async () => {
    const looseSubject = join(root.path, 'loose-subject.key');
    const looseDocument = join(root.path, 'loose-document.key');
    await copyFile(env['SUBJECT_KEY'] ?? '', looseSubject);
    await copyFile(env['DOCUMENT_KEY'] ?? '', looseDocument);
    await chmod(looseSubject, 0o640);
    await chmod(looseDocument, 0o644);
    const refused = await run(['serve'], { ...env, DATA_DIR: join(root.path, 'loose-data'), SUBJECT_KEY: looseSubject, DOCUMENT_KEY: looseDocument });
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include(`SUBJECT_KEY: the key file ${looseSubject} is open to group or others (mode 0640)`);
    expect(refused.stderr).to.include(`DOCUMENT_KEY: the key file ${looseDocument} is open to group or others (mode 0644)`);
  });
});
