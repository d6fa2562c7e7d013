import { expect } from 'chai';
import type { Agency, Entry } from 'correction-chaincode/domain';
import { DOCUMENT_KEY_FILE, readKeyFile } from '../../gateway/src/key-files.js';
import { devKeyPaths } from '../../gateway/src/keys.js';
import { createSealer } from '../../gateway/src/store/sealer.js';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import type { FabricTarget } from '../support/fabric-target.js';
import { forgeStoredFile } from '../support/forged-file.js';
import { residentId } from '../support/ids.js';
import { samplePdf, sha256 } from '../support/sample-files.js';
import { sharedFabricTarget } from './shared.js';

interface Uploaded {
  readonly hash: string;
  readonly size: number;
  readonly mediaType: string;
}

const JUDGMENT = '判决书（2024）京0105刑初1号.pdf';

describe('documents travel with their entries on Fabric: gateway-to-gateway exchange', function () {
  this.timeout(180_000);
  let target: FabricTarget;
  // Each Fabric test file takes its own range of ID numbers (2,000,000 apart; 16,000,000 is this file's).
  let n = (Math.floor(Date.now() / 1000) % 1_000_000) + 16_000_000;

  before(async () => {
    target = await sharedFabricTarget();
  });
  after(async () => {
    // A test that failed half-way may have left the court's gateway stopped.
    if (!target.gateways.has('COURT')) await target.start('COURT');
  });

  const gateway = (agency: Agency) => {
    const found = target.gateways.get(agency);
    if (!found) throw new Error(`${agency}'s gateway is not running`);
    return found;
  };

  async function upload(agency: Agency, bytes: Buffer): Promise<Uploaded> {
    const response = await fetch(`${target.url(agency)}/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await target.token(agency)}`, 'content-type': 'application/pdf' },
      body: bytes,
    });
    expect(response.status, await response.clone().text()).to.equal(201);
    return (await response.json()) as Uploaded;
  }

  async function download(agency: Agency, hash: string, entryId: string): Promise<Response> {
    return fetch(`${target.url(agency)}/v1/documents/${hash}?entry=${entryId}`, { headers: { authorization: `Bearer ${await target.token(agency)}` } });
  }

  /** The court hands a subject over with the files listed; answers the entry once the justice bureau's gateway has it. */
  async function handover(files: ReadonlyArray<Uploaded & { title: string }>): Promise<Entry> {
    const court = new Api(target, 'COURT');
    const recorded = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(++n) }, sampleDocument('SENTENCE_HANDOVER', { attachments: files }), '2024-01-10T09:00:00+08:00');
    expect(recorded.status, JSON.stringify(recorded.body)).to.equal(201);
    return recorded.body.entry;
  }

  /** Waits until an agency's gateway holds the file, checking as it goes. */
  async function held(agency: Agency, hash: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await gateway(agency).files.stat(hash))) {
      if (Date.now() > deadline) throw new Error(`${agency}'s gateway did not come to hold the file`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('a court uploads a PDF judgment and hands over: the justice bureau\'s gateway fetches it unasked and serves the same bytes', async () => {
    const pdf = samplePdf(300_000);
    const file = await upload('COURT', pdf);
    expect(file).to.deep.equal({ hash: sha256(pdf), size: pdf.length, mediaType: 'application/pdf' });
    expect(await gateway('JUSTICE').files.stat(file.hash)).to.equal(undefined);
    const entry = await handover([{ title: JUDGMENT, ...file }]);
    expect(entry.facts['attachments']).to.deep.equal([{ title: JUDGMENT, ...file }]);

    // Prefetch: the file comes with the notice, before anyone asks for it.
    await held('JUSTICE', file.hash);
    // The notice that reached the justice bureau carries the entry with its attachment list (SSE and webhooks send it as it is).
    const notices = await gateway('JUSTICE').log.notices.noticesAfter(0, { agency: 'JUSTICE', unit: '*' }, 100_000);
    const notice = notices.find((candidate) => (candidate.data['entry'] as Entry | undefined)?.id === entry.id);
    expect((notice?.data['entry'] as Entry | undefined)?.facts['attachments']).to.deep.equal([{ title: JUDGMENT, ...file }]);
    const served = await download('JUSTICE', file.hash, entry.id);
    expect(served.status).to.equal(200);
    expect(served.headers.get('etag')).to.equal(`"${file.hash}"`);
    expect(decodeURIComponent(served.headers.get('content-disposition') ?? '')).to.include(JUDGMENT);
    expect(sha256(Buffer.from(await served.arrayBuffer()))).to.equal(file.hash);
    expect(target.logs.some((line) => line.includes('served a file to a peer') && line.includes('"peer":"JUSTICE"') && line.includes(file.hash))).to.equal(true);
  });

  it('the police gateway refuses a file of an entry it is not entitled to (an assessment in judicialDocs)', async () => {
    const letter = await upload('COURT', samplePdf(20_000));
    const court = new Api(target, 'COURT');
    const recorded = await court.record('ASSESSMENT_COMMISSIONED', { idNumber: residentId(++n) }, sampleDocument('ASSESSMENT_COMMISSIONED', { attachments: [{ title: '调查评估委托函', ...letter }] }), '2024-01-05T09:00:00+08:00');
    expect(recorded.status, JSON.stringify(recorded.body)).to.equal(201);
    expect(recorded.body.entry.collection).to.equal('judicialDocs');
    const refused = await download('POLICE', letter.hash, recorded.body.entry.id);
    expect(refused.status).to.equal(403);
    expect(await gateway('POLICE').files.stat(letter.hash)).to.equal(undefined);
  });

  it('a tampered copy on the holder is refused by the fetching gateway: 502, an ALERT, a metric, nothing kept', async () => {
    const pdf = samplePdf(150_000);
    const file = await upload('COURT', pdf);
    // Tampered before anyone fetched it: other bytes sealed under the judgment's name with the court's document key.
    const court = gateway('COURT');
    const sealer = createSealer(await readKeyFile(DOCUMENT_KEY_FILE, devKeyPaths(target.keysDir).documentKey));
    await forgeStoredFile(court.config.dataDir, sealer, file.hash, samplePdf(pdf.length));
    const entry = await handover([{ title: '执行通知书', ...file }]);
    // The procuratorate's gateway does not prefetch: it fetches when asked.
    const answer = await download('PROCURATORATE', file.hash, entry.id);
    expect(answer.status).to.equal(502);
    expect(((await answer.json()) as { code: string }).code).to.equal('FILE_HASH_MISMATCH');
    expect(await gateway('PROCURATORATE').files.stat(file.hash)).to.equal(undefined);
    const alert = target.logs.find((line) => line.includes('ALERT') && line.includes(file.hash));
    expect(alert).to.include(entry.id).and.include('"holder":"COURT"').and.not.include('执行通知书');
    const metrics = await (await fetch(`${target.url('PROCURATORATE')}/metrics`)).text();
    expect(metrics).to.match(/exchange_file_hash_mismatches_total\{holder="COURT"\} [1-9]/);
  });

  it('with the court\'s gateway stopped the justice bureau serves its kept copy; a file not kept answers 503 with Retry-After until the court is back', async () => {
    const pdf = samplePdf(200_000);
    const file = await upload('COURT', pdf);
    const entry = await handover([{ title: '结案登记表', ...file }]);
    await held('JUSTICE', file.hash);
    await target.stop('COURT');
    try {
      const kept = await download('JUSTICE', file.hash, entry.id);
      expect(kept.status).to.equal(200);
      expect(sha256(Buffer.from(await kept.arrayBuffer()))).to.equal(file.hash);
      const missing = await download('PROCURATORATE', file.hash, entry.id);
      expect(missing.status).to.equal(503);
      expect(Number(missing.headers.get('retry-after'))).to.be.greaterThan(0);
      expect(((await missing.json()) as { code: string }).code).to.equal('FILE_HOLDER_UNAVAILABLE');
    } finally {
      await target.start('COURT');
    }
    const served = await download('PROCURATORATE', file.hash, entry.id);
    expect(served.status).to.equal(200);
    expect(sha256(Buffer.from(await served.arrayBuffer()))).to.equal(file.hash);
  });
});
