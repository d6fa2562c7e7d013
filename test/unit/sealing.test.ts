import { createDecipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { Level } from 'level';
import { GatewayStore } from '../../gateway/src/store/gateway-store.js';
import { SealedSublevel } from '../../gateway/src/store/sealed-sublevel.js';
import { createSealer, SealedValueError, type Sealer } from '../../gateway/src/store/sealer.js';
import { encodingsOf, filesContaining } from '../support/files.js';
import { tempDir } from '../support/temp.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NAME = '封存测试人乙';

/** What open() throws, or undefined. */
function refusal(open: () => unknown): unknown {
  try {
    open();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('sealing at rest', () => {
  describe('the sealer', () => {
    const key = randomBytes(32);
    const sealer = createSealer(key);

    it('opens what it sealed for the same record', () => {
      fc.assert(
        fc.property(fc.string(), fc.string({ maxLength: 2_000 }), (record, text) => {
          expect(decoder.decode(sealer.open(record, sealer.seal(record, encoder.encode(text))))).to.equal(text);
        }),
      );
    });

    it('writes the documented format: version 1, a 96-bit nonce, AES-256-GCM, a 128-bit tag, the record as associated data', () => {
      const sealed = Buffer.from(sealer.seal('private\u0000handoverDocs\u0000e1', encoder.encode(NAME)));
      expect(sealed[0]).to.equal(0x01);
      expect(sealed.length).to.equal(1 + 12 + encoder.encode(NAME).length + 16);
      // Decrypted here by hand from the layout the README gives, not through the sealer.
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13));
      decipher.setAAD(Buffer.concat([Buffer.of(0x01), Buffer.from('private\u0000handoverDocs\u0000e1', 'utf8')]));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      expect(Buffer.concat([decipher.update(sealed.subarray(13, sealed.length - 16)), decipher.final()]).toString('utf8')).to.equal(NAME);
    });

    it('draws a fresh nonce for every value, so equal documents do not look equal', () => {
      const nonces = new Set<string>();
      for (let n = 0; n < 1_000; n++) nonces.add(Buffer.from(sealer.seal('r', encoder.encode('same'))).subarray(1, 13).toString('hex'));
      expect(nonces.size).to.equal(1_000);
    });

    it('refuses, with a typed error, a value sealed for another record', () => {
      const error = refusal(() => sealer.open('private\u0000handoverDocs\u0000e2', sealer.seal('private\u0000handoverDocs\u0000e1', encoder.encode(NAME))));
      expect(error).to.be.instanceOf(SealedValueError).with.property('reason', 'NOT_AUTHENTIC');
      expect(error).to.have.property('code', 'SEALED_VALUE_UNREADABLE');
    });

    it('refuses a value sealed under another key', () => {
      const other = createSealer(randomBytes(32));
      expect(refusal(() => other.open('r', sealer.seal('r', encoder.encode(NAME))))).to.be.instanceOf(SealedValueError).with.property('reason', 'NOT_AUTHENTIC');
    });

    it('refuses a value with any one bit flipped, wherever it is', () => {
      const sealed = sealer.seal('r', encoder.encode(NAME));
      fc.assert(
        fc.property(fc.integer({ min: 0, max: sealed.length * 8 - 1 }), (bit) => {
          const altered = Uint8Array.from(sealed);
          altered[bit >> 3] = (altered[bit >> 3] ?? 0) ^ (1 << (bit & 7));
          expect(refusal(() => sealer.open('r', altered))).to.be.instanceOf(SealedValueError);
        }),
        { numRuns: sealed.length * 8 },
      );
    });

    it('refuses a format it does not know, plain text and a truncated value', () => {
      const sealed = sealer.seal('r', encoder.encode(NAME));
      expect(refusal(() => sealer.open('r', Uint8Array.of(0x02, ...sealed.subarray(1))))).to.have.property('reason', 'UNKNOWN_FORMAT');
      expect(refusal(() => sealer.open('r', encoder.encode('{"subjectName":"x"}')))).to.have.property('reason', 'UNKNOWN_FORMAT');
      expect(refusal(() => sealer.open('r', sealed.subarray(0, 20)))).to.have.property('reason', 'NOT_AUTHENTIC');
      expect(refusal(() => sealer.open('r', new Uint8Array()))).to.have.property('reason', 'UNKNOWN_FORMAT');
    });

    it('accepts only a 32-byte key', () => {
      expect(() => createSealer(randomBytes(16))).to.throw(RangeError, /32 bytes/);
    });
  });

  describe('a sealed sublevel', () => {
    let dir: Awaited<ReturnType<typeof tempDir>>;
    let db: Level;
    let sealer: Sealer;

    beforeEach(async () => {
      dir = await tempDir();
      db = new Level(join(dir.path, 'db'));
      await db.open();
      sealer = createSealer(randomBytes(32));
    });
    afterEach(async () => {
      await db.close();
      await dir.remove();
    });

    it('reads back in key order what it wrote, and stores only ciphertext', async () => {
      const outbox = new SealedSublevel(db, 'outbox', sealer);
      await outbox.put('b', `${NAME} 2`);
      const batch = db.batch().put('plain', 'public');
      outbox.putIn(batch, 'a', `${NAME} 1`);
      await batch.write();
      const opened: Array<[string, string]> = [];
      for await (const entry of outbox.entries()) opened.push(entry);
      expect(opened).to.deep.equal([['a', `${NAME} 1`], ['b', `${NAME} 2`]]);
      expect(await outbox.get('missing')).to.equal(undefined);
      for (const sealed of await outbox.raw.values().all()) expect(Buffer.from(sealed).includes(Buffer.from(NAME))).to.equal(false);
      const removal = db.batch();
      outbox.delIn(removal, 'a');
      await removal.write();
      expect(await outbox.get('a')).to.equal(undefined);
      expect(await db.get('plain')).to.equal('public');
      await db.batch([outbox.putOperation('c', `${NAME} 3`), outbox.delOperation('b'), { type: 'put', key: 'plain', value: 'still public' }], { sync: true });
      const after: Array<[string, string]> = [];
      for await (const entry of outbox.entries()) after.push(entry);
      expect(after).to.deep.equal([['c', `${NAME} 3`]]);
      expect(await db.get('plain')).to.equal('still public');
    });

    it('refuses a value moved to another key, or to the same key of another sealed sublevel', async () => {
      const outbox = new SealedSublevel(db, 'outbox', sealer);
      const webhooks = new SealedSublevel(db, 'webhook', sealer);
      await outbox.put('one', NAME);
      const sealed = (await outbox.raw.get('one')) as Uint8Array;
      await outbox.raw.put('two', sealed);
      await webhooks.raw.put('one', sealed);
      for (const read of [() => outbox.get('two'), () => webhooks.get('one')]) {
        const error = await read().then(() => undefined, (e: unknown) => e);
        expect(error).to.be.instanceOf(SealedValueError).with.property('reason', 'NOT_AUTHENTIC');
      }
      expect(await outbox.get('one')).to.equal(NAME);
    });
  });

  describe('the gateway store', () => {
    it('keeps idempotent responses sealed: none of their text on disk, readable only under the same key', async () => {
      const dir = await tempDir();
      const sealer = createSealer(randomBytes(32));
      try {
        const body = { note: `${NAME}的回执`, entry: { id: 'e1' } };
        let store = await GatewayStore.open(dir.path, { sealer });
        await store.putResponse('COURT', 'key-1', { requestHash: 'h', status: 201, body });
        await store.close();
        expect(await filesContaining(dir.path, encodingsOf(NAME))).to.deep.equal([]);
        // The check can see what is stored in clear: the idempotency key itself.
        expect(await filesContaining(dir.path, [Buffer.from('key-1')])).to.not.deep.equal([]);

        store = await GatewayStore.open(dir.path, { sealer });
        expect(await store.getResponse('COURT', 'key-1')).to.deep.equal({ requestHash: 'h', status: 201, body });
        await store.close();
        store = await GatewayStore.open(dir.path, { sealer: createSealer(randomBytes(32)) });
        const error = await store.getResponse('COURT', 'key-1').then(() => undefined, (e: unknown) => e);
        await store.close();
        expect(error).to.be.instanceOf(SealedValueError);
      } finally {
        await dir.remove();
      }
    });
  });
});
