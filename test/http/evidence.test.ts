import { createHash } from 'node:crypto';
import { expect } from 'chai';
import {
  checkpointText,
  documentHash,
  formatNote,
  fromBase64,
  fromHex,
  leafHash,
  parseNote,
  toBase64,
  verifyCheckpoint,
  verifyConsistency,
  verifyEvidence,
  verifyInclusion,
  type EvidenceBundle,
  type TrustFile,
} from 'correction-verifier';
import type { Agency, CheckpointState } from 'correction-chaincode/domain';
import { devKeyPaths } from '../../gateway/src/keys.js';
import type { NoteSigner } from '../../gateway/src/note-keys.js';
import type { CheckpointPage, ConsistencyProof, EntryInclusionProof, LogState } from '../../gateway/src/services/proof-service.js';
import { readTrust } from '../../gateway/src/services/receipts.js';
import { Api } from '../support/api.js';
import { bundleOnceFinal, cosignedNote, devCosigners } from '../support/checkpoints.js';
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

/** Flips one bit of the signature (after key ID and timestamp) of the i-th signature line of a note. */
function flipCosignature(note: string, line: number, bit: number): string {
  const signed = parseNote(note);
  const lines = signed.signatures.map((s, i) => {
    if (i !== line) return s.line;
    const [dash, name, b64] = s.line.split(' ');
    const bytes = fromBase64(b64 ?? '');
    const at = 12 + Math.floor(bit / 8);
    bytes[at] = (bytes[at] ?? 0) ^ (1 << (bit % 8));
    return `${dash ?? ''} ${name ?? ''} ${toBase64(bytes)}`;
  });
  return formatNote(signed.text, lines);
}

