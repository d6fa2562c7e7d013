import { expect } from 'chai';
import { DomainError, entryHash, subjectRefFor } from 'correction-chaincode/domain';
import { EmbeddedLedger } from '../../gateway/src/ledger/embedded/embedded-ledger.js';
import { CorrectionClient } from '../../gateway/src/services/correction-client.js';
import { caller } from '../support/actors.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { testSealer } from '../support/sealer.js';
import { tempDir } from '../support/temp.js';

const KEY = Buffer.alloc(32, 9);
const COURT = caller('COURT');
const judgment = { title: '刑事判决书', hash: 'b'.repeat(64), size: 48_213, mediaType: 'application/pdf' };
const notice = { title: '执行通知书', hash: 'c'.repeat(64), size: 912, mediaType: 'image/png' };

/** An entry proves its files: the contract lists each attachment in the public facts the entry hash covers. */
describe('attachments on the ledger', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let ledger: EmbeddedLedger;
  let client: CorrectionClient;

  beforeEach(async () => {
    dir = await tempDir();
    ledger = await EmbeddedLedger.open({ dataDir: dir.path, sealer: testSealer() });
    client = new CorrectionClient(ledger);
  });
  afterEach(async () => {
    await ledger.close();
    await dir.remove();
  });

  const handover = (n: number, extra: Record<string, unknown>) =>
    client.recordEvent(COURT, {
      subjectRef: subjectRefFor(KEY, residentId(n)),
      type: 'SENTENCE_HANDOVER',
      occurredAt: '2024-01-10T09:00:00+08:00',
      document: sampleDocument('SENTENCE_HANDOVER', extra),
    });

  it('lists each file (title, hash, size, type) in the entry, under the entry hash', async () => {
    const { entry } = await handover(1, { attachments: [judgment, notice] });
    expect(entry.facts['attachments']).to.deep.equal([judgment, notice]);
    expect(entryHash(entry)).to.equal(entry.hash);
    const swapped = { ...entry, facts: { ...entry.facts, attachments: [{ ...judgment, hash: 'd'.repeat(64) }, notice] } };
    expect(entryHash(swapped)).to.not.equal(entry.hash);
  });

  it('keeps the titles of a sealed record off the public entry, and its hashes on it', async () => {
    const { entry } = await handover(2, { minorAtOffence: true, attachments: [judgment] });
    expect(entry.facts['attachments']).to.deep.equal([{ hash: judgment.hash, size: judgment.size, mediaType: judgment.mediaType }]);
  });

  it('adds nothing to an entry without files', async () => {
    const { entry } = await handover(3, {});
    expect(entry.facts).to.not.have.property('attachments');
  });

  for (const [name, attachments, path] of [
    ['a file listed twice', [judgment, judgment], 'document.attachments'],
    ['an unknown media type', [{ ...judgment, mediaType: 'text/html' }], 'document.attachments.0.mediaType'],
    ['a hash that is not SHA-256', [{ ...judgment, hash: 'B'.repeat(64) }], 'document.attachments.0.hash'],
    ['an empty file', [{ ...judgment, size: 0 }], 'document.attachments.0.size'],
    ['a title with a line break', [{ ...judgment, title: '判决书\n附件' }], 'document.attachments.0.title'],
    ['an empty list', [], 'document.attachments'],
    ['an unknown field', [{ ...judgment, url: 'http://x' }], 'document.attachments.0.url'],
  ] as const) {
    it(`refuses ${name}, naming the field`, async () => {
      const error = await handover(4, { attachments }).then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(DomainError);
      const issues = (error as DomainError).details['issues'] ?? [];
      expect(issues.map((i) => i.path)).to.include(path);
    });
  }
});
