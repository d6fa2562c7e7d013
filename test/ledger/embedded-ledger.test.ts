import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { Level } from 'level';
import { DomainError, subjectRefFor, type Entry } from 'correction-chaincode/domain';
import { blockHash, dataHashOf, ZERO_HASH, type Block } from '../../gateway/src/ledger/embedded/block.js';
import { auditEmbeddedLedger } from '../../gateway/src/ledger/embedded/audit.js';
import { EmbeddedLedger } from '../../gateway/src/ledger/embedded/embedded-ledger.js';
import { EmbeddedStub } from '../../gateway/src/ledger/embedded/stub.js';
import { CommittedState } from '../../gateway/src/ledger/embedded/world-state.js';
import type { LedgerEvent } from '../../gateway/src/ledger/port.js';
import { CorrectionClient } from '../../gateway/src/services/correction-client.js';
import { SealedSublevel } from '../../gateway/src/store/sealed-sublevel.js';
import { SealedValueError } from '../../gateway/src/store/sealer.js';
import { caller } from '../support/actors.js';
import { SAMPLE_NAME, sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { testSealer } from '../support/sealer.js';
import { tempDir } from '../support/temp.js';

const KEY = Buffer.alloc(32, 3);
const refOf = (n: number) => subjectRefFor(KEY, residentId(n));
const COURT = caller('COURT');
const JUSTICE = caller('JUSTICE');
const POLICE = caller('POLICE');

async function allBlocks(ledger: EmbeddedLedger): Promise<Block[]> {
  const blocks: Block[] = [];
  for await (const block of ledger.blocks()) blocks.push(block);
  return blocks;
}

describe('embedded ledger', () => {
  const sealer = testSealer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let ledger: EmbeddedLedger;
  let client: CorrectionClient;

  beforeEach(async () => {
    dir = await tempDir();
    ledger = await EmbeddedLedger.open({ dataDir: dir.path, sealer });
    client = new CorrectionClient(ledger);
  });
  afterEach(async () => {
    await ledger.close();
    await dir.remove();
  });

  /** Hands a subject over and receives it: two entries. */
  async function receive(n: number): Promise<string> {
    const ref = refOf(n);
    await client.recordEvent(COURT, { subjectRef: ref, type: 'SENTENCE_HANDOVER', occurredAt: '2024-01-10T09:00:00+08:00', document: sampleDocument('SENTENCE_HANDOVER') });
    await client.recordEvent(JUSTICE, { subjectRef: ref, type: 'SUBJECT_RECEIVED', occurredAt: '2024-01-15T09:00:00+08:00', document: sampleDocument('SUBJECT_RECEIVED') });
    return ref;
  }

  it('keeps state, blocks and the chain across a restart', async () => {
    const ref = await receive(1);
    const height = await ledger.height();
    await ledger.close();
    ledger = await EmbeddedLedger.open({ dataDir: dir.path, sealer });
    client = new CorrectionClient(ledger);
    expect(await ledger.height()).to.equal(height);
    expect((await client.status(JUSTICE, ref)).state).to.equal('UNDER_CORRECTION');
    await client.recordEvent(JUSTICE, { subjectRef: ref, type: 'WARNING_ISSUED', occurredAt: '2024-02-01T09:00:00+08:00', document: sampleDocument('WARNING_ISSUED') });
    const blocks = await allBlocks(ledger);
    expect(blocks).to.have.length(height + 1);
    expect(blocks.at(-1)?.header.previousHash).to.equal(blockHash((blocks.at(-2) as Block).header));
    expect((await auditEmbeddedLedger(ledger)).ok).to.equal(true);
  });

  it('pages digests of every stored entry and status for auditors (GetStateDigests), and refuses others', async () => {
    const refs = await Promise.all([31, 32, 33].map(receive));
    const auditor = caller('PROCURATORATE', { role: 'auditor' });
    const read = async (kind: string, bookmark: string, size: string) =>
      JSON.parse(new TextDecoder().decode(await ledger.evaluate(auditor, 'GetStateDigests', [kind, bookmark, size]))) as { digests: Array<{ key: string[]; digest: string }>; bookmark: string };
    const pages = [];
    let bookmark = '';
    do {
      const page = await read('entry', bookmark, '4');
      pages.push(page.digests);
      bookmark = page.bookmark;
    } while (bookmark !== '');
    expect(pages.map((p) => p.length)).to.deep.equal([4, 2]);
    const digests = pages.flat();
    const written = new Map((await allBlocks(ledger)).flatMap((b) => b.transactions.flatMap((t) => t.writes)).filter((w): w is [string, string] => w[1] !== null));
    for (const { key, digest } of digests) {
      const stored = written.get(`\u0000entry\u0000${key.join('\u0000')}\u0000`);
      expect(stored, key.join('/')).to.be.a('string');
      expect(digest).to.equal(createHash('sha256').update(stored ?? '').digest('hex'));
    }
    expect(new Set(digests.map((d) => d.key[0]))).to.deep.equal(new Set(refs));
    expect((await read('subject', '', '2000')).digests.map((d) => d.key)).to.have.deep.members(refs.map((r) => [r]));
    for (const [who, args, code] of [
      [COURT, ['entry', '', '10'], 'FORBIDDEN'],
      [auditor, ['document', '', '10'], 'INVALID_INPUT'],
      [auditor, ['entry', '\u0000subject\u0000', '10'], 'INVALID_INPUT'],
      [auditor, ['entry', '', '2001'], 'INVALID_INPUT'],
    ] as const) {
      const refused = await ledger.evaluate(who, 'GetStateDigests', [...args]).then(() => undefined, (error: unknown) => error);
      expect(refused, args.join(',')).to.be.instanceOf(DomainError).with.property('code', code);
    }
  });

  it('chains every block header to the previous one by SHA-256', async () => {
    await Promise.all([1, 2, 3, 4, 5].map(receive));
    const blocks = await allBlocks(ledger);
    expect(blocks.length).to.be.greaterThan(1);
    blocks.forEach((block, n) => {
      expect(block.header.number).to.equal(n);
      expect(block.header.dataHash).to.equal(dataHashOf(block.transactions));
      expect(block.header.previousHash).to.equal(n === 0 ? ZERO_HASH : blockHash((blocks[n - 1] as Block).header));
    });
  });

  it('writes nothing for a failed transaction, even inside a block with good ones', async () => {
    const ref = refOf(9);
    const before = await ledger.height();
    const results = await Promise.allSettled([
      client.recordEvent(COURT, { subjectRef: refOf(10), type: 'SENTENCE_HANDOVER', occurredAt: '2024-01-10T09:00:00+08:00', document: sampleDocument('SENTENCE_HANDOVER') }),
      client.recordEvent(POLICE, { subjectRef: ref, type: 'SENTENCE_HANDOVER', occurredAt: '2024-01-10T09:00:00+08:00', document: sampleDocument('SENTENCE_HANDOVER') }),
      client.recordEvent(COURT, { subjectRef: refOf(11), type: 'SENTENCE_HANDOVER', occurredAt: '2024-01-10T09:00:00+08:00', document: sampleDocument('SENTENCE_HANDOVER') }),
    ]);
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    const refused = results[1] as PromiseRejectedResult;
    expect(refused.reason).to.be.instanceOf(DomainError).with.property('code', 'FORBIDDEN');
    try {
      await client.status(COURT, ref);
      expect.fail('the refused subject must not exist');
    } catch (error) {
      expect(error).to.be.instanceOf(DomainError).with.property('code', 'NOT_FOUND');
    }
    const blocks = await allBlocks(ledger);
    const written = blocks.slice(before).flatMap((b) => b.transactions.flatMap((t) => t.writes.map(([key]) => key)));
    expect(written.some((key) => key.includes(ref))).to.equal(false);
    expect(written.filter((key) => key.startsWith('\u0000entry\u0000'))).to.have.length(2);
  });

  it('keeps documents off the blocks and hands them only to member agencies', async () => {
    const ref = await receive(20);
    await client.recordEvent(JUSTICE, { subjectRef: ref, type: 'REVOCATION_PROPOSED', occurredAt: '2024-03-01T09:00:00+08:00', document: sampleDocument('REVOCATION_PROPOSED') });
    const entries = await client.entries(COURT, ref);
    const proposal = entries.at(-1) as Entry;
    expect(proposal.collection).to.equal('judicialDocs');
    expect(await client.document(COURT, proposal.id)).to.deep.equal(sampleDocument('REVOCATION_PROPOSED'));
    try {
      await client.document(POLICE, proposal.id);
      expect.fail('police are not entitled to revocation proposals');
    } catch (error) {
      expect(error).to.be.instanceOf(DomainError).with.property('code', 'FORBIDDEN');
    }
    const blockText = JSON.stringify(await allBlocks(ledger));
    expect(blockText).to.not.include(SAMPLE_NAME);
    expect(blockText).to.include(proposal.docHash);
  });

  it('seals documents at rest: ciphertext in the store, the plaintext\'s hash in the block', async () => {
    const ref = await receive(60);
    const handover = (await client.entries(COURT, ref))[0] as Entry;
    const stored = await ledger.store.privateData.raw.values().all();
    expect(stored).to.have.length(2);
    for (const sealed of stored) {
      expect(sealed[0]).to.equal(1);
      expect(Buffer.from(sealed).includes(Buffer.from(SAMPLE_NAME))).to.equal(false);
    }
    const blockText = JSON.stringify(await allBlocks(ledger));
    expect(blockText).to.include(handover.docHash);
    expect(await client.document(COURT, handover.id)).to.deep.equal(sampleDocument('SENTENCE_HANDOVER'));
  });

  it('refuses a document ciphertext copied onto another entry with a typed error, not garbage', async () => {
    const [first, second] = [(await client.entries(COURT, await receive(70)))[0], (await client.entries(COURT, await receive(71)))[0]] as [Entry, Entry];
    const { privateData } = ledger.store;
    const sealed = await privateData.raw.get(`${first.collection}\u0000${first.id}`);
    await privateData.raw.put(`${second.collection}\u0000${second.id}`, sealed as Uint8Array);
    const refused = await client.document(COURT, second.id).then(() => undefined, (error: unknown) => error);
    expect(refused).to.be.instanceOf(SealedValueError).with.property('reason', 'NOT_AUTHENTIC');
    expect(refused).to.have.property('code', 'SEALED_VALUE_UNREADABLE');
    expect(await client.document(COURT, first.id)).to.deep.equal(sampleDocument('SENTENCE_HANDOVER'));
  });

  it('refuses a handover receipt that acknowledges another subject\'s handover', async () => {
    const first = refOf(50);
    const second = refOf(51);
    const handover = await client.recordEvent(COURT, { subjectRef: first, type: 'SENTENCE_HANDOVER', occurredAt: '2024-01-10T09:00:00+08:00', document: sampleDocument('SENTENCE_HANDOVER') });
    await client.recordEvent(COURT, { subjectRef: second, type: 'SENTENCE_HANDOVER', occurredAt: '2024-01-10T09:00:00+08:00', document: sampleDocument('SENTENCE_HANDOVER') });
    const receipt = (acknowledges: string, subjectRef: string) =>
      client.recordEvent(JUSTICE, { subjectRef, type: 'HANDOVER_RECEIPT', occurredAt: '2024-01-12T09:00:00+08:00', document: sampleDocument('HANDOVER_RECEIPT', { acknowledges }) });
    const refused = await receipt(handover.entry.id, second).then(() => undefined, (error: unknown) => error);
    expect(refused).to.be.instanceOf(DomainError).with.property('code', 'NOT_FOUND');
    expect((await receipt(handover.entry.id, first)).entry.facts['acknowledges']).to.equal(handover.entry.id);
  });

  it('keeps the history of every key', async () => {
    const ref = await receive(30);
    const stub = new EmbeddedStub(new CommittedState(ledger.store), {
      txId: 'history', timestamp: new Date(), agency: 'COURT', fn: 'none', args: [], transient: new Map(),
    });
    const iterator = await stub.getHistoryForKey(stub.createCompositeKey('subject', [ref]));
    const states: string[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
      states.push((JSON.parse(new TextDecoder().decode(r.value.value)) as { state: string }).state);
    }
    expect(states).to.deep.equal(['PENDING_REPORT', 'UNDER_CORRECTION']);
  });

  it('replays the chaincode event of every committed entry, then follows new ones', async () => {
    const events: LedgerEvent[] = [];
    const abort = new AbortController();
    const following = (async () => {
      for await (const event of ledger.followEvents(0, abort.signal)) events.push(event);
    })();
    const ref = await receive(40);
    while (events.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    abort.abort();
    await following;
    expect(events.map((e) => e.name)).to.deep.equal(['EntryRecorded', 'EntryRecorded']);
    const last = JSON.parse(new TextDecoder().decode(events[1]?.payload)) as Entry;
    expect(last.subjectRef).to.equal(ref);
    expect(last.type).to.equal('SUBJECT_RECEIVED');
  });
});

describe('embedded ledger audit', () => {
  const sealer = testSealer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let entries: Entry[];

  /** Builds a small ledger, closes it, lets the test edit the LevelDB files, then audits. */
  beforeEach(async () => {
    dir = await tempDir();
    const ledger = await EmbeddedLedger.open({ dataDir: dir.path, sealer });
    const client = new CorrectionClient(ledger);
    for (const n of [1, 2]) {
      const ref = refOf(n);
      await client.recordEvent(COURT, { subjectRef: ref, type: 'SENTENCE_HANDOVER', occurredAt: '2024-01-10T09:00:00+08:00', document: sampleDocument('SENTENCE_HANDOVER') });
      await client.recordEvent(JUSTICE, { subjectRef: ref, type: 'SUBJECT_RECEIVED', occurredAt: '2024-01-15T09:00:00+08:00', document: sampleDocument('SUBJECT_RECEIVED') });
      await client.recordEvent(JUSTICE, { subjectRef: ref, type: 'WARNING_ISSUED', occurredAt: '2024-02-01T09:00:00+08:00', document: sampleDocument('WARNING_ISSUED') });
    }
    entries = await client.entries(COURT, refOf(1));
    await ledger.close();
  });
  afterEach(() => dir.remove());

  async function tamper(edit: (db: Level) => Promise<void>) {
    const db = new Level(`${dir.path}/ledger`, { valueEncoding: 'utf8' });
    await edit(db);
    await db.close();
    const ledger = await EmbeddedLedger.open({ dataDir: dir.path, sealer });
    try {
      return await auditEmbeddedLedger(ledger);
    } finally {
      await ledger.close();
    }
  }
  const state = (db: Level) => db.sublevel('state', { valueEncoding: 'utf8' });
  const blocks = (db: Level) => db.sublevel('blocks', { valueEncoding: 'utf8' });
  const entryKey = (e: Entry) => `\u0000entry\u0000${e.subjectRef}\u0000${String(e.seq).padStart(10, '0')}\u0000`;

  it('finds an untouched ledger intact', async () => {
    const report = await tamper(async () => {});
    expect(report).to.include({ ok: true, subjects: 2, entries: 6 });
    expect(report.problems).to.deep.equal([]);
  });

  it('names the entry whose contents were edited', async () => {
    const target = entries[1] as Entry;
    const report = await tamper(async (db) => {
      await state(db).put(entryKey(target), JSON.stringify({ ...target, occurredAt: '2024-01-01T00:00:00+08:00' }));
    });
    expect(report.ok).to.equal(false);
    expect(report.problems.map((p) => [p.kind, p.entryId])).to.deep.include.members([
      ['ENTRY_ALTERED', target.id],
      ['ENTRY_DIFFERS_FROM_BLOCK', target.id],
    ]);
  });

  it('catches an entry rewritten with a fresh hash by its broken link and by its block', async () => {
    const target = entries[0] as Entry;
    const { entryHash } = await import('correction-chaincode/domain');
    const forged = { ...target, facts: { ...target.facts, termEnd: '2030-01-01' } };
    const report = await tamper(async (db) => {
      await state(db).put(entryKey(target), JSON.stringify({ ...forged, hash: entryHash(forged) }));
    });
    const kinds = report.problems.map((p) => `${p.kind}:${p.entryId ?? ''}`);
    expect(kinds).to.include(`CHAIN_BROKEN:${(entries[1] as Entry).id}`);
    expect(kinds).to.include(`ENTRY_DIFFERS_FROM_BLOCK:${target.id}`);
    expect(kinds).to.include('STATUS_MISMATCH:');
  });

  it('names a deleted entry', async () => {
    const target = entries[2] as Entry;
    const report = await tamper(async (db) => {
      await state(db).del(entryKey(target));
    });
    expect(report.problems.map((p) => [p.kind, p.entryId])).to.deep.include(['ENTRY_MISSING', target.id]);
  });

  it('names the block whose transactions were edited', async () => {
    const edited = await tamper(async (db) => {
      const raw = (await blocks(db).get('000000000002')) as string;
      await blocks(db).put('000000000002', raw.replace('WARNING_ISSUED', 'WARNING_ISSUEX'));
    });
    expect(edited.problems.map((p) => [p.kind, p.block])).to.deep.include(['BLOCK_DATA_ALTERED', 2]);
  });

  it('names a block whose header was rewritten to cover an edit', async () => {
    const report = await tamper(async (db) => {
      const block = JSON.parse((await blocks(db).get('000000000001')) as string) as Block;
      const transactions = block.transactions.map((t) => ({ ...t, fn: 'Forged' }));
      await blocks(db).put('000000000001', JSON.stringify({ header: { ...block.header, dataHash: dataHashOf(transactions) }, transactions }));
    });
    expect(report.problems.map((p) => [p.kind, p.block])).to.deep.include(['BLOCK_HEADER_ALTERED', 1]);
    expect(report.problems.map((p) => p.kind)).to.not.include('BLOCK_DATA_ALTERED');
  });

  const documentKey = (e: Entry) => `${e.collection}\u0000${e.id}`;

  it('names a document rewritten under the right key by its hash', async () => {
    const target = entries[0] as Entry;
    const report = await tamper(async (db) => {
      await new SealedSublevel(db, 'private', sealer).put(documentKey(target), JSON.stringify({ forged: true }));
    });
    expect(report.problems.map((p) => [p.kind, p.entryId])).to.deep.equal([['DOCUMENT_ALTERED', target.id]]);
  });

  it('names each document that does not open: a flipped byte, another entry\'s ciphertext, plain text', async () => {
    const [flipped, moved, plain] = entries as [Entry, Entry, Entry];
    const report = await tamper(async (db) => {
      const docs = db.sublevel<string, Uint8Array>('private', { valueEncoding: 'view' });
      const sealed = Buffer.from((await docs.get(documentKey(flipped))) as Uint8Array);
      sealed[sealed.length - 20] = (sealed[sealed.length - 20] ?? 0) ^ 0x01;
      await docs.put(documentKey(flipped), sealed);
      await docs.put(documentKey(moved), (await docs.get(documentKey(plain))) as Uint8Array);
      await docs.put(documentKey(plain), new TextEncoder().encode(JSON.stringify(sampleDocument('WARNING_ISSUED'))));
    });
    expect(report.problems.map((p) => [p.kind, p.entryId])).to.have.deep.members([
      ['DOCUMENT_UNREADABLE', flipped.id],
      ['DOCUMENT_UNREADABLE', moved.id],
      ['DOCUMENT_UNREADABLE', plain.id],
    ]);
    expect(report.problems.find((p) => p.entryId === plain.id)?.detail).to.match(/not in a sealed format/);
  });

  it('names every document when audited with another document key, and nothing else', async () => {
    const ledger = await EmbeddedLedger.open({ dataDir: dir.path, sealer: testSealer() });
    try {
      const report = await auditEmbeddedLedger(ledger);
      expect(report.problems).to.have.length(6);
      expect(new Set(report.problems.map((p) => p.kind))).to.deep.equal(new Set(['DOCUMENT_UNREADABLE']));
      expect(report.problems.map((p) => p.entryId)).to.include.members(entries.map((e) => e.id));
    } finally {
      await ledger.close();
    }
  });

  it('names a subject whose stored status was edited', async () => {
    const report = await tamper(async (db) => {
      const key = `\u0000subject\u0000${refOf(2)}\u0000`;
      const status = JSON.parse((await state(db).get(key)) as string) as Record<string, unknown>;
      await state(db).put(key, JSON.stringify({ ...status, warningCount: 0 }));
    });
    expect(report.problems.map((p) => [p.kind, p.subjectRef])).to.deep.equal([['STATUS_MISMATCH', refOf(2)]]);
  });
});
