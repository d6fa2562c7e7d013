import { createHash } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { expect } from 'chai';
import { parseNote, parseTrustFile, toBase64, verifyCheckpoint, verifyEvidence, type TrustFile } from 'correction-verifier';
import { devKeyPaths, ensureDevKeys } from '../../gateway/src/keys.js';
import { generateNoteKey, noteSignerOf } from '../../gateway/src/note-keys.js';
import { Witness } from '../../gateway/src/witness/witness.js';
import { WitnessState } from '../../gateway/src/witness/witness-state.js';
import { listenWitness, witnessApp } from '../../gateway/src/witness/witness-server.js';
import { Api } from '../support/api.js';
import { bundleOnceFinal, cosignedNote, devCosigners } from '../support/checkpoints.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { tempDir } from '../support/temp.js';
import { until } from '../support/until.js';

type TempDir = Awaited<ReturnType<typeof tempDir>>;

describe('an outside witness (C2SP tlog-witness)', function () {
  this.timeout(120_000);
  let dir: TempDir;
  let witnessState: WitnessState;
  let witnessServer: Server;
  let witnessUrl: string;
  let trust: TrustFile;
  let gateway: EmbeddedTarget;
  const witnessKey = generateNoteKey('notary.correction-ledger.invalid/witness');

  before(async () => {
    dir = await tempDir('correction-witness-');
    // The consortium's keys first, then a witness that knows them, then the trust file that names the witness.
    const dataDir = join(dir.path, 'gateway');
    await ensureDevKeys(dataDir);
    const devTrust = JSON.parse(await readFile(devKeyPaths(dataDir).trust, 'utf8')) as Record<string, unknown>;
    witnessState = await WitnessState.open(join(dir.path, 'witness'));
    const witness = new Witness({ signer: noteSignerOf(witnessKey.skey), logs: [parseTrustFile(devTrust)], state: witnessState });
    const listening = await listenWitness(witnessApp(witness), '127.0.0.1', 0);
    witnessServer = listening.server;
    witnessUrl = `http://127.0.0.1:${listening.port}`;
    trust = parseTrustFile({ ...devTrust, witnesses: [{ name: 'notary', key: witnessKey.vkey, url: witnessUrl }], policy: { agencies: 3, witnesses: 1 } });
    await writeFile(devKeyPaths(dataDir).trust, JSON.stringify(trust, null, 2), { mode: 0o600 });
    gateway = await embeddedTarget({ DATA_DIR: dataDir, CHECKPOINT_INTERVAL_SECONDS: '0.2' });
  });
  after(async () => {
    await (gateway as EmbeddedTarget | undefined)?.close();
    witnessServer.close();
    witnessServer.closeAllConnections();
    await witnessState.close();
    await dir.remove();
  });

  it('cosigns each checkpoint the agencies made final, and the bundle verifies only with its cosignature', async () => {
    const court = new Api(gateway, 'COURT');
    const document = sampleDocument('SENTENCE_HANDOVER');
    const recorded = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(9001) }, document, '2024-01-10T09:00:00+08:00');
    const bundle = await bundleOnceFinal(court, recorded.body.entry.id);
    const verdict = await verifyEvidence(bundle, trust, { document });
    expect(verdict.checks.filter((c) => c.status !== 'PASS')).to.deep.equal([]);
    expect(verifyCheckpoint(bundle.checkpoint, trust).witnesses).to.deep.equal(['notary']);
    // Without the witness's line the same checkpoint falls short of the policy.
    const signed = parseNote(bundle.checkpoint);
    const agenciesOnly = `${signed.text}\n${signed.signatures.filter((s) => !s.name.startsWith('notary')).map((s) => `${s.line}\n`).join('')}`;
    expect(verifyCheckpoint(agenciesOnly, trust).ok).to.equal(false);
    // The witness serves what it cosigned to monitors, by the SHA-256 of the origin.
    const originHash = createHash('sha256').update(trust.origin).digest('hex');
    const served = await fetch(`${witnessUrl}/${originHash}/checkpoint`);
    expect(served.status).to.equal(200);
    expect(verifyCheckpoint(await served.text(), trust).witnesses).to.deep.equal(['notary']);
  });

  it('follows the log as it grows: each later checkpoint with a consistency proof from the last', async () => {
    const court = new Api(gateway, 'COURT');
    for (let i = 0; i < 3; i++) {
      const recorded = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(9100 + i) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
      await bundleOnceFinal(court, recorded.body.entry.id);
    }
    expect((await witnessState.latest(trust.origin))?.size).to.equal(gateway.gateway.log.tree.size);
  });

  it('answers the protocol\'s statuses: unknown origin 404, too few agencies 403, stale old size 409, bad proof 422', async () => {
    const cosigners = [...(await devCosigners(join(dir.path, 'gateway'))).values()];
    const latest = await witnessState.latest(trust.origin);
    if (!latest) throw new Error('the witness holds no checkpoint');
    const root = Buffer.from(latest.root, 'base64');
    const post = (body: string) => fetch(`${witnessUrl}/add-checkpoint`, { method: 'POST', body });
    expect((await post(`old 0\n\n${cosignedNote('elsewhere.invalid/log', 1, root, cosigners)}`)).status).to.equal(404);
    expect((await post(`old ${latest.size}\n\n${cosignedNote(trust.origin, latest.size, root, cosigners.slice(0, 2))}`)).status).to.equal(403);
    const stale = await post(`old 0\n\n${cosignedNote(trust.origin, latest.size, root, cosigners)}`);
    expect(stale.status).to.equal(409);
    expect(stale.headers.get('content-type')).to.match(/^text\/x\.tlog\.size/);
    expect(await stale.text()).to.equal(`${latest.size}\n`);
    const badProof = await post(`old ${latest.size}\n${toBase64(Buffer.alloc(32, 1))}\n\n${cosignedNote(trust.origin, latest.size + 5, Buffer.alloc(32, 2), cosigners)}`);
    expect(badProof.status).to.equal(422);
    expect((await post('old 1\nnot base64!\n\nx\n')).status).to.equal(400);
  });

  it('refuses a second, different checkpoint of a size it cosigned, and the gateway that sent it raises the alert', async () => {
    // Another ledger under the same keys and origin: a split view of "the" log.
    const forkDir = join(dir.path, 'fork');
    await cp(join(dir.path, 'gateway', 'keys'), join(forkDir, 'keys'), { recursive: true });
    const fork = await embeddedTarget({ DATA_DIR: forkDir, CHECKPOINT_INTERVAL_SECONDS: '0.2' });
    try {
      const court = new Api(fork, 'COURT');
      const size = gateway.gateway.log.tree.size;
      for (let i = 0; i < size; i++) {
        await court.record('SENTENCE_HANDOVER', { idNumber: residentId(9500 + i) }, sampleDocument('SENTENCE_HANDOVER'), '2024-03-01T09:00:00+08:00');
      }
      await until(() => fork.logs.some((line) => line.includes('ALERT') && line.includes('witness')), 'the fork raising the alert');
      const metrics = await (await fetch(`${fork.url()}/metrics`)).text();
      expect(metrics).to.match(/log_checkpoint_conflicts_total [1-9]/);
      expect(await witnessState.refusedCount()).to.be.at.least(1);
      // The witness still holds the honest log, and the fork's checkpoints never become final.
      expect((await witnessState.latest(trust.origin))?.root).to.equal(toBase64(gateway.gateway.log.tree.rootAt(size)));
      expect(fork.gateway.log.checkpoints.latestFinal).to.equal(undefined);
    } finally {
      await fork.close();
    }
  });
});
