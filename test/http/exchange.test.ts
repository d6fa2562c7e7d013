import { randomBytes } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { Readable } from 'node:stream';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Agency, CollectionName, Entry } from 'correction-chaincode/domain';
import { ApiError } from '../../gateway/src/errors.js';
import { CursorFile } from '../../gateway/src/exchange/cursor-file.js';
import { ExchangeServer } from '../../gateway/src/exchange/exchange-server.js';
import { PeerRecognizer } from '../../gateway/src/exchange/identity.js';
import { Prefetcher } from '../../gateway/src/exchange/prefetcher.js';
import { RemoteFiles } from '../../gateway/src/exchange/remote-files.js';
import { LogProjections } from '../../gateway/src/log/projections/log-projections.js';
import { exchangeGet, exchangeNetwork, strangerIdentity, type ExchangeNetwork } from '../support/exchange-peers.js';
import { samplePdf, sha256 } from '../support/sample-files.js';
import { tempDir } from '../support/temp.js';
import { until } from '../support/until.js';

const TITLE = '判决书（张某某）';

/** An entry of `agency` in `collection` listing the files; the rest of its fields play no part here. */
function entryListing(agency: Agency, collection: CollectionName, files: ReadonlyArray<{ hash: string; size: number }>): Entry {
  return {
    id: randomBytes(16).toString('hex'), subjectRef: 'a'.repeat(64), seq: 1, type: 'SENTENCE_HANDOVER', agency, unit: '*',
    occurredAt: '2026-11-30T08:00:00.000Z', recordedAt: '2026-11-30T08:00:01.000Z',
    facts: { attachments: files.map((f) => ({ title: TITLE, hash: f.hash, size: f.size, mediaType: 'application/pdf' })) },
    notify: ['PROCURATORATE', 'POLICE', 'JUSTICE'], to: [{ agency: 'JUSTICE', unit: '110105' }, { agency: 'POLICE', unit: '110105' }],
    collection, docHash: 'b'.repeat(64), amends: null, prevHash: '0'.repeat(64), txId: 'c'.repeat(64), hash: 'd'.repeat(64),
  };
}

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Waits for `condition` to hold, checking as things happen; fails after `ms`. */
describe('the gateway-to-gateway file exchange (mutual TLS on loopback)', () => {
  let net: ExchangeNetwork;

  before(async () => {
    net = await exchangeNetwork();
  });
  after(async () => {
    await net.close();
  });

  /** A PDF the court holds, listed by a court entry in `collection`. */
  async function courtFile(collection: CollectionName = 'handoverDocs', bytes = 200_000): Promise<{ pdf: Buffer; hash: string; entry: Entry }> {
    const pdf = samplePdf(bytes);
    const stored = await net.peer('COURT').store.put(Readable.from([pdf]));
    const entry = entryListing('COURT', collection, [{ hash: stored.hash, size: stored.size }]);
    net.entries.set(entry.id, entry);
    return { pdf, hash: stored.hash, entry };
  }

  it('a justice bureau fetches the court\'s file, checked against the entry, and keeps the same bytes', async () => {
    const { pdf, hash, entry } = await courtFile();
    const justice = net.peer('JUSTICE');
    expect(await justice.store.stat(hash)).to.equal(undefined);
    const fetched = await justice.remote.fetch(entry, hash);
    expect(fetched).to.deep.equal({ hash, size: pdf.length, mediaType: 'application/pdf' });
    expect(sha256(await readAll(justice.store.read(hash)))).to.equal(sha256(pdf));
    const served = net.logs.filter((line) => line.includes('served a file to a peer'));
    expect(served.at(-1)).to.include('"peer":"JUSTICE"');
    // Titles name people: they never reach a log line.
    expect(net.logs.join('\n')).not.to.include('张某某');
  });

  it('serves a peer whose agency is not a member of the entry\'s collection nothing (403)', async () => {
    const { hash, entry } = await courtFile('judicialDocs');
    const police = net.peer('POLICE');
    const answer = await exchangeGet(net.url('COURT'), `/exchange/v1/files/${hash}?entry=${entry.id}`, police.identity);
    expect(answer.status).to.equal(403);
    expect(answer.headers['content-type']).to.equal('application/problem+json');
    expect((await refusal(police.remote.fetch(entry, hash))).code).to.equal('FORBIDDEN');
    expect(await police.store.stat(hash)).to.equal(undefined);
  });

  it('serves nothing for a file the entry does not list, and checks the hash and entry id (400)', async () => {
    const { entry } = await courtFile();
    const { hash: other } = await courtFile();
    const justice = net.peer('JUSTICE').identity;
    expect((await exchangeGet(net.url('COURT'), `/exchange/v1/files/${other}?entry=${entry.id}`, justice)).status).to.equal(404);
    const bad = await exchangeGet(net.url('COURT'), `/exchange/v1/files/${other.toUpperCase()}?entry=${entry.id}x`, justice);
    expect(bad.status).to.equal(400);
    expect((JSON.parse(bad.body.toString()) as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).to.deep.equal(['hash', 'entry']);
  });

  it('answers FILE_NOT_HELD when the holder lists the file but does not hold it', async () => {
    const missing = sha256(samplePdf(1_000));
    const entry = entryListing('COURT', 'handoverDocs', [{ hash: missing, size: 1_000 }]);
    net.entries.set(entry.id, entry);
    expect((await refusal(net.peer('JUSTICE').remote.fetch(entry, missing))).code).to.equal('FILE_NOT_HELD');
  });

  it('refuses at the TLS layer a client whose key no agency lists, one with no certificate, and plain HTTP', async () => {
    const { hash, entry } = await courtFile();
    const path = `/exchange/v1/files/${hash}?entry=${entry.id}`;
    const stranger = await strangerIdentity('JUSTICE', net.trust);
    for (const attempt of [exchangeGet(net.url('COURT'), path, stranger), exchangeGet(net.url('COURT'), path)]) {
      const error = await attempt.then(() => undefined, (e: unknown) => e as NodeJS.ErrnoException);
      expect(error?.code).to.be.oneOf(['ECONNRESET', 'EPIPE']);
    }
    const plain = await new Promise<unknown>((resolve) => {
      httpGet({ host: '127.0.0.1', port: net.peer('COURT').port, path }, () => {
        resolve('answered');
      }).on('error', resolve);
    });
    expect(plain).to.be.instanceOf(Error);
    expect(net.logs.some((line) => line.includes('refused a connection whose certificate carries no other agency'))).to.equal(true);
  });

  it('pins the holder: a gateway with a valid key of another agency at the holder\'s URL is not believed', async () => {
    const { hash, entry } = await courtFile();
    const justice = net.peer('JUSTICE');
    const misled = new RemoteFiles({
      identity: justice.identity, peers: new PeerRecognizer(net.trust), urls: new Map([['COURT', net.url('POLICE')]]), files: justice.store,
      onMismatch: () => undefined, connectTimeoutMs: 2_000, idleTimeoutMs: 5_000, retryAfterSeconds: 3, logger: net.logger,
    });
    const error = await refusal(misled.fetch(entry, hash));
    expect(error.code).to.equal('FILE_HOLDER_UNAVAILABLE');
    expect(net.logs.some((line) => line.includes('ALERT') && line.includes('"presented":"POLICE"'))).to.equal(true);
    expect(await justice.store.stat(hash)).to.equal(undefined);
  });

  it('detects a holder serving other bytes than the entry lists: refused, alert logged, counted, nothing kept', async () => {
    const { hash, entry } = await courtFile();
    const court = net.peer('COURT');
    const other = samplePdf(200_000);
    // The court's own store, answering with other bytes under the listed hash (a holder that lies).
    const lying = new ExchangeServer({
      identity: court.identity, peers: new PeerRecognizer(net.trust), concurrency: 2, logger: net.logger,
      entries: (id) => Promise.resolve(net.entries.get(id) ?? entry),
      files: { stat: (h) => court.store.stat(h), read: () => Readable.from([other]) },
    });
    const port = await lying.listen(0, '127.0.0.1');
    try {
      const justice = net.peer('JUSTICE');
      const fetcher = new RemoteFiles({
        identity: justice.identity, peers: new PeerRecognizer(net.trust), urls: new Map([['COURT', new URL(`https://127.0.0.1:${port}`)]]), files: justice.store,
        onMismatch: (holder) => justice.mismatches.set(holder, (justice.mismatches.get(holder) ?? 0) + 1), connectTimeoutMs: 2_000, idleTimeoutMs: 5_000, retryAfterSeconds: 3, logger: net.logger,
      });
      const error = await refusal(fetcher.fetch(entry, hash));
      expect(error.code).to.equal('FILE_HASH_MISMATCH');
      expect(justice.mismatches.get('COURT')).to.equal(1);
      const alert = net.logs.find((line) => line.includes('ALERT') && line.includes(hash));
      expect(alert).to.include(entry.id).and.include('"holder":"COURT"').and.not.include(TITLE);
      expect(await justice.store.stat(hash)).to.equal(undefined);
    } finally {
      await lying.close();
    }
  });

  it('shares one transfer among concurrent fetches of one file', async () => {
    const { hash, entry } = await courtFile('handoverDocs', 2_000_000);
    const procuratorate = net.peer('PROCURATORATE');
    const served = () => net.logs.filter((line) => line.includes('served a file to a peer') && line.includes(hash)).length;
    const results = await Promise.all(Array.from({ length: 5 }, () => procuratorate.remote.fetch(entry, hash)));
    expect(new Set(results.map((r) => r.hash))).to.deep.equal(new Set([hash]));
    // The holder logs a transfer once its response has finished, which may be just after the fetcher has every byte.
    await until(() => served() >= 1, 'the holder logged the transfer', 10_000);
    expect(served()).to.equal(1);
  });

  it('answers FILE_HOLDER_UNAVAILABLE with a retry delay while the holder is down, and fetches once it is back', async () => {
    const { hash, entry } = await courtFile();
    const court = net.peer('COURT');
    const police = net.peer('POLICE');
    await court.server.close();
    try {
      const error = await refusal(police.remote.fetch(entry, hash));
      expect(error.code).to.equal('FILE_HOLDER_UNAVAILABLE');
      expect(error.extensions['retryAfter']).to.equal(3);
    } finally {
      await court.server.listen(court.port, '127.0.0.1');
    }
    expect((await police.remote.fetch(entry, hash)).hash).to.equal(hash);
  });

  describe('prefetch', () => {
    it('fetches the files of an entitled entry as its notice arrives, skips others, and carries on after a restart', async () => {
      const dir = await tempDir();
      const log = await LogProjections.open(dir.path);
      const justice = net.peer('JUSTICE');
      const court = net.peer('COURT');
      const cursor = new CursorFile(join(dir.path, 'prefetch-cursor'));
      const prefetcher = () => new Prefetcher({
        agency: 'JUSTICE', notices: log.notices, files: justice.store, remote: justice.remote, cursor, concurrency: 2, backoff: { baseMs: 20, maxMs: 200 }, attempts: 3, logger: net.logger,
      });
      const notice = (entry: Entry) => ({ kind: 'entry' as const, agencies: entry.notify, to: entry.to, data: { entry } });
      let running = prefetcher();
      try {
        await running.start();
        const first = await courtFile();
        const held = new Promise((resolve) => running.once('held', resolve));
        await log.appendNotice('n1', notice(first.entry));
        expect(await held).to.equal(first.hash);
        expect(sha256(await readAll(justice.store.read(first.hash)))).to.equal(sha256(first.pdf));
        // A notice of the justice bureau's own entry: it holds its files, or nobody does; nothing to fetch.
        const notForJustice = await courtFile();
        await log.appendNotice('n2', notice({ ...notForJustice.entry, agency: 'JUSTICE' }));
        await until(async () => (await cursor.read()) === 2, 'the cursor at 2');
        expect(await justice.store.stat(notForJustice.hash)).to.equal(undefined);

        // The holder goes down; the prefetcher keeps trying, then the gateway restarts before the file came.
        await court.server.close();
        const second = await courtFile();
        await log.appendNotice('n3', notice(second.entry));
        await until(() => net.logs.some((line) => line.includes('prefetch will try a file again') && line.includes(second.hash)), 'prefetch to retry');
        await running.close();
        expect(await cursor.read()).to.equal(2);
        await court.server.listen(court.port, '127.0.0.1');
        running = prefetcher();
        const again = new Promise((resolve) => running.once('held', resolve));
        await running.start();
        expect(await again).to.equal(second.hash);
        await until(async () => (await cursor.read()) === 3, 'the cursor at 3');
        expect(Number((await readFile(join(dir.path, 'prefetch-cursor'), 'utf8')).trim())).to.equal(3);

        // A file the holder does not hold: tried a few times, then left to be fetched when asked for.
        const missing = sha256(samplePdf(1_000));
        const orphan = entryListing('COURT', 'handoverDocs', [{ hash: missing, size: 1_000 }]);
        net.entries.set(orphan.id, orphan);
        await log.appendNotice('n4', notice(orphan));
        await until(async () => (await cursor.read()) === 4, 'the cursor at 4');
        expect(net.logs.filter((line) => line.includes('prefetch will try a file again') && line.includes(missing))).to.have.length(2);
        expect(net.logs.some((line) => line.includes('prefetch gave up on a file') && line.includes(missing))).to.equal(true);
      } finally {
        await running.close();
        await log.close();
        await dir.remove();
      }
    });
  });
});
