import { connect } from 'node:net';
import { readdir, readlink, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse as parseDisposition } from 'content-disposition';
import type { Entry } from 'correction-chaincode/domain';
import { AccessTrailSchema } from '../../gateway/src/http/responses.js';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { getBytes, sendBytes, uploadFile } from '../support/file-transfer.js';
import { encodingsOf, filesContaining, keptFiles } from '../support/files.js';
import { residentId } from '../support/ids.js';
import { disguisedFiles, sampleJpeg, sampleOfd, samplePdf, samplePng, sha256 } from '../support/sample-files.js';
import { mountSmallDisk } from '../support/small-disk.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { until } from '../support/until.js';

const LIMIT = 1_048_576;
const HANDOVER_AT = '2024-01-10T09:00:00+08:00';

interface Stored {
  hash: string;
  size: number;
  mediaType: string;
}

/** Waits until `condition` holds, checking every 20 ms, for at most `ms`. */
const listing = (file: Stored, title: string) => ({ title, hash: file.hash, size: file.size, mediaType: file.mediaType });

describe('documents (attachments) over HTTP', () => {
  let target: EmbeddedTarget;
  let court: Api;
  const filesDir = () => join(target.dataDir, 'files');
  const temporaries = () => readdir(join(filesDir(), 'tmp'));

  before(async () => {
    target = await embeddedTarget({ DOCUMENT_MAX_BYTES: String(LIMIT) });
    court = new Api(target, 'COURT');
  });
  after(() => target.close());

  describe('POST /v1/documents', () => {
    for (const [name, bytes, mediaType] of [
      ['a PDF', samplePdf(200_000), 'application/pdf'],
      ['a PNG', samplePng(), 'image/png'],
      ['a JPEG', sampleJpeg(), 'image/jpeg'],
      ['an OFD', sampleOfd(), 'application/ofd'],
    ] as const) {
      it(`keeps ${name} under the SHA-256 of its bytes (201, Location)`, async () => {
        const answer = await uploadFile(target, 'COURT', bytes, 'application/octet-stream');
        expect(answer.status).to.equal(201);
        expect(answer.json).to.deep.equal({ hash: sha256(bytes), size: bytes.length, mediaType });
        expect(answer.headers.get('location')).to.equal(`/v1/documents/${sha256(bytes)}`);
      });
    }

    for (const [name, bytes] of Object.entries(disguisedFiles)) {
      it(`refuses ${name} sent as a PDF (415 FILE_TYPE_NOT_ACCEPTED), keeping nothing`, async () => {
        const answer = await uploadFile(target, 'COURT', bytes, 'application/pdf');
        expect(answer.status).to.equal(415);
        expect(answer.json.code).to.equal('FILE_TYPE_NOT_ACCEPTED');
        expect(await temporaries()).to.deep.equal([]);
      });
    }

    it('refuses a body of a media type the route does not take (415 naming those it takes)', async () => {
      const answer = await uploadFile(target, 'COURT', samplePdf(), 'text/plain');
      expect(answer.status).to.equal(415);
      expect(answer.json).to.include({ code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(answer.json['accept']).to.include('application/pdf');
    });

    it('refuses a declared Content-Length over the limit before reading a byte or checking a token (413)', async () => {
      const response = await fetch(`${target.url()}/v1/documents`, { method: 'POST', headers: { 'content-type': 'application/pdf', 'content-length': String(LIMIT + 1) }, body: samplePdf(LIMIT + 1), duplex: 'half' });
      expect(response.status).to.equal(413);
      expect(((await response.json()) as { code: string }).code).to.equal('PAYLOAD_TOO_LARGE');
    });

    it('refuses a streamed body that grows past the limit (413) and keeps nothing', async () => {
      const bytes = samplePdf(LIMIT + 65_536);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 65_536) controller.enqueue(bytes.subarray(at, at + 65_536));
          controller.close();
        },
      });
      const token = await target.token('COURT');
      const response = await fetch(`${target.url()}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' }, body: stream, duplex: 'half' });
      expect(response.status).to.equal(413);
      expect(((await response.json()))).to.include({ code: 'PAYLOAD_TOO_LARGE', maxBytes: LIMIT });
      expect(await temporaries()).to.deep.equal([]);
      expect(await readdir(join(filesDir(), sha256(bytes).slice(0, 2))).catch(() => [])).to.not.include(sha256(bytes));
    });

    it('leaves nothing behind when the client goes away mid-upload', async () => {
      const bytes = samplePdf(600_000);
      const token = await target.token('COURT');
      const { port } = new URL(target.url());
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(`POST /v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/pdf\r\nContent-Length: ${String(bytes.length)}\r\n\r\n`);
      socket.write(bytes.subarray(0, 300_000));
      await until(async () => (await temporaries()).length > 0, 'the upload to begin');
      socket.destroy();
      await until(async () => (await temporaries()).length === 0, 'the half-written file to go');
      expect((await getBytes(target, 'COURT', `/v1/documents/${sha256(bytes)}?entry=${'0'.repeat(32)}`)).status).to.equal(404);
      const held = await readdir(join(filesDir(), sha256(bytes).slice(0, 2))).catch(() => []);
      expect(held).to.not.include(sha256(bytes));
    });

    it('refuses an auditor (403): uploads are for those who record events', async () => {
      const answer = await uploadFile(target, 'COURT', samplePdf(), 'application/pdf', 'auditor');
      expect(answer.status).to.equal(403);
    });

    it('keeps no plaintext on disk: the bytes of a file and its text are nowhere under DATA_DIR', async () => {
      const marker = '绝密判决正文-0xC0FFEE';
      const bytes = samplePdf(80_000, marker);
      expect((await uploadFile(target, 'COURT', bytes)).status).to.equal(201);
      expect(await filesContaining(target.dataDir, [...encodingsOf(marker), bytes.subarray(0, 48), bytes.subarray(40_000, 40_048)])).to.deep.equal([]);
    });
  });

  describe('an event lists only files the gateway holds', () => {
    it('refuses an attachment never uploaded, or listed with another size (400 ATTACHMENT_NOT_HELD naming each)', async () => {
      const judgment = samplePdf();
      const held = (await uploadFile(target, 'COURT', judgment)).json as unknown as Stored;
      const never = { title: '执行通知书', hash: sha256(samplePdf()), size: 4_096, mediaType: 'application/pdf' };
      const answer = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(901) }, sampleDocument('SENTENCE_HANDOVER', { attachments: [{ ...listing(held, '判决书'), size: held.size + 1 }, never] }), HANDOVER_AT);
      expect(answer.status).to.equal(400);
      const problem = answer.body as unknown as { code: string; errors: Array<{ path: string }> };
      expect(problem.code).to.equal('ATTACHMENT_NOT_HELD');
      expect(problem.errors.map((e) => e.path)).to.deep.equal(['document.attachments.0', 'document.attachments.1']);
    });
  });

  describe('GET /v1/documents/{hash}', () => {
    const judgment = samplePdf(300_000);
    const notice = samplePng(5_000);
    let handover: Entry;
    let warning: Entry;
    let judgmentFile: Stored;
    let noticeFile: Stored;
    const path = (hash: string, entry = handover.id) => `/v1/documents/${hash}?entry=${entry}`;

    before(async () => {
      judgmentFile = (await uploadFile(target, 'COURT', judgment)).json as unknown as Stored;
      noticeFile = (await uploadFile(target, 'COURT', notice, 'image/png')).json as unknown as Stored;
      const attachments = [listing(judgmentFile, '刑事判决书.pdf'), listing(noticeFile, '执行通知书')];
      const recorded = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(902) }, sampleDocument('SENTENCE_HANDOVER', { attachments }), HANDOVER_AT);
      expect(recorded.status).to.equal(201);
      handover = recorded.body.entry;
      const justice = new Api(target, 'JUSTICE');
      expect((await justice.record('SUBJECT_RECEIVED', { ref: handover.subjectRef }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-15T09:00:00+08:00')).status).to.equal(201);
      const decision = samplePdf(3_000);
      const decisionFile = (await uploadFile(target, 'JUSTICE', decision)).json as unknown as Stored;
      const warned = await justice.record('WARNING_ISSUED', { ref: handover.subjectRef }, sampleDocument('WARNING_ISSUED', { attachments: [listing(decisionFile, '警告决定书')] }), '2024-03-01T09:00:00+08:00');
      expect(warned.status).to.equal(201);
      warning = warned.body.entry;
    });

    it('serves an entitled agency the same bytes, typed, named by the title (UTF-8), with its hash as ETag, uncached', async () => {
      const answer = await getBytes(target, 'JUSTICE', path(judgmentFile.hash));
      expect(answer.status).to.equal(200);
      expect(answer.bytes.equals(judgment)).to.equal(true);
      expect(answer.headers.get('content-type')).to.equal('application/pdf');
      expect(answer.headers.get('etag')).to.equal(`"${judgmentFile.hash}"`);
      expect(answer.headers.get('accept-ranges')).to.equal('bytes');
      expect(answer.headers.get('cache-control')).to.equal('private, no-store');
      const disposition = parseDisposition(answer.headers.get('content-disposition') ?? '');
      expect(disposition.type).to.equal('attachment');
      expect(disposition.parameters['filename']).to.equal('刑事判决书.pdf');
      expect(answer.headers.get('content-disposition')).to.include("filename*=UTF-8''");
      const png = await getBytes(target, 'POLICE', path(noticeFile.hash));
      expect(png.status).to.equal(200);
      expect(png.bytes.equals(notice)).to.equal(true);
      expect(parseDisposition(png.headers.get('content-disposition') ?? '').parameters['filename']).to.equal('执行通知书.png');
    });

    it('serves a byte range (206, Content-Range), a suffix range, and refuses one beyond the file (416)', async () => {
      const part = await getBytes(target, 'JUSTICE', path(judgmentFile.hash), { range: 'bytes=65530-131080' });
      expect(part.status).to.equal(206);
      expect(part.headers.get('content-range')).to.equal(`bytes 65530-131080/${String(judgment.length)}`);
      expect(part.bytes.equals(judgment.subarray(65_530, 131_081))).to.equal(true);
      const tail = await getBytes(target, 'JUSTICE', path(judgmentFile.hash), { range: 'bytes=-100' });
      expect(tail.status).to.equal(206);
      expect(tail.bytes.equals(judgment.subarray(judgment.length - 100))).to.equal(true);
      const beyond = await getBytes(target, 'JUSTICE', path(judgmentFile.hash), { range: `bytes=${String(judgment.length)}-` });
      expect(beyond.status).to.equal(416);
      expect(beyond.json.code).to.equal('RANGE_NOT_SATISFIABLE');
      expect(beyond.headers.get('content-range')).to.equal(`bytes */${String(judgment.length)}`);
    });

    it('records each download on the subject\'s access trail: one read of the entry\'s document, by whom', async () => {
      const procuratorate = new Api(target, 'PROCURATORATE');
      const trail = async () => AccessTrailSchema.parse((await procuratorate.get(`/v1/subjects/${handover.subjectRef}/access`)).body).reads;
      const before = await trail();
      expect((await getBytes(target, 'JUSTICE', path(judgmentFile.hash))).status).to.equal(200);
      const added = (await trail()).filter((read) => !before.some((seen) => seen.txId === read.txId));
      expect(added).to.have.length(1);
      expect(added[0]).to.deep.include({ agency: 'JUSTICE', what: 'document', entryId: handover.id, view: 'full', purpose: null });
    });

    it('closes the file it opened, whatever the answer (200, 206, 304, 416, or a reader gone mid-file)', async () => {
      const big = samplePdf(900_000);
      const bigFile = (await uploadFile(target, 'COURT', big)).json as unknown as Stored;
      const recorded = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(906) }, sampleDocument('SENTENCE_HANDOVER', { attachments: [listing(bigFile, '判决书')] }), HANDOVER_AT);
      const bigPath = `/v1/documents/${bigFile.hash}?entry=${recorded.body.entry.id}`;
      const openKept = async () => {
        const links = await Promise.all((await readdir('/proc/self/fd')).map((fd) => readlink(join('/proc/self/fd', fd)).catch(() => '')));
        return links.filter((link) => link.includes(bigFile.hash));
      };
      expect((await getBytes(target, 'JUSTICE', bigPath)).status).to.equal(200);
      expect((await getBytes(target, 'JUSTICE', bigPath, { range: 'bytes=10-20' })).status).to.equal(206);
      expect((await getBytes(target, 'JUSTICE', bigPath, { 'if-none-match': `"${bigFile.hash}"` })).status).to.equal(304);
      expect((await getBytes(target, 'JUSTICE', bigPath, { range: `bytes=${String(big.length)}-` })).status).to.equal(416);
      const token = await target.token('JUSTICE');
      const gone = new AbortController();
      const response = await fetch(`${target.url()}${bigPath}`, { headers: { authorization: `Bearer ${token}` }, signal: gone.signal });
      expect(response.status).to.equal(200);
      gone.abort();
      await until(async () => (await openKept()).length === 0, 'every kept file closed');
      expect(await openKept()).to.deep.equal([]);
    });

    it('answers 304 to If-None-Match with the file\'s ETag', async () => {
      const answer = await getBytes(target, 'JUSTICE', path(judgmentFile.hash), { 'if-none-match': `W/"x", "${judgmentFile.hash}"` });
      expect(answer.status).to.equal(304);
      expect(answer.bytes.length).to.equal(0);
      expect(answer.headers.get('etag')).to.equal(`"${judgmentFile.hash}"`);
    });

    it('refuses an agency not entitled to the entry\'s document (403)', async () => {
      const decisionHash = (warning.facts['attachments'] as Array<{ hash: string }>)[0]?.hash ?? '';
      const answer = await getBytes(target, 'COURT', path(decisionHash, warning.id));
      expect(answer.status).to.equal(403);
      expect(answer.json.code).to.equal('FORBIDDEN');
      expect((await getBytes(target, 'POLICE', path(decisionHash, warning.id))).status).to.equal(200);
    });

    it('answers 404 for a hash the entry does not list (even one the store holds), and for an unknown entry', async () => {
      const other = (await uploadFile(target, 'COURT', samplePdf())).json as unknown as Stored;
      expect((await getBytes(target, 'JUSTICE', path(other.hash))).status).to.equal(404);
      expect((await getBytes(target, 'JUSTICE', path(judgmentFile.hash, 'f'.repeat(32)))).status).to.equal(404);
    });

    it('says which attachment of an entry a file is (raw body or form), or that it is none', async () => {
      const raw = await sendBytes(target, 'PROCURATORATE', `/v1/verify?entry=${handover.id}`, notice, { 'content-type': 'image/png' });
      expect(raw.status).to.equal(200);
      expect(raw.json).to.deep.equal({ entryId: handover.id, hash: noticeFile.hash, size: notice.length, matches: true, attachment: { index: 1, hash: noticeFile.hash, size: notice.length, mediaType: 'image/png', title: '执行通知书' } });
      const form = new FormData();
      form.append('entryId', handover.id);
      form.append('file', new Blob([judgment]), 'judgment.pdf');
      const token = await target.token('POLICE');
      const multipart = await fetch(`${target.url()}/v1/verify`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
      expect(multipart.status, await multipart.clone().text()).to.equal(200);
      expect(((await multipart.json()) as { attachment: { index: number } }).attachment.index).to.equal(0);
      const none = await sendBytes(target, 'JUSTICE', `/v1/verify?entry=${handover.id}`, samplePdf(), { 'content-type': 'application/octet-stream' });
      expect(none.json).to.include({ matches: false });
      expect(none.json).to.not.have.property('attachment');
    });

    it('names a form part without a name, or with one the form has not, in the 400', async () => {
      const token = await target.token('POLICE');
      for (const [name, path] of [['', '(unnamed part)'], ['extra', 'extra']] as const) {
        const form = new FormData();
        form.append('entryId', handover.id);
        form.append(name, 'x');
        const answer = await fetch(`${target.url()}/v1/verify`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
        expect(answer.status).to.equal(400);
        expect(((await answer.json()) as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).to.deep.equal([path]);
      }
    });

    it('refuses a file to verify that is not the type it is sent as (415)', async () => {
      const answer = await sendBytes(target, 'JUSTICE', `/v1/verify?entry=${handover.id}`, judgment, { 'content-type': 'image/png' });
      expect(answer.status).to.equal(415);
      expect(answer.json.code).to.equal('FILE_TYPE_NOT_ACCEPTED');
    });

    it('refuses a file to verify without its entry (400 naming entry, or entryId in a form)', async () => {
      const raw = await sendBytes(target, 'JUSTICE', '/v1/verify', notice, { 'content-type': 'image/png' });
      expect(raw.status).to.equal(400);
      expect(raw.json.errors?.[0]?.path).to.equal('entry');
      const form = new FormData();
      form.append('file', new Blob([notice]), 'notice.png');
      const token = await target.token('JUSTICE');
      const answer = await fetch(`${target.url()}/v1/verify`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
      expect(answer.status).to.equal(400);
      expect(((await answer.json()) as { errors: Array<{ path: string }> }).errors[0]?.path).to.equal('entryId');
    });

    it('refuses, and does not serve, a kept file moved under another listed file\'s name (500 STORED_DATA_UNREADABLE)', async () => {
      const a = samplePdf(10_000);
      const b = samplePdf(10_000);
      const fileA = (await uploadFile(target, 'COURT', a)).json as unknown as Stored;
      const fileB = (await uploadFile(target, 'COURT', b)).json as unknown as Stored;
      const recorded = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(903) }, sampleDocument('SENTENCE_HANDOVER', { attachments: [listing(fileA, 'A'), listing(fileB, 'B')] }), HANDOVER_AT);
      const at = (hash: string) => join(filesDir(), hash.slice(0, 2), hash);
      await rename(at(fileA.hash), at(fileB.hash));
      const answer = await getBytes(target, 'JUSTICE', path(fileB.hash, recorded.body.entry.id));
      expect(answer.status).to.equal(500);
      expect(answer.json.code).to.equal('STORED_DATA_UNREADABLE');
      expect(answer.bytes.includes(a.subarray(0, 64))).to.equal(false);
    });

    it('answers 404 FILE_NOT_HELD for a listed file this gateway has lost and cannot fetch', async () => {
      const lost = samplePdf(5_000);
      const file = (await uploadFile(target, 'COURT', lost)).json as unknown as Stored;
      const recorded = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(904) }, sampleDocument('SENTENCE_HANDOVER', { attachments: [listing(file, '判决书')] }), HANDOVER_AT);
      await rm(join(filesDir(), file.hash.slice(0, 2), file.hash));
      const answer = await getBytes(target, 'JUSTICE', path(file.hash, recorded.body.entry.id));
      expect(answer.status).to.equal(404);
      expect(answer.json.code).to.equal('FILE_NOT_HELD');
    });
  });
});

describe('documents read slowly', () => {
  let target: EmbeddedTarget;
  before(async () => (target = await embeddedTarget({ LEDGER_MAX_IN_FLIGHT: '1' })));
  after(() => target.close());

  it('hold no place among the ledger requests in progress while the file streams to a reader that does not read', async () => {
    const court = new Api(target, 'COURT');
    const big = samplePdf(40 * 1_048_576);
    const file = (await uploadFile(target, 'COURT', big)).json as unknown as Stored;
    const recorded = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(905) }, sampleDocument('SENTENCE_HANDOVER', { attachments: [listing(file, '判决书')] }), HANDOVER_AT);
    const token = await target.token('JUSTICE');
    const { port } = new URL(target.url());
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    const firstBytes = new Promise<Buffer>((resolve) => socket.once('data', resolve));
    socket.write(`GET /v1/documents/${file.hash}?entry=${recorded.body.entry.id} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`);
    expect((await firstBytes).toString('latin1')).to.match(/^HTTP\/1\.1 200/);
    socket.pause();
    // The download is stalled on its reader; a ledger request still finds the one place free.
    expect((await court.get(`/v1/entries/${recorded.body.entry.id}`)).status).to.equal(200);
    socket.destroy();
  });
});

describe('documents on a full disk', () => {
  let disk: { path: string; remove: () => Promise<void> };
  let target: EmbeddedTarget;

  before(async () => {
    disk = await mountSmallDisk(24);
    target = await embeddedTarget({ DATA_DIR: disk.path });
  });
  after(async () => {
    await target.close();
    await disk.remove();
  });

  it('answers 507 for a file the disk cannot hold, leaves nothing half-written, and keeps the next file that fits', async () => {
    const big = samplePdf(30 * 1_048_576);
    const answer = await uploadFile(target, 'COURT', big);
    expect(answer.status).to.equal(507);
    expect(answer.json.code).to.equal('INSUFFICIENT_STORAGE');
    expect(await readdir(join(disk.path, 'files', 'tmp'))).to.deep.equal([]);
    expect(await keptFiles(join(disk.path, 'files'))).to.deep.equal([]);
    const small = samplePdf(10_000);
    expect((await uploadFile(target, 'COURT', small)).json).to.include({ hash: sha256(small) });
  });
});
