import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { checkpointText, parseTrustFile, toHex, verifyCheckpoint, formatNote, type TrustFile } from 'correction-verifier';
import type { NoteSigner } from '../../gateway/src/note-keys.js';
import { devKeyPaths, ensureDevKeys } from '../../gateway/src/keys.js';
import { Api } from '../support/api.js';
import { devCosigners } from '../support/checkpoints.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { tempDir } from '../support/temp.js';
import { until } from '../support/until.js';

interface Sent {
  readonly treeSize: number;
  readonly root: string;
  readonly agency: string;
  readonly signature: string;
}

/**
 * Agency cosignatures travel between the gateways directly (POST /v1/log/cosignatures), so a
 * checkpoint is final when a quorum has computed the same root, not when anchors commit: a gateway
 * sends each line the moment it signs it, and keeps only lines that verify over its own root.
 */
describe('off-chain cosignatures between gateways', function () {
  this.timeout(60_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let peer: Server;
  const received: Sent[] = [];
  let gateway: EmbeddedTarget;
  let trust: TrustFile;
  let signers: Map<string, NoteSigner>;
  let court: Api;

  before(async () => {
    dir = await tempDir('correction-offchain-');
    // A peer gateway's endpoint, as far as the sender sees it: a real HTTP server that keeps what arrives.
    peer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.url === '/v1/log/cosignatures') received.push(...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { cosignatures: Sent[] }).cosignatures);
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"kept":0,"pending":0}');
      });
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    const dataDir = join(dir.path, 'gateway');
    await ensureDevKeys(dataDir);
    trust = parseTrustFile(JSON.parse(await readFile(devKeyPaths(dataDir).trust, 'utf8')));
    signers = await devCosigners(dataDir);
    gateway = await embeddedTarget({ DATA_DIR: dataDir, CHECKPOINT_INTERVAL_SECONDS: '0.2', COSIGNATURE_PEERS: `http://127.0.0.1:${(peer.address() as AddressInfo).port}` });
    court = new Api(gateway, 'COURT');
    for (let n = 0; n < 3; n++) {
      const answer = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(7100 + n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
      expect(answer.status).to.equal(201);
    }
    await until(() => gateway.gateway.log.checkpoints.latestFinal?.treeSize === gateway.gateway.log.tree.size, 'a final checkpoint of the whole log');
  });
  after(async () => {
    await (gateway as EmbeddedTarget | undefined)?.close();
    peer.close();
    await dir.remove();
  });

  const post = (cosignatures: unknown) => fetch(`${gateway.url()}/v1/log/cosignatures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cosignatures }) });
  const lineOf = (agency: string, size: number, root: Uint8Array, timestamp = Math.floor(Date.now() / 1000)) => {
    const signer = signers.get(agency);
    if (!signer) throw new Error(agency);
    return signer.cosign(checkpointText({ origin: trust.origin, size, root }), timestamp);
  };

  it('sends each cosignature it makes to its peers, as lines that verify over its root', async () => {
    const size = gateway.gateway.log.tree.size;
    await until(() => received.some((c) => c.treeSize === size), 'the peer received the cosignatures of the log\'s size');
    const lines = received.filter((c) => c.treeSize === size);
    expect(new Set(lines.map((c) => c.agency))).to.deep.equal(new Set(['COURT', 'PROCURATORATE', 'POLICE', 'JUSTICE']));
    const root = gateway.gateway.log.tree.rootAt(size);
    expect(lines.every((c) => c.root === toHex(root))).to.equal(true);
    const verdict = verifyCheckpoint(formatNote(checkpointText({ origin: trust.origin, size, root }), lines.map((c) => c.signature)), trust);
    expect(verdict.ok, verdict.detail).to.equal(true);
  });

  it('keeps a valid cosignature of its own root, and weighs it toward finality', async () => {
    const size = gateway.gateway.log.tree.size;
    const root = gateway.gateway.log.tree.rootAt(size);
    const answer = await post([{ treeSize: size, root: toHex(root), agency: 'POLICE', signature: lineOf('POLICE', size, root) }]);
    expect(answer.status).to.equal(202);
    expect(await answer.json()).to.deep.equal({ kept: 1, pending: 0 });
    expect(Object.keys(await gateway.gateway.log.checkpoints.offChainCosignaturesAt(size))).to.include('POLICE');
  });

  it('refuses, keeping nothing, a line that does not verify under the named agency\'s note key', async () => {
    const size = gateway.gateway.log.tree.size;
    const root = gateway.gateway.log.tree.rootAt(size);
    // A valid line beside the invalid one, dated apart from any the gateway signed itself: it must not be kept either.
    const valid = lineOf('JUSTICE', size, root, Math.floor(Date.now() / 1000) - 3_600);
    // The court's line, claimed as the police's.
    const answer = await post([
      { treeSize: size, root: toHex(root), agency: 'JUSTICE', signature: valid },
      { treeSize: size, root: toHex(root), agency: 'POLICE', signature: lineOf('COURT', size, root) },
    ]);
    expect(answer.status).to.equal(400);
    const problem = (await answer.json()) as { errors: Array<{ path: string }> };
    expect(problem.errors.map((e) => e.path)).to.deep.equal(['cosignatures.1.signature']);
    expect((await gateway.gateway.log.checkpoints.offChainCosignaturesAt(size))['JUSTICE']).to.not.equal(valid);
  });

  it('answers 409 to a valid cosignature of another root at a size it holds, and raises the alert', async () => {
    const size = gateway.gateway.log.tree.size;
    const other = new Uint8Array(32).fill(7);
    const answer = await post([{ treeSize: size, root: toHex(other), agency: 'COURT', signature: lineOf('COURT', size, other) }]);
    expect(answer.status).to.equal(409);
    await until(() => gateway.logs.some((line) => line.includes('ALERT: an agency') && line.includes('"source":"peer"')), 'the alert in the log');
    const metrics = await (await fetch(`${gateway.url()}/metrics`)).text();
    expect(metrics).to.match(/checkpoint_conflicts_total [1-9]/);
  });

  it('holds a cosignature of a size beyond its log, and checks it once the log reaches that size', async () => {
    const size = gateway.gateway.log.tree.size;
    const ahead = size + 2;
    // Signed over today's root: once the log holds two more entries, its root there is another.
    const root = gateway.gateway.log.tree.rootAt(size);
    const early = await post([{ treeSize: ahead, root: toHex(root), agency: 'POLICE', signature: lineOf('POLICE', ahead, root) }]);
    expect(early.status).to.equal(202);
    expect(await early.json()).to.deep.equal({ kept: 0, pending: 1 });
    expect(await gateway.gateway.log.checkpoints.offChainCosignaturesAt(ahead)).to.deep.equal({});
    for (const n of [7200, 7201]) {
      const answer = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
      expect(answer.status).to.equal(201);
    }
    await until(() => gateway.logs.some((line) => line.includes('"source":"peer"') && line.includes(`"treeSize":${ahead}`)), 'the held line checked against the root the log reached');
    expect(await gateway.gateway.log.checkpoints.offChainCosignaturesAt(ahead)).to.not.have.property('POLICE');
  });

  it('refuses malformed bodies at the edge', async () => {
    for (const body of [[], [{ treeSize: 0, root: '0'.repeat(64), agency: 'COURT', signature: '— x AAAA' }], [{ treeSize: 1, root: 'zz', agency: 'COURT', signature: '— x AAAA' }], [{ treeSize: 1, root: '0'.repeat(64), agency: 'MAYOR', signature: '— x AAAA' }], Array.from({ length: 65 }, () => ({}))]) {
      expect((await post(body)).status, JSON.stringify(body).slice(0, 80)).to.equal(400);
    }
  });
});