describe('proofs and evidence', function () {
  this.timeout(120_000);
  let target: EmbeddedTarget;
  let court: Api;
  let auditor: Api;
  let trust: TrustFile;
  let bundle: EvidenceBundle;
  let receipt: string;
  let cosigners: Map<Agency, NoteSigner>;
  /** The evidenced entry is a reception, the second entry of its subject's chain. */
  const document = sampleDocument('SUBJECT_RECEIVED');

  before(async () => {
    target = await embeddedTarget({ CHECKPOINT_EVERY: '8', CHECKPOINT_INTERVAL_SECONDS: '0.2' });
    court = new Api(target, 'COURT');
    auditor = new Api(target, 'PROCURATORATE', 'auditor');
    trust = await readTrust(devKeyPaths(target.dataDir).trust);
    cosigners = await devCosigners(target.dataDir);
    const handover = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(7001) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    const justice = new Api(target, 'JUSTICE');
    const recorded = await justice.record('SUBJECT_RECEIVED', { ref: handover.body.entry.subjectRef }, document, '2024-01-15T09:00:00+08:00');
    receipt = recorded.body.receipt;
    for (let i = 0; i < 19; i++) await court.record('SENTENCE_HANDOVER', { idNumber: residentId(7100 + i) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    await target.gateway.follower.reach(21);
    // The log goes quiet at 21: every gateway cosigns that size, and it becomes final.
    bundle = await bundleOnceFinal(auditor, recorded.body.entry.id, 21);
  });
  after(() => target.close());

  it('answers 409 for an entry no final checkpoint covers yet, then proves it once one does', async () => {
    const late = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(7500) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    const id = late.body.entry.id;
    const early = await auditor.get<EntryInclusionProof>(`/v1/entries/${id}/proof`);
    if (early.status === 409) {
      expectProblem(early, 409, 'NOT_YET_CHECKPOINTED');
      expect(early.headers.get('retry-after')).to.equal('5');
    }
    await bundleOnceFinal(auditor, id);
    const proof = await auditor.get<EntryInclusionProof>(`/v1/entries/${id}/proof`);
    expect(proof.status).to.equal(200);
    const { leafIndex, treeSize, auditPath, checkpoint, entryHash } = proof.body;
    expect(verifyInclusion(leafIndex, treeSize, leafHash(fromHex(entryHash)), auditPath.map(fromHex), fromHex(checkpoint.root))).to.equal(true);
    expect(verifyCheckpoint(checkpoint.note, trust).ok).to.equal(true);
  });

  it('hands out a bundle that verifies offline, document included, its checkpoint a C2SP note of the trust file\'s origin', async () => {
    const verdict = await verifyEvidence(bundle, trust, { document });
    expect(verdict.checks.filter((c) => c.status !== 'PASS')).to.deep.equal([]);
    expect(verdict.checks.map((c) => c.name)).to.deep.equal(['document hash', 'entry hash', 'subject chain', 'receipt', 'inclusion proof', 'checkpoint cosignatures']);
    const lines = bundle.checkpoint.split('\n');
    expect(lines[0]).to.equal(trust.origin);
    expect(lines[1]).to.equal(String(bundle.inclusion.treeSize));
    expect(verifyCheckpoint(bundle.checkpoint, trust).agencies).to.have.members(['COURT', 'PROCURATORATE', 'POLICE', 'JUSTICE']);
  });

  it('proves inclusion in the final checkpoint of a chosen size', async () => {
    const entry = bundle.entry;
    const at8 = await auditor.get<EntryInclusionProof>(`/v1/entries/${entry.id}/proof?size=8`);
    expect(at8.status).to.equal(200);
    expect(at8.body.treeSize).to.equal(8);
    expect(verifyInclusion(at8.body.leafIndex, 8, leafHash(fromHex(entry.hash)), at8.body.auditPath.map(fromHex), fromHex(at8.body.checkpoint.root))).to.equal(true);
    const latest = target.gateway.log.latestFinal?.treeSize ?? 0;
    expectProblem(await auditor.get(`/v1/entries/${entry.id}/proof?size=${latest + 1}`), 404, 'NOT_FOUND');
  });

  it('exchanges a receipt for the same bundle', async () => {
    const exchanged = await auditor.post('/v1/evidence', { receipt });
    expect(exchanged.status).to.equal(200);
    expect((exchanged.body as EvidenceBundle).entry).to.deep.equal(bundle.entry);
    expect((await verifyEvidence(exchanged.body, trust, { document })).ok).to.equal(true);
    expectProblem(await auditor.post('/v1/evidence', { receipt: flipSignature(receipt, 3) }), 404, 'NOT_FOUND');
  });

  it('proves consistency between any two final checkpoints', async () => {
    const { latestFinal } = (await auditor.get<LogState>('/v1/log')).body;
    if (!latestFinal) throw new Error('the log has no final checkpoint');
    const page = (await auditor.get<CheckpointPage>('/v1/log/checkpoints?limit=1000')).body;
    const sizes = page.checkpoints.map((c) => c.treeSize);
    expect(sizes).to.include.members([8, 16, latestFinal.treeSize]);
    for (const [from, to] of [[8, latestFinal.treeSize], [8, 16], [16, latestFinal.treeSize], [8, 8]] as const) {
      const answer = await auditor.get<ConsistencyProof>(`/v1/log/consistency?from=${from}&to=${to}`);
      expect(answer.status).to.equal(200);
      const { from: first, to: second, proof } = answer.body;
      expect(verifyConsistency(first.treeSize, second.treeSize, proof.map(fromHex), fromHex(first.root), fromHex(second.root))).to.equal(true);
      expect(verifyCheckpoint(first.note, trust).ok && verifyCheckpoint(second.note, trust).ok).to.equal(true);
    }
    // No proof leads from a larger log to a smaller one, nor to a size no quorum has signed.
    expectProblem(await auditor.get('/v1/log/consistency?from=16&to=8'), 404, 'NOT_FOUND');
    expectProblem(await auditor.get(`/v1/log/consistency?from=8&to=${latestFinal.treeSize + 1}`), 404, 'NOT_FOUND');
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
        expect(names, field).to.satisfy((found: string[]) => found.includes('entry hash') || found.includes('bundle'));
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

    it('in the checkpoint root', async () => {
      const [origin = '', size = '', root = ''] = bundle.checkpoint.split('\n');
      const rootBytes = fromBase64(root);
      for (let bit = 0; bit < 256; bit += 3) {
        const altered = Uint8Array.from(rootBytes);
        altered[Math.floor(bit / 8)] = (altered[Math.floor(bit / 8)] ?? 0) ^ (1 << (bit % 8));
        const text = checkpointText({ origin, size: Number(size), root: altered });
        expect(await failing((b) => {
          (b as { checkpoint: string }).checkpoint = formatNote(text, parseNote(b.checkpoint).signatures.map((s) => s.line));
        })).to.deep.equal(['inclusion proof', 'checkpoint cosignatures']);
      }
    });

    it('in any cosignature, or the receipt\'s signature', async () => {
      // One broken cosignature of four still leaves a quorum of three: break two, and it fails.
      for (let bit = 0; bit < 512; bit += 7) {
        expect(await failing((b) => {
          (b as { checkpoint: string }).checkpoint = flipCosignature(flipCosignature(b.checkpoint, 0, bit), 1, bit);
        })).to.deep.equal(['inclusion proof', 'checkpoint cosignatures']);
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

  it('warns of an invalid cosignature while a quorum of valid ones still holds', async () => {
    const changed = { ...bundle, checkpoint: flipCosignature(bundle.checkpoint, 0, 9) };
    const verdict = await verifyEvidence(changed, trust, { document });
    expect(verdict.ok).to.equal(true);
    const cosigned = verdict.checks.find((c) => c.name === 'checkpoint cosignatures');
    expect(cosigned?.status).to.equal('WARN');
    expect(cosigned?.detail).to.match(/invalid: .*a signature that does not verify/);
  });

  it('never finalises a checkpoint that one agency alone signed', async () => {
    const state = await auditor.get<LogState>('/v1/log');
    const size = state.body.size + 1000;
    const forgedRoot = 'f'.repeat(64);
    const police = cosigners.get('POLICE');
    if (!police) throw new Error('no police note key');
    const note = cosignedNote(trust.origin, size, fromHex(forgedRoot), [police]);
    const signature = parseNote(note).signatures[0]?.line ?? '';
    const anchor = JSON.stringify([{ treeSize: size, root: forgedRoot, signature }]);
    const anchored = parseJson((await target.gateway.ledger.submit({ agency: 'POLICE' }, 'AnchorCheckpoint', [anchor])).payload) as CheckpointState[];
    expect(anchored[0]).to.include({ final: false });
    // The same agency cannot cosign again under another name: the agency is its MSP, not an argument.
    const again = parseJson((await target.gateway.ledger.submit({ agency: 'POLICE' }, 'AnchorCheckpoint', [anchor])).payload) as CheckpointState[];
    expect(again[0]).to.include({ final: false });
    const onChain = parseJson(await target.gateway.ledger.evaluate({ agency: 'COURT' }, 'GetCheckpoint', [String(size)])) as CheckpointState;
    expect(onChain.cosignatures).to.have.length(1);
    expect(onChain.final).to.equal(false);
    // Offline too: the one signature repeated, and its line relabelled with other agencies' names, count once at most.
    const [line = ''] = parseNote(note).signatures.map((s) => s.line);
    const names = [...cosigners.values()].map((s) => s.name);
    const relabelled = formatNote(parseNote(note).text, [line, line, ...names.map((name) => line.replace(police.name, name))]);
    const verdict = verifyCheckpoint(relabelled, trust);
    expect(verdict.ok).to.equal(false);
    expect(verdict.agencies).to.deep.equal(['POLICE']);
  });

  it('records a conflicting cosignature and raises an alert', async () => {
    const conflicts: unknown[] = [];
    target.gateway.follower.once('conflict', (c: unknown) => conflicts.push(c));
    const size = (await auditor.get<LogState>('/v1/log')).body.size + 5000;
    const rootA = createHash('sha256').update('a').digest();
    const rootB = createHash('sha256').update('b').digest();
    const anchorOf = (agency: Agency, root: Buffer): string => {
      const signer = cosigners.get(agency);
      if (!signer) throw new Error(`no note key of ${agency}`);
      const signature = parseNote(cosignedNote(trust.origin, size, root, [signer])).signatures[0]?.line ?? '';
      return JSON.stringify([{ treeSize: size, root: root.toString('hex'), signature }]);
    };
    await target.gateway.ledger.submit({ agency: 'COURT' }, 'AnchorCheckpoint', [anchorOf('COURT', rootA)]);
    const result = parseJson((await target.gateway.ledger.submit({ agency: 'POLICE' }, 'AnchorCheckpoint', [anchorOf('POLICE', rootB)])).payload) as CheckpointState[];
    expect(result[0]).to.include({ conflict: true, final: false });
    const until = Date.now() + 5_000;
    while (conflicts.length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(conflicts).to.have.length(1);
    expect(conflicts[0]).to.deep.include({ treeSize: size, roots: { COURT: rootA.toString('hex'), POLICE: rootB.toString('hex') } });
    expect(target.logs.some((line) => line.includes('ALERT') && line.includes(String(size)))).to.equal(true);
    const metrics = await (await fetch(`${target.url()}/metrics`)).text();
    expect(metrics).to.match(/log_checkpoint_conflicts_total 1/);
  });
});
