import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import type { Agency } from 'correction-chaincode/domain';
import { Level } from 'level';
import { syntheticResidentId } from '../../gateway/src/demo.js';
import { devKeyPaths, ensureDevKeys, mintDevToken, mintToken, type Role } from '../../gateway/src/keys.js';
import { samplePdf } from '../support/sample-files.js';
import { sampleDocument } from '../support/documents.js';
import { embeddedTarget } from '../support/target.js';
import { runCli } from '../support/child-gateway.js';
import { tempDir } from '../support/temp.js';

const CLI = join(process.cwd(), 'dist', 'gateway', 'src', 'cli.js');

/** A CLI command run to its end. */
const run = runCli;

/** Starts `correction-ledger serve` on a free port; resolves with its URL once it listens. */
async function serve(dataDir: string): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /gateway on (http:\/\/[\d.]+:\d+)/.exec(stderr);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => {
      reject(new Error(`serve exited with ${code}: ${stderr}`));
    });
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('correction-ledger CLI', function () {
  this.timeout(120_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: Awaited<ReturnType<typeof serve>> | undefined;

  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await server?.stop();
    await dir.remove();
  });

  it('token prints a JWT signed by the agency\'s dev key, with agency and role claims', async () => {
    const { code, stdout } = await run(['token', '--agency', 'POLICE', '--role', 'officer', '--data-dir', dir.path]);
    expect(code).to.equal(0);
    const jwks = createLocalJWKSet(JSON.parse(await readFile(devKeyPaths(dir.path).jwks, 'utf8')) as Parameters<typeof createLocalJWKSet>[0]);
    const { payload, protectedHeader } = await jwtVerify(stdout.trim(), jwks);
    expect(protectedHeader.kid).to.equal('POLICE');
    expect(payload).to.include({ agency: 'POLICE', role: 'officer' });
  });

  it('token refuses an unknown agency', async () => {
    const { code, stderr } = await run(['token', '--agency', 'ARMY', '--data-dir', dir.path]);
    expect(code).to.not.equal(0);
    expect(stderr).to.match(/ARMY/);
  });

  it('token --unit mints a token for one unit of the agency, of a kind, and refuses a code that is no division', async () => {
    const { code, stdout } = await run(['token', '--agency', 'POLICE', '--role', 'officer', '--unit', '110105', '--unit-kind', 'BORDER', '--data-dir', dir.path]);
    expect(code).to.equal(0);
    const jwks = createLocalJWKSet(JSON.parse(await readFile(devKeyPaths(dir.path).jwks, 'utf8')) as Parameters<typeof createLocalJWKSet>[0]);
    const { payload } = await jwtVerify(stdout.trim(), jwks);
    expect(payload).to.include({ agency: 'POLICE', role: 'officer', unit: '110105', unitKind: 'BORDER' });
    const bad = await run(['token', '--agency', 'POLICE', '--unit', '11010', '--data-dir', dir.path]);
    expect(bad.code).to.not.equal(0);
    expect(bad.stderr).to.match(/--unit 11010: must be a division code/);
  });

  it('directory add registers a user\'s key for a unit and roles: the gateway takes its tokens for that unit and below, never another unit, role or agency', async () => {
    const own = await tempDir();
    try {
      await ensureDevKeys(own.path);
      const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
      const jwkFile = join(own.path, 'user.jwk.json');
      await writeFile(jwkFile, JSON.stringify(await exportJWK(publicKey)));
      const refusedPrivate = join(own.path, 'private.jwk.json');
      await writeFile(refusedPrivate, JSON.stringify(await exportJWK(privateKey)));
      expect((await run(['directory', 'add', '--jwk', refusedPrivate, '--agency', 'POLICE', '--unit', '110105', '--role', 'officer', '--data-dir', own.path])).stderr).to.match(/private key/);
      const wrongKind = await run(['directory', 'add', '--jwk', jwkFile, '--agency', 'POLICE', '--unit', '110105', '--unit-kind', 'BUREAU', '--role', 'officer', '--data-dir', own.path]);
      expect(wrongKind.code).to.not.equal(0);
      const added = await run(['directory', 'add', '--jwk', jwkFile, '--agency', 'POLICE', '--unit', '110105', '--role', 'officer,auditor', '--data-dir', own.path]);
      expect(added.code, added.stderr).to.equal(0);
      const kid = added.stdout.trim();
      const directory = JSON.parse(await readFile(devKeyPaths(own.path).jwks, 'utf8')) as { keys: Array<Record<string, unknown>> };
      expect(directory.keys.find((k) => k['kid'] === kid)).to.deep.include({ agency: 'POLICE', unit: '110105', roles: ['officer', 'auditor'] });
      expect(directory.keys.filter((k) => k['kid'] === 'COURT')).to.have.length(1);

      const gateway = await embeddedTarget({ DATA_DIR: own.path });
      try {
        const signing = { ...(await exportJWK(privateKey)), kid };
        const as = async (claims: { agency?: Agency; unit?: string; role?: Role }) => {
          const token = await mintToken(signing, { agency: claims.agency ?? 'POLICE', role: claims.role ?? 'officer', sub: 'officer-7', ...(claims.unit ? { unit: claims.unit } : {}) });
          return (await fetch(`${gateway.url()}/v1/obligations`, { headers: { authorization: `Bearer ${token}` } })).status;
        };
        expect(await as({})).to.equal(200);
        expect(await as({ unit: '110105' })).to.equal(200);
        expect(await as({ unit: '110105001' })).to.equal(200);
        expect(await as({ unit: '110108' }), 'a unit beside its own').to.equal(401);
        expect(await as({ unit: '1101' }), 'a unit above its own').to.equal(401);
        expect(await as({ role: 'clerk' }), 'a role it was not issued for').to.equal(401);
        expect(await as({ agency: 'COURT' }), 'another agency').to.equal(401);
      } finally {
        await gateway.close();
      }
    } finally {
      await own.remove();
    }
  });

  it('serve refuses a bad configuration, naming every problem', async () => {
    const { code, stderr } = await run(['serve'], { PORT: 'eighty', LEDGER: 'chain', DATA_DIR: dir.path });
    expect(code).to.equal(1);
    expect(stderr).to.include('PORT').and.to.include('LEDGER');
  });

  it('demo records a realistic ledger through the REST API: every correction type and lifecycle path', async () => {
    server = await serve(dir.path);
    const demo = await run(['demo', '--url', server.url, '--data-dir', dir.path]);
    expect(demo.code, demo.stderr).to.equal(0);
    const token = await mintDevToken(dir.path, { agency: 'PROCURATORATE', role: 'auditor', sub: 'test' });
    const statuses: Array<{ state: string; correctionType: string | null; openMatters?: unknown[]; entryCount?: number; view?: string; sealed?: boolean; executionPlace?: string | null }> = [];
    const types = new Set<string>();
    /** Each recorded event with its public facts, as `TYPE {facts}`. */
    const recorded = new Set<string>();
    for (let n = 1; n <= 24; n++) {
      const answer = await fetch(`${server.url}/v1/subjects/lookup`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        // The auditor states its purpose: a sealed record is read for one, and only so.
        body: JSON.stringify({ idNumber: syntheticResidentId(n), purpose: { caseNumber: 'AUDIT-DEMO', reason: 'AUDIT' } }),
      });
      expect(answer.status).to.equal(200);
      const { ref, status } = (await answer.json()) as { ref: string; status: (typeof statuses)[number] };
      statuses.push(status);
      if (status.view === 'minimal') continue;
      const entries = (await (await fetch(`${server.url}/v1/subjects/${ref}/entries`, { headers: { authorization: `Bearer ${token}` } })).json()) as Array<{ type: string; facts: unknown }>;
      for (const entry of entries) {
        types.add(entry.type);
        recorded.add(`${entry.type} ${JSON.stringify(entry.facts)}`);
      }
    }
    expect(new Set(statuses.map((s) => s.correctionType))).to.include.members(['PROBATION', 'PAROLE', 'CONTROL', 'TEMPORARY_OUTSIDE_PRISON']);
    expect(new Set(statuses.map((s) => s.state))).to.include.members(['ASSESSED', 'PENDING_REPORT', 'UNDER_CORRECTION', 'RELEASED', 'COMMITTED', 'DECEASED']);
    expect([...types]).to.include.members([
      'AMENDMENT', 'PROCURATORIAL_OPINION', 'PROCURATORIAL_REPLY', 'REVOCATION_RULED', 'COMMUTATION_RULED', 'LOST_CONTACT',
      'COMMENDATION_ISSUED', 'DETENTION_ENDED', 'RECONSIDERATION_REQUESTED', 'RECONSIDERATION_ANSWERED', 'COMPLAINT_RECEIVED',
    ]);
    // A pardon, a refused arrest, a new-crime revocation.
    expect([...recorded]).to.include.members([
      'CORRECTION_RELEASED {"ground":"PARDON"}',
      'ARREST_DECIDED {"approved":false}',
      'REVOCATION_RULED {"revoked":true,"newCrime":true}',
    ]);
    expect(statuses.some((s) => (s.openMatters?.length ?? 0) > 0)).to.equal(true);
    // Two counties, and one sealed subject the auditor reads only in its minimal status.
    expect(statuses.filter((s) => s.executionPlace === '110108')).to.have.length.of.at.least(1);
    expect(statuses.filter((s) => s.sealed === true).map((s) => s.view)).to.deep.equal(['minimal']);
  });

  it('verify checks a document against its entry, and a receipt against the gateway key and the ledger', async () => {
    if (!server) throw new Error('server not started');
    const token = await mintDevToken(dir.path, { agency: 'COURT', role: 'clerk', sub: 'test' });
    const document = sampleDocument('SENTENCE_HANDOVER');
    const answer = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'SENTENCE_HANDOVER', subject: { idNumber: syntheticResidentId(900) }, occurredAt: '2024-01-10T09:00:00+08:00', document }),
    });
    const { entry, receipt } = (await answer.json()) as { entry: { id: string }; receipt: string };
    const good = join(dir.path, 'doc.json');
    const bad = join(dir.path, 'forged.json');
    await writeFile(good, JSON.stringify(document));
    await writeFile(bad, JSON.stringify({ ...document, termEnd: '2031-01-01' }));
    const ok = await run(['verify', '--url', server.url, '--data-dir', dir.path, '--entry', entry.id, '--document', good]);
    expect(ok.code, ok.stdout + ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/PASS\s+docHash/);
    const forged = await run(['verify', '--url', server.url, '--data-dir', dir.path, '--entry', entry.id, '--document', bad]);
    expect(forged.code).to.equal(1);
    expect(forged.stdout).to.match(/FAIL\s+docHash/);
    const receiptRun = await run(['verify', '--url', server.url, '--data-dir', dir.path, '--receipt', receipt]);
    expect(receiptRun.code, receiptRun.stdout).to.equal(0);
    expect(receiptRun.stdout).to.match(/PASS\s+receipt signature/);
  });

  it('verify --file tells which attachment of the entry a file is (PASS), and fails a file the entry does not list', async () => {
    if (!server) throw new Error('server not started');
    const token = await mintDevToken(dir.path, { agency: 'COURT', role: 'clerk', sub: 'test' });
    const judgment = samplePdf(100_000);
    const stored = (await (await fetch(`${server.url}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' }, body: judgment })).json()) as { hash: string; size: number; mediaType: string };
    const document = sampleDocument('SENTENCE_HANDOVER', { attachments: [{ title: '刑事判决书', ...stored }] });
    const answer = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'SENTENCE_HANDOVER', subject: { idNumber: syntheticResidentId(901) }, occurredAt: '2024-01-10T09:00:00+08:00', document }),
    });
    const { entry } = (await answer.json()) as { entry: { id: string } };
    const good = join(dir.path, 'judgment.pdf');
    const other = join(dir.path, 'other.pdf');
    await writeFile(good, judgment);
    await writeFile(other, samplePdf(1_000));
    const ok = await run(['verify', '--url', server.url, '--data-dir', dir.path, '--entry', entry.id, '--file', good]);
    expect(ok.code, ok.stdout + ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/PASS\s+file is an attachment of the entry\s+attachment 0 \(刑事判决书\)/);
    expect(ok.stdout).to.include(stored.hash);
    const none = await run(['verify', '--url', server.url, '--data-dir', dir.path, '--entry', entry.id, '--file', other]);
    expect(none.code).to.equal(1);
    expect(none.stdout).to.match(/FAIL\s+file is an attachment of the entry/);
  });

  it('audit reports an intact ledger, then names the entry someone edited in the LevelDB files', async () => {
    await server?.stop();
    server = undefined;
    const intact = await run(['audit', '--data-dir', dir.path]);
    expect(intact.code, intact.stdout + intact.stderr).to.equal(0);
    expect(intact.stdout).to.match(/intact/);

    const db = new Level<string, string>(join(dir.path, 'ledger'), { valueEncoding: 'utf8' });
    const state = db.sublevel('state', { valueEncoding: 'utf8' });
    let edited = '';
    for await (const [key, value] of state.iterator({ gte: '\u0000entry\u0000', lt: '\u0000entry\u0000\u{10FFFF}', limit: 5 })) {
      const entry = JSON.parse(value) as { id: string; occurredAt: string };
      edited = entry.id;
      await state.put(key, JSON.stringify({ ...entry, occurredAt: '2020-01-01T00:00:00+08:00' }));
    }
    await db.close();
    const tampered = await run(['audit', '--data-dir', dir.path, '--json']);
    expect(tampered.code).to.equal(1);
    const report = JSON.parse(tampered.stdout) as { ok: boolean; problems: Array<{ kind: string; entryId?: string }> };
    expect(report.ok).to.equal(false);
    expect(report.problems.filter((p) => p.entryId === edited).map((p) => p.kind)).to.include.members(['ENTRY_ALTERED', 'ENTRY_DIFFERS_FROM_BLOCK']);
  });
});
