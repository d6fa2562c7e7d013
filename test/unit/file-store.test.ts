import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import fc from 'fast-check';
import { keptFiles } from '../support/files.js';
import { FileRefusedError, FileStore, type StoredFile } from '../../gateway/src/store/file-store.js';
import { createSealer, SealedValueError } from '../../gateway/src/store/sealer.js';
import { disguisedFiles, sampleJpeg, sampleOfd, samplePdf, samplePng, sha256 } from '../support/sample-files.js';
import { mountSmallDisk } from '../support/small-disk.js';
import { tempDir } from '../support/temp.js';

/** What a promise rejects with (it must reject). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Feeds bytes in pieces of `piece` bytes, as a socket would. */
function pieces(bytes: Buffer, piece = 16_384): Readable {
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += piece) parts.push(bytes.subarray(at, at + piece));
  return Readable.from(parts);
}

const pathOf = (root: string, hash: string): string => join(root, 'files', hash.slice(0, 2), hash);

describe('FileStore', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let store: FileStore;
  const key = randomBytes(32);

  beforeEach(async () => {
    dir = await tempDir('file-store-');
    store = await FileStore.open(dir.path, { sealer: createSealer(key), maxBytes: 1_000_000 });
  });
  afterEach(async () => {
    await store.close();
    await dir.remove();
  });

  const temporaries = async (): Promise<string[]> => readdir(join(dir.path, 'files', 'tmp'));

  describe('put', () => {
    for (const [name, bytes, mediaType] of [
      ['a PDF', samplePdf(300_000), 'application/pdf'],
      ['a PNG', samplePng(), 'image/png'],
      ['a JPEG', sampleJpeg(), 'image/jpeg'],
      ['an OFD', sampleOfd(), 'application/ofd'],
    ] as const) {
      it(`keeps ${name} under its SHA-256, typed by its leading bytes, and gives back the same bytes`, async () => {
        const stored = await store.put(pieces(bytes));
        expect(stored).to.deep.equal({ hash: sha256(bytes), size: bytes.length, mediaType });
        expect(await store.stat(stored.hash)).to.deep.equal(stored);
        expect((await buffer(store.read(stored.hash))).equals(bytes)).to.equal(true);
        expect(await temporaries()).to.deep.equal([]);
      });
    }

    for (const [name, bytes] of Object.entries(disguisedFiles)) {
      it(`refuses ${name} (FILE_TYPE_NOT_ACCEPTED) and keeps nothing`, async () => {
        const error = await rejection(store.put(pieces(bytes)));
        expect(error).to.be.instanceOf(FileRefusedError).with.property('code', 'FILE_TYPE_NOT_ACCEPTED');
        expect(await temporaries()).to.deep.equal([]);
        expect(await store.stat(sha256(bytes))).to.equal(undefined);
      });
    }

    it('refuses a file over the limit while streaming, before reading it all, and keeps nothing', async () => {
      let served = 0;
      function* endless(): Generator<Buffer> {
        yield samplePdf(65_536);
        for (;;) {
          served += 65_536;
          yield randomBytes(65_536);
        }
      }
      const error = await rejection(store.put(Readable.from(endless())));
      expect(error).to.be.instanceOf(FileRefusedError).with.property('code', 'FILE_TOO_LARGE');
      expect(served).to.be.below(1_100_000);
      expect(await temporaries()).to.deep.equal([]);
    });

    for (const size of [65_535, 65_536, 65_537, 131_072, 200_001]) {
      it(`gives back a file of ${String(size)} bytes whole and by ranges at its chunk edges, in any piece sizes`, async () => {
        const bytes = samplePdf(size);
        const stored = await store.put(pieces(bytes, 7_777));
        expect((await buffer(store.read(stored.hash))).equals(bytes)).to.equal(true);
        for (const [start, end] of [[0, 0], [65_535, 65_536], [size - 1, size - 1], [size - 2, size + 10]] as const) {
          expect((await buffer(store.read(stored.hash, { start, end }))).equals(bytes.subarray(start, end + 1))).to.equal(true);
        }
      });
    }

    it('takes a file of exactly the limit', async () => {
      const bytes = samplePdf(1_000_000);
      expect((await store.put(pieces(bytes))).size).to.equal(1_000_000);
    });

    it('leaves nothing when the source fails halfway', async () => {
      function* broken(): Generator<Buffer> {
        yield samplePdf(200_000);
        throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
      }
      const error = await rejection(store.put(Readable.from(broken())));
      expect(error).to.be.instanceOf(FileRefusedError).with.property('code', 'UPLOAD_ABORTED');
      expect(await temporaries()).to.deep.equal([]);
    });

    it('leaves nothing when the caller aborts', async () => {
      const controller = new AbortController();
      function* slow(): Generator<Buffer> {
        yield samplePdf(100_000);
        controller.abort();
        yield randomBytes(100);
      }
      const error = await rejection(store.put(Readable.from(slow()), { signal: controller.signal }));
      expect(error).to.be.instanceOf(FileRefusedError).with.property('code', 'UPLOAD_ABORTED');
      expect(await temporaries()).to.deep.equal([]);
    });

    it('refuses bytes that do not hash to what was expected, and keeps them not', async () => {
      const bytes = samplePdf();
      const wrongHash = await rejection(store.put(pieces(bytes), { expect: { hash: sha256(samplePdf()) } }));
      expect(wrongHash).to.be.instanceOf(FileRefusedError).with.property('code', 'FILE_HASH_MISMATCH');
      const wrongSize = await rejection(store.put(pieces(bytes), { expect: { hash: sha256(bytes), size: bytes.length + 1 } }));
      expect(wrongSize).to.be.instanceOf(FileRefusedError).with.property('code', 'FILE_HASH_MISMATCH');
      expect(await store.stat(sha256(bytes))).to.equal(undefined);
      expect(await store.put(pieces(bytes), { expect: { hash: sha256(bytes), size: bytes.length } })).to.have.property('hash', sha256(bytes));
    });

    it('keeps a file already held as it is', async () => {
      const bytes = samplePdf();
      const first = await store.put(pieces(bytes));
      const before = await readFile(pathOf(dir.path, first.hash));
      expect(await store.put(pieces(bytes))).to.deep.equal(first);
      expect((await readFile(pathOf(dir.path, first.hash))).equals(before)).to.equal(true);
    });

    it('removes what a crash left in the temporary folder when it opens', async () => {
      await writeFile(join(dir.path, 'files', 'tmp', 'abc.part'), samplePdf());
      const reopened = await FileStore.open(dir.path, { sealer: createSealer(key), maxBytes: 1_000 });
      expect(await temporaries()).to.deep.equal([]);
      await reopened.close();
    });
  });

  // A small file is read whole when it is served; a larger one batch of chunks by batch.
  for (const size of [300_000, 2_500_000]) describe(`read (a file of ${String(size)} bytes)`, () => {
    let bytes: Buffer;
    let stored: StoredFile;
    beforeEach(async () => {
      bytes = samplePdf(size);
      const roomy = await FileStore.open(dir.path, { sealer: createSealer(key), maxBytes: 4_000_000 });
      stored = await roomy.put(pieces(bytes, 65_000));
      await roomy.close();
    });

    it('gives any byte range, across chunk boundaries', async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: bytes.length - 1 }), fc.nat({ max: bytes.length - 1 }), async (a, b) => {
          const [start, end] = a <= b ? [a, b] : [b, a];
          const got = await buffer(store.read(stored.hash, { start, end }));
          expect(got.equals(bytes.subarray(start, end + 1))).to.equal(true);
        }),
        { numRuns: 60 },
      );
    });

    it('keeps no plaintext on disk', async () => {
      const sealed = await readFile(pathOf(dir.path, stored.hash));
      expect(sealed.includes(bytes.subarray(0, 32))).to.equal(false);
      expect(sealed.includes(Buffer.from('%PDF-'))).to.equal(false);
      expect(sealed.includes(bytes.subarray(150_000, 150_032))).to.equal(false);
      expect(sealed.includes(bytes.subarray(size - 32))).to.equal(false);
    });

    it('does not serve a file moved under another hash\'s name', async () => {
      const other = samplePng();
      const otherHash = sha256(other);
      await mkdir(join(dir.path, 'files', otherHash.slice(0, 2)), { recursive: true });
      await rename(pathOf(dir.path, stored.hash), pathOf(dir.path, otherHash));
      expect(await rejection(store.stat(otherHash))).to.be.instanceOf(SealedValueError);
      expect(await rejection(buffer(store.read(otherHash)))).to.be.instanceOf(SealedValueError);
    });

    it('does not serve a file whose header was rewritten to name another hash', async () => {
      const other = sha256(samplePng());
      const sealed = await readFile(pathOf(dir.path, stored.hash));
      Buffer.from(other, 'hex').copy(sealed, 33);
      await mkdir(join(dir.path, 'files', other.slice(0, 2)), { recursive: true });
      await writeFile(pathOf(dir.path, other), sealed);
      expect(await rejection(store.stat(other))).to.be.instanceOf(SealedValueError);
      expect(await rejection(buffer(store.read(other)))).to.be.instanceOf(SealedValueError);
    });

    it('detects a truncated file, cut at a chunk\'s end or short of its trailer', async () => {
      const { length } = await readFile(pathOf(dir.path, stored.hash));
      for (const cut of [65_536 + 65 + 16, length - 1]) {
        await truncate(pathOf(dir.path, stored.hash), cut);
        expect(await rejection(store.stat(stored.hash))).to.be.instanceOf(SealedValueError);
        expect(await rejection(buffer(store.read(stored.hash)))).to.be.instanceOf(SealedValueError);
      }
    });

    it('detects a file grown by a byte', async () => {
      const sealed = await readFile(pathOf(dir.path, stored.hash));
      await writeFile(pathOf(dir.path, stored.hash), Buffer.concat([sealed, Buffer.from([0])]));
      expect(await rejection(store.stat(stored.hash))).to.be.instanceOf(SealedValueError);
      expect(await rejection(buffer(store.read(stored.hash)))).to.be.instanceOf(SealedValueError);
    });

    it('detects chunks that traded places', async () => {
      const sealed = await readFile(pathOf(dir.path, stored.hash));
      const chunk = 65_536 + 16;
      const first = Buffer.from(sealed.subarray(65, 65 + chunk));
      sealed.copy(sealed, 65, 65 + chunk, 65 + 2 * chunk);
      first.copy(sealed, 65 + chunk);
      await writeFile(pathOf(dir.path, stored.hash), sealed);
      expect(await rejection(buffer(store.read(stored.hash, { start: 0, end: 10 })))).to.be.instanceOf(SealedValueError);
    });

    it('fails the stream at an altered chunk before passing its bytes on', async () => {
      const sealed = await readFile(pathOf(dir.path, stored.hash));
      const at = 65 + 2 * (65_536 + 16) + 100;
      sealed[at] = (sealed[at] ?? 0) ^ 1;
      await writeFile(pathOf(dir.path, stored.hash), sealed);
      const received: Buffer[] = [];
      const error = await rejection(
        (async () => {
          for await (const piece of store.read(stored.hash)) received.push(piece as Buffer);
        })(),
      );
      expect(error).to.be.instanceOf(SealedValueError);
      // Never the altered chunk, nor anything after it; the chunks before it at most.
      expect(Buffer.concat(received).length).to.be.at.most(2 * 65_536);
      expect(bytes.subarray(0, Buffer.concat(received).length).equals(Buffer.concat(received))).to.equal(true);
    });

    it('does not open under another document key', async () => {
      const other = await FileStore.open(dir.path, { sealer: createSealer(randomBytes(32)), maxBytes: 1_000_000 });
      expect(await rejection(other.stat(stored.hash))).to.be.instanceOf(SealedValueError);
      expect(await rejection(buffer(other.read(stored.hash)))).to.be.instanceOf(SealedValueError);
    });

    it('answers undefined for a file it does not hold, and for what is not a hash', async () => {
      expect(await store.stat(sha256(samplePng()))).to.equal(undefined);
      expect(await store.stat('../../etc/passwd')).to.equal(undefined);
    });
  });

  describe('on a full disk', () => {
    let disk: { path: string; remove: () => Promise<void> };
    before(async () => {
      disk = await mountSmallDisk(1);
    });
    after(async () => {
      await disk.remove();
    });

    it('refuses a file that does not fit (INSUFFICIENT_STORAGE), leaves nothing half-written, and keeps one that fits', async () => {
      const small = await FileStore.open(disk.path, { sealer: createSealer(key), maxBytes: 10_000_000 });
      const error = await rejection(small.put(pieces(samplePdf(2_000_000))));
      expect(error).to.be.instanceOf(FileRefusedError).with.property('code', 'INSUFFICIENT_STORAGE');
      expect(await readdir(join(disk.path, 'files', 'tmp'))).to.deep.equal([]);
      expect(await keptFiles(join(disk.path, 'files'))).to.deep.equal([]);
      const fits = samplePdf(100_000);
      expect(await small.put(pieces(fits))).to.have.property('hash', sha256(fits));
      await small.close();
    });
  });
});
