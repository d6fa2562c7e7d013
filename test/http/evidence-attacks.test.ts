import { createPrivateKey, sign } from 'node:crypto';
import { expect } from 'chai';
import {
  checkpointText,
  formatNote,
  fromBase64,
  parseNote,
  parseTrustFile,
  toBase64,
  TrustFileError,
  verifyCheckpoint,
  verifyEvidence,
  type EvidenceBundle,
  type TrustFile,
} from 'correction-verifier';
import type { Agency } from 'correction-chaincode/domain';
import { devKeyPaths, readJwk } from '../../gateway/src/keys.js';
import { generateNoteKey, noteSignerOf, type NoteSigner } from '../../gateway/src/note-keys.js';
import { readTrust } from '../../gateway/src/services/receipts.js';
import { Api } from '../support/api.js';
import { bundleOnceFinal, cosignedNote, devCosigners } from '../support/checkpoints.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';

type Mutable<T> = T extends ReadonlyArray<infer U> ? Array<Mutable<U>> : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;
const clone = <T>(value: T): Mutable<T> => JSON.parse(JSON.stringify(value)) as Mutable<T>;

/** The trust file as plain JSON, to be changed and read again through the schema. */
type TrustJson = Mutable<TrustFile> & Record<string, unknown>;

/**
 * Evidence bundles and trust files crafted to deceive the offline verifier: each must be refused,
 * by the trust file's schema or by the bundle's checks.
 */
