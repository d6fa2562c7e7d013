import { expect } from 'chai';
import {
  documentHash,
  fromHex,
  leafHash,
  verifyConsistency,
  verifyEvidence,
  verifyInclusion,
  type EvidenceBundle,
  type TrustFile,
} from 'correction-verifier';
import type { CheckpointState } from 'correction-chaincode/domain';
import { devKeyPaths } from '../../gateway/src/keys.js';
import type { ConsistencyProof, InclusionProof, LogState } from '../../gateway/src/services/proof-service.js';
import { readTrust } from '../../gateway/src/services/receipts.js';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { expectProblem } from './scenario.suite.js';

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const parseJson = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));

/** Flips one bit of a hex string. */
function flipHex(hex: string, bit: number): string {
  const i = Math.floor(bit / 4);
  const digit = parseInt(hex[i] ?? '0', 16) ^ (1 << (bit % 4));
  return hex.slice(0, i) + digit.toString(16) + hex.slice(i + 1);
}

/** Flips one bit of a compact JWS's signature. */
function flipSignature(jws: string, bit: number): string {
  const [header, payload, signature] = jws.split('.');
  const bytes = Buffer.from(signature ?? '', 'base64url');
  bytes[Math.floor(bit / 8)] = (bytes[Math.floor(bit / 8)] ?? 0) ^ (1 << (bit % 8));
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

describe('proofs and evidence', function () {
  this.timeout(120_000);
  let target: EmbeddedTarget;
  let court: Api;
  let auditor: Api;
  let trust: TrustFile;
  let bundle: EvidenceBundle;
  let receipt: string;
  /** The evidenced entry is a reception, the second entry of its subject's chain. */
  const document = sampleDocument('SUBJECT_RECEIVED');

  before(async () => {
    target = await embeddedTarget({ CHECKPOINT_EVERY: '8', CHECKPOINT_INTERVAL_SECONDS: '0.2' });
    court = new Api(target, 'COURT');
    auditor = new Api(target, 'PROCURATORATE', 'auditor');
    trust = await readTrust(devKeyPaths(target.dataDir).trust);
    const handover = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(7001) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    const justice = new Api(target, 'JUSTICE');
    const recorded = await justice.record('SUBJECT_RECEIVED', { ref: handover.body.entry.subjectRef }, document, '2024-01-15T09:00:00+08:00');
    receipt = recorded.body.receipt;
    for (let i = 0; i < 19; i++) await court.record('SENTENCE_HANDOVER', { idNumber: residentId(7100 + i) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    await target.gateway.follower.reach(21);
    const entryId = recorded.body.entry.id;
    // The timer cosigns the latest size once the log stops growing; wait for it to be final.
    let covered: EvidenceBundle | undefined;
    for (let tries = 0; tries < 100; tries++) {
      const answer = await auditor.get<EvidenceBundle>(`/v1/entries/${entryId}/evidence`);
      if (answer.status === 200 && answer.body.checkpoint.treeSize >= 21) {
        covered = answer.body;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!covered) throw new Error('no final checkpoint covered the entry');
    bundle = covered;
  });
  after(() => target.close());

  it('answers 409 for an entry no final checkpoint covers yet, then proves it once one does', async () => {
    const late = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(7500) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    const id = late.body.entry.id;
    const early = await auditor.get<InclusionProof>(`/v1/entries/${id}/proof`);
    if (early.status === 409) {
      expectProblem(early, 409, 'NOT_YET_CHECKPOINTED');
      expect(early.headers.get('retry-after')).to.equal('5');
    }
    let proof = early;
    for (let tries = 0; proof.status !== 200 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      proof = await auditor.get<InclusionProof>(`/v1/entries/${id}/proof`);
    }
    expect(proof.status).to.equal(200);
    const { leafIndex, treeSize, auditPath, checkpoint, entryHash } = proof.body;
    expect(verifyInclusion(leafIndex, treeSize, leafHash(fromHex(entryHash)), auditPath.map(fromHex), fromHex(checkpoint.root))).to.equal(true);
  });

  it('hands out a bundle that verifies offline, document included', async () => {
    const verdict = await verifyEvidence(bundle, trust, { document });
    expect(verdict.checks.filter((c) => !c.ok)).to.deep.equal([]);
    expect(verdict.checks.map((c) => c.name)).to.deep.equal(['document hash', 'entry hash', 'subject chain', 'receipt', 'inclusion proof', 'checkpoint cosignatures']);
  });

  it('exchanges a receipt for the same bundle', async () => {
    const exchanged = await auditor.post('/v1/evidence', { receipt });
    expect(exchanged.status).to.equal(200);
    expect((exchanged.body as EvidenceBundle).entry).to.deep.equal(bundle.entry);
    expect((await verifyEvidence(exchanged.body as EvidenceBundle, trust, { document })).ok).to.equal(true);
    expectProblem(await auditor.post('/v1/evidence', { receipt: flipSignature(receipt, 3) }), 404, 'NOT_FOUND');
  });

  it('proves consistency between final checkpoints', async () => {
    const { latestFinal } = (await auditor.get<LogState>('/v1/log')).body;
    if (!latestFinal) throw new Error('the log has no final checkpoint');
    const latest = latestFinal.treeSize;
    const answer = await auditor.get<ConsistencyProof>(`/v1/log/consistency?from=8&to=${latest}`);
    expect(answer.status).to.equal(200);
    const { from, to, proof } = answer.body;
    expect(verifyConsistency(from.treeSize, to.treeSize, proof.map(fromHex), fromHex(from.root), fromHex(to.root))).to.equal(true);
    // No proof leads from a larger log to a smaller one, nor to a size no quorum has signed.
    expectProblem(await auditor.get('/v1/log/consistency?from=9&to=8'), 404, 'NOT_FOUND');
    expectProblem(await auditor.get(`/v1/log/consistency?from=8&to=${latest + 1}`), 404, 'NOT_FOUND');
    expectProblem(await auditor.get('/v1/log/consistency?from=0&to=8'), 400, 'VALIDATION_FAILED');
  });

  describe('catches and names every single-bit change', () => {
    async function failing(mutate: (b: EvidenceBundle) => void, withDocument: unknown = document): Promise<string[]> {
      const changed = clone(bundle);
      mutate(changed);
      const verdict = await verifyEvidence(changed, trust, { document: withDocument });
      expect(verdict.ok).to.equal(false);
      return verdict.checks.filter((c) => !c.ok).map((c) => c.name);
    }

    it('in the document', async () => {
      const text = JSON.stringify(document);
      for (let i = 0; i < text.length; i += 7) {
        const bytes = Buffer.from(text, 'utf8');
        bytes[i] = (bytes[i] ?? 0) ^ 0x01;
        let altered: unknown;
        try {
          altered = JSON.parse(bytes.toString('utf8'));
        } catch {
          continue; // not JSON any more: no document to check
        }
        if (documentHash(altered) === documentHash(document)) continue;
        expect(await failing(() => {}, altered)).to.deep.equal(['document hash']);
      }
    });

    it('in every hash of the entry', async () => {
      for (const field of ['hash', 'docHash', 'prevHash'] as const) {
        for (let bit = 0; bit < 256; bit += 5) {
          const names = await failing((b) => {
            (b.entry as Record<string, unknown>)[field] = flipHex(b.entry[field], bit);
          });
          expect(names, `${field} bit ${bit}`).to.include('entry hash');
        }
      }
    });

    it('in the other fields of the entry', async () => {
      for (const field of Object.keys(bundle.entry).filter((f) => f !== 'hash')) {
        const names = await failing((b) => {
          const entry = b.entry as Record<string, unknown>;
          const value = entry[field];
          entry[field] = typeof value === 'number' ? value ^ 1 : typeof value === 'string' ? (value.length ? String.fromCharCode(value.charCodeAt(0) ^ 1) + value.slice(1) : 'x') : { altered: true };
        });
        expect(names, field).to.include('entry hash');
      }
    });

    it('in the inclusion proof', async () => {
      for (let step = 0; step < bundle.inclusion.auditPath.length; step++) {
        for (let bit = 0; bit < 256; bit += 7) {
          expect(await failing((b) => {
            (b.inclusion.auditPath as string[])[step] = flipHex(b.inclusion.auditPath[step] as string, bit);
          })).to.deep.equal(['inclusion proof']);
        }
      }
      expect(await failing((b) => ((b.inclusion as { leafIndex: number }).leafIndex ^= 1))).to.deep.equal(['inclusion proof']);
    });

    it('in the checkpoint', async () => {
      for (let bit = 0; bit < 256; bit += 3) {
        expect(await failing((b) => ((b.checkpoint as { root: string }).root = flipHex(b.checkpoint.root, bit)))).to.deep.equal(['inclusion proof', 'checkpoint cosignatures']);
      }
      expect(await failing((b) => ((b.checkpoint as { blockHeight: number }).blockHeight ^= 1))).to.deep.equal(['checkpoint cosignatures']);
    });

    it('in any cosignature or receipt signature', async () => {
      // One broken cosignature of four still leaves a quorum of three: break two.
      for (let bit = 0; bit < 512; bit += 3) {
        expect(await failing((b) => {
          const cosignatures = b.checkpoint.cosignatures as unknown as Array<{ jws: string }>;
          for (const c of cosignatures.slice(0, 2)) c.jws = flipSignature(c.jws, bit);
        })).to.deep.equal(['checkpoint cosignatures']);
        expect(await failing((b) => ((b as { receipt: string }).receipt = flipSignature(receipt, bit)))).to.deep.equal(['receipt']);
      }
    });

    it('in an earlier entry of the subject chain', async () => {
      expect(bundle.chain).to.have.length(2);
      for (const field of ['occurredAt', 'docHash', 'hash', 'agency']) {
        expect(await failing((b) => {
          const first = b.chain[0] as Record<string, unknown>;
          first[field] = typeof first[field] === 'string' ? flipHex(first[field].replace(/[^0-9a-f]/g, '0').padEnd(1, '0'), 1) : 1;
        }), field).to.deep.equal(['subject chain']);
      }
    });
  });

  it('never finalises a checkpoint that one agency alone signed', async () => {
    const state = await auditor.get<LogState>('/v1/log');
    const size = state.body.size;
    const forgedRoot = 'f'.repeat(64);
    const ledger = target.gateway.ledger;
    const body = { log: 'correction-ledger' as const, treeSize: size + 1000, root: forgedRoot, blockHeight: 1 };
    const { createGatewaySigner } = await import('../../gateway/src/services/receipts.js');
    const { readJwk } = await import('../../gateway/src/keys.js');
    const signer = await createGatewaySigner(new Map([['POLICE', await readJwk(devKeyPaths(target.dataDir).gatewayKey('POLICE'))]]));
    const jws = await signer.signCheckpoint('POLICE', body);
    const anchored = parseJson((await ledger.submit({ agency: 'POLICE' }, 'AnchorCheckpoint', [String(body.treeSize), forgedRoot, '1', jws])).payload);
    expect(anchored).to.include({ final: false });
    // The same agency cannot cosign again under another name: the agency is its MSP, not an argument.
    const again = await ledger.submit({ agency: 'POLICE' }, 'AnchorCheckpoint', [String(body.treeSize), forgedRoot, '1', jws]);
    expect(parseJson(again.payload)).to.include({ final: false });
    const onChain = parseJson(await ledger.evaluate({ agency: 'COURT' }, 'GetCheckpoint', [String(body.treeSize)])) as CheckpointState;
    expect(onChain.cosignatures).to.have.length(1);
    expect(onChain.final).to.equal(false);
    // A bundle made from it fails offline too: relabelled as other agencies, its signature does not verify.
    const forgedBundle = clone(bundle);
    (forgedBundle as { checkpoint: unknown }).checkpoint = { ...body, cosignatures: ['POLICE', 'COURT', 'JUSTICE'].map((agency) => ({ agency, jws })) };
    const verdict = await verifyEvidence(forgedBundle, trust);
    expect(verdict.checks.find((c) => c.name === 'checkpoint cosignatures')?.ok).to.equal(false);
  });

  it('records a conflicting cosignature and raises an alert', async () => {
    await target.gateway.follower.reach(8);
    const honest = await auditor.get('/v1/log/consistency?from=8&to=8');
    expect(honest.status).to.equal(200);
    const conflicts: unknown[] = [];
    target.gateway.follower.once('conflict', (c: unknown) => conflicts.push(c));
    const { createGatewaySigner } = await import('../../gateway/src/services/receipts.js');
    const { readJwk } = await import('../../gateway/src/keys.js');
    const { createHash } = await import('node:crypto');
    // Size 8 is final for all four agencies; a fifth voice cannot exist, so re-sign as an agency
    // whose cosignature we first remove from view by using a size no one signed yet.
    const size = (await auditor.get<LogState>('/v1/log')).body.size;
    const signer = await createGatewaySigner(new Map([['COURT', await readJwk(devKeyPaths(target.dataDir).gatewayKey('COURT'))], ['POLICE', await readJwk(devKeyPaths(target.dataDir).gatewayKey('POLICE'))]]));
    const rootA = createHash('sha256').update('a').digest('hex');
    const rootB = createHash('sha256').update('b').digest('hex');
    const at = size + 5000;
    await target.gateway.ledger.submit({ agency: 'COURT' }, 'AnchorCheckpoint', [String(at), rootA, '1', await signer.signCheckpoint('COURT', { log: 'correction-ledger', treeSize: at, root: rootA, blockHeight: 1 })]);
    const result = await target.gateway.ledger.submit({ agency: 'POLICE' }, 'AnchorCheckpoint', [String(at), rootB, '1', await signer.signCheckpoint('POLICE', { log: 'correction-ledger', treeSize: at, root: rootB, blockHeight: 1 })]);
    expect(JSON.parse(new TextDecoder().decode(result.payload))).to.include({ conflict: true, final: false });
    for (let tries = 0; conflicts.length === 0 && tries < 50; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(conflicts).to.have.length(1);
    expect(conflicts[0]).to.deep.include({ treeSize: at, roots: { COURT: rootA, POLICE: rootB } });
    expect(target.logs.some((line) => line.includes('ALERT') && line.includes(String(at)))).to.equal(true);
    const metrics = await (await fetch(`${target.url()}/metrics`)).text();
    expect(metrics).to.match(/log_checkpoint_conflicts_total 1/);
  });
});