describe('crafted evidence, each refused', function () {
  this.timeout(120_000);
  let target: EmbeddedTarget;
  let trust: TrustFile;
  let trustJson: TrustJson;
  let cosigners: Map<Agency, NoteSigner>;
  let bundle: EvidenceBundle;
  let other: EvidenceBundle;
  const document = sampleDocument('SENTENCE_HANDOVER');

  const signer = (agency: Agency): NoteSigner => {
    const found = cosigners.get(agency);
    if (!found) throw new Error(`no note key of ${agency}`);
    return found;
  };
  /** The bundle's checkpoint size and root. */
  const checkpointOf = (b: EvidenceBundle): { size: number; root: Uint8Array } => {
    const [, size = '', root = ''] = b.checkpoint.split('\n');
    return { size: Number(size), root: fromBase64(root) };
  };
  const refusedTrust = (json: unknown, message: RegExp): void => {
    expect(() => parseTrustFile(json)).to.throw(TrustFileError, message);
  };
  async function refused(b: unknown, check: string, withTrust: TrustFile = trust): Promise<void> {
    const verdict = await verifyEvidence(b, withTrust, { document });
    expect(verdict.ok, JSON.stringify(verdict.checks)).to.equal(false);
    expect(verdict.checks.filter((c) => !c.ok).map((c) => c.name)).to.include(check);
  }

  before(async () => {
    target = await embeddedTarget({ CHECKPOINT_INTERVAL_SECONDS: '0.2' });
    trust = await readTrust(devKeyPaths(target.dataDir).trust);
    trustJson = clone(trust);
    cosigners = await devCosigners(target.dataDir);
    const court = new Api(target, 'COURT');
    const first = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(8001) }, document, '2024-01-10T09:00:00+08:00');
    const second = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(8002) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    await court.record('SENTENCE_HANDOVER', { idNumber: residentId(8003) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    await target.gateway.follower.reach(3);
    bundle = await bundleOnceFinal(court, first.body.entry.id, 3);
    other = await bundleOnceFinal(court, second.body.entry.id, 3);
    expect((await verifyEvidence(bundle, trust, { document })).ok).to.equal(true);
  });
  after(() => target.close());

  describe('trust files', () => {
    it('refuses a key relabelled under a second agency, so that one signature cannot count twice', () => {
      const relabelled = clone(trustJson);
      const court = relabelled.agencies.COURT;
      if (!court || !relabelled.agencies.POLICE) throw new Error('no court or police');
      relabelled.agencies.POLICE.noteKeys.push(...court.noteKeys);
      refusedTrust(relabelled, /agencies\.POLICE\.noteKeys\.1: the same key is already listed for COURT/);
    });

    it('counts one signature once even in a hand-made trust file that lists its key under two agencies', async () => {
      const handMade = { ...trust, agencies: { ...trust.agencies, POLICE: { gatewayKeys: [], noteKeys: trust.agencies.COURT?.noteKeys ?? [] } } } as TrustFile;
      const { size, root } = checkpointOf(bundle);
      const note = cosignedNote(trust.origin, size, root, [signer('COURT'), signer('JUSTICE')]);
      expect(verifyCheckpoint(note, handMade).agencies).to.have.length(2);
      await refused({ ...bundle, checkpoint: note }, 'checkpoint cosignatures', handMade);
    });

    it('refuses a quorum of zero', () => {
      refusedTrust({ ...trustJson, policy: { agencies: 0, witnesses: 0 } }, /policy\.agencies/);
    });

    it('refuses a quorum below more than two thirds of the agencies', () => {
      refusedTrust({ ...trustJson, policy: { agencies: 2, witnesses: 0 } }, /must be at least 3 \(more than two thirds of 4 agencies\)/);
    });

    it('refuses an agency the consortium does not have', () => {
      refusedTrust({ ...trustJson, agencies: { ...trustJson.agencies, MINISTRY: trustJson.agencies.COURT } }, /agencies/);
    });

    it('refuses a trust file without an origin', () => {
      const { origin: _origin, ...withoutOrigin } = trustJson;
      refusedTrust(withoutOrigin, /origin/);
    });

    it('refuses private key material published as a gateway key', async () => {
      const privateJwk = await readJwk(devKeyPaths(target.dataDir).gatewayKey('COURT'));
      const leaked = clone(trustJson);
      if (!leaked.agencies.COURT) throw new Error('no court');
      leaked.agencies.COURT.gatewayKeys = [privateJwk as never];
      refusedTrust(leaked, /agencies\.COURT\.gatewayKeys\.0/);
    });

    it('refuses a witness policy larger than the witnesses listed', () => {
      refusedTrust({ ...trustJson, policy: { agencies: 3, witnesses: 1 } }, /policy\.witnesses: must be at most the 0 witnesses listed/);
    });

    it('refuses a witness that carries an agency\'s key', () => {
      const vkey = trustJson.agencies.JUSTICE?.noteKeys[0] ?? '';
      refusedTrust({ ...trustJson, witnesses: [{ name: 'notary', key: vkey }] }, /witnesses\.0\.key: the same key is already listed for JUSTICE/);
    });

    it('refuses a note key of another signature type than cosignature/v1', () => {
      const [name = '', , material = ''] = (trustJson.agencies.COURT?.noteKeys[0] ?? '').split('+');
      const plain = Buffer.from(material, 'base64');
      plain[0] = 0x01;
      const changed = clone(trustJson);
      if (!changed.agencies.COURT) throw new Error('no court');
      changed.agencies.COURT.noteKeys = [`${name}+00000000+${plain.toString('base64')}`];
      refusedTrust(changed, /agencies\.COURT\.noteKeys\.0/);
    });
  });

  describe('checkpoints', () => {
    it('refuses a duplicated cosignature standing in for other agencies', async () => {
      const signed = parseNote(bundle.checkpoint);
      const line = signed.signatures[0]?.line ?? '';
      await refused({ ...bundle, checkpoint: formatNote(signed.text, [line, line, line, line]) }, 'checkpoint cosignatures');
    });

    it('refuses a checkpoint of another log with the same keys (another origin)', async () => {
      const { size, root } = checkpointOf(bundle);
      const foreign = cosignedNote('correction-ledger.invalid/another-consortium/corrections', size, root, [...cosigners.values()]);
      await refused({ ...bundle, checkpoint: foreign }, 'checkpoint cosignatures');
      // And a bundle of this log, checked against another consortium's trust file with the same keys.
      await refused(bundle, 'checkpoint cosignatures', parseTrustFile({ ...trustJson, origin: 'correction-ledger.invalid/another-consortium/corrections' }));
    });

    it('refuses a checkpoint whose root was altered', async () => {
      const signed = parseNote(bundle.checkpoint);
      const { size, root } = checkpointOf(bundle);
      const altered = Uint8Array.from(root);
      altered[0] = (altered[0] ?? 0) ^ 1;
      const text = checkpointText({ origin: trust.origin, size, root: altered });
      await refused({ ...bundle, checkpoint: formatNote(text, signed.signatures.map((s) => s.line)) }, 'checkpoint cosignatures');
    });

    it('refuses a checkpoint whose tree size was altered', async () => {
      const signed = parseNote(bundle.checkpoint);
      const { size, root } = checkpointOf(bundle);
      const text = checkpointText({ origin: trust.origin, size: size + 1, root });
      await refused({ ...bundle, checkpoint: formatNote(text, signed.signatures.map((s) => s.line)) }, 'checkpoint cosignatures');
    });

    it('refuses cosignatures made over another checkpoint', async () => {
      const { size, root } = checkpointOf(bundle);
      const elsewhere = parseNote(cosignedNote(trust.origin, size + 7, root, [...cosigners.values()]));
      const text = checkpointText({ origin: trust.origin, size, root });
      await refused({ ...bundle, checkpoint: formatNote(text, elsewhere.signatures.map((s) => s.line)) }, 'checkpoint cosignatures');
    });

    it('refuses cosignature lines renamed to other agencies\' key names', async () => {
      const signed = parseNote(bundle.checkpoint);
      const court = signer('COURT');
      const courtLine = signed.signatures.find((s) => s.name === court.name)?.line ?? '';
      const renamed = (['PROCURATORATE', 'POLICE', 'JUSTICE'] as const).map((agency) => courtLine.replace(court.name, signer(agency).name));
      await refused({ ...bundle, checkpoint: formatNote(signed.text, [courtLine, ...renamed]) }, 'checkpoint cosignatures');
    });

    it('refuses cosignatures dated in the future', async () => {
      const { size, root } = checkpointOf(bundle);
      const tomorrow = Math.floor(Date.now() / 1000) + 86_400;
      await refused({ ...bundle, checkpoint: cosignedNote(trust.origin, size, root, [...cosigners.values()], tomorrow) }, 'checkpoint cosignatures');
    });

    it('refuses a checkpoint carrying extension lines', async () => {
      const signed = parseNote(bundle.checkpoint);
      const text = `${signed.text}unsigned-for meaning\n`;
      const lines = [...cosigners.values()].map((s) => s.cosign(text, Math.floor(Date.now() / 1000)));
      await refused({ ...bundle, checkpoint: formatNote(text, lines) }, 'checkpoint cosignatures');
    });

    it('refuses a witness cosignature from a witness the trust file does not list', async () => {
      const listed = noteSignerOf(generateNoteKey('notary.example/witness').skey);
      const stranger = noteSignerOf(generateNoteKey('notary.example/witness').skey);
      const withWitness = parseTrustFile({ ...trustJson, witnesses: [{ name: 'notary', key: listed.vkey }], policy: { agencies: 3, witnesses: 1 } });
      const { size, root } = checkpointOf(bundle);
      const byStranger = cosignedNote(trust.origin, size, root, [...cosigners.values(), stranger]);
      await refused({ ...bundle, checkpoint: byStranger }, 'checkpoint cosignatures', withWitness);
      // The listed witness's own cosignature makes the same checkpoint final.
      const byListed = cosignedNote(trust.origin, size, root, [...cosigners.values(), listed]);
      expect((await verifyEvidence({ ...bundle, checkpoint: byListed }, withWitness, { document })).ok).to.equal(true);
    });

    it('refuses a cosignature with a valid timestamp but a signature by another key', async () => {
      const { size, root } = checkpointOf(bundle);
      const text = checkpointText({ origin: trust.origin, size, root });
      const impostor = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, 7)]), format: 'der', type: 'pkcs8' });
      const forged = [...cosigners.values()].slice(0, 3).map((s) => {
        const line = s.cosign(text, 1_700_000_000);
        const bytes = fromBase64(line.split(' ')[2] ?? '');
        const signature = sign(null, Buffer.from(`cosignature/v1\ntime 1700000000\n${text}`), impostor);
        return `${line.split(' ').slice(0, 2).join(' ')} ${toBase64(Uint8Array.from([...bytes.subarray(0, 12), ...signature]))}`;
      });
      await refused({ ...bundle, checkpoint: formatNote(text, forged) }, 'checkpoint cosignatures');
    });
  });

  describe('proofs and receipts', () => {
    it('refuses the inclusion proof of another entry', async () => {
      await refused({ ...bundle, inclusion: other.inclusion }, 'inclusion proof');
    });

    it('refuses a proof for another tree size than the checkpoint\'s', async () => {
      const { size, root } = checkpointOf(bundle);
      const bigger = cosignedNote(trust.origin, size + 1, root, [...cosigners.values()]);
      await refused({ ...bundle, checkpoint: bigger }, 'inclusion proof');
      await refused({ ...bundle, inclusion: { ...bundle.inclusion, treeSize: size + 1 } }, 'inclusion proof');
    });

    it('refuses an inclusion proof moved to another leaf index', async () => {
      await refused({ ...bundle, inclusion: { ...bundle.inclusion, leafIndex: other.inclusion.leafIndex } }, 'inclusion proof');
    });

    it('refuses the receipt of another entry', async () => {
      await refused({ ...bundle, receipt: other.receipt }, 'receipt');
    });

    it('refuses a receipt signed by a key that is no agency gateway\'s', async () => {
      const [header = '', payload = ''] = (bundle.receipt ?? '').split('.');
      const stranger = createPrivateKey({ key: { kty: 'EC', crv: 'P-256', ...(await strangerKey()) }, format: 'jwk' });
      const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key: stranger, dsaEncoding: 'ieee-p1363' });
      await refused({ ...bundle, receipt: `${header}.${payload}.${signature.toString('base64url')}` }, 'receipt');
    });

    it('refuses an entry swapped for another with its own chain', async () => {
      await refused({ ...bundle, entry: other.entry }, 'receipt');
      await refused({ ...bundle, entry: other.entry, chain: other.chain }, 'inclusion proof');
    });

    it('refuses a bundle of another shape (an old version, or fields missing)', async () => {
      await refused({ ...bundle, version: 1 }, 'bundle');
      const { inclusion: _inclusion, ...withoutProof } = bundle;
      await refused(withoutProof, 'bundle');
    });

    it('refuses a document that is not the one recorded', async () => {
      const verdict = await verifyEvidence(bundle, trust, { document: { ...document, judgment: 'another judgment' } });
      expect(verdict.checks.find((c) => c.name === 'document hash')?.ok).to.equal(false);
      expect(verdict.ok).to.equal(false);
    });
  });
});

/** A P-256 key that no trust file lists. */
async function strangerKey(): Promise<{ d: string; x: string; y: string }> {
  const { generateKeyPair, exportJWK } = await import('jose');
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { d: jwk.d ?? '', x: jwk.x ?? '', y: jwk.y ?? '' };
}
