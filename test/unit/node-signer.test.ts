import { generateKeyPairSync, verify } from 'node:crypto';
import { expect } from 'chai';
import { nodeSigner } from '../../gateway/src/ledger/fabric/node-signer.js';

const ORDERS = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384': 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
} as const;

/** The s of a DER ECDSA signature, its encoding checked on the way. */
function sOf(der: Uint8Array): bigint {
  // SEQUENCE { INTEGER r, INTEGER s }: skip the sequence header and r.
  const bytes = Buffer.from(der);
  expect(bytes[0]).to.equal(0x30);
  expect(bytes[1]).to.equal(bytes.length - 2);
  const rLength = bytes[3] ?? 0;
  const sAt = 4 + rLength;
  expect(bytes[sAt]).to.equal(0x02);
  const sLength = bytes[sAt + 1] ?? 0;
  expect(sAt + 2 + sLength).to.equal(bytes.length);
  return BigInt(`0x${bytes.subarray(sAt + 2).toString('hex')}`);
}

describe('the Fabric signer on Node ECDSA', () => {
  for (const curve of ['P-256', 'P-384'] as const) {
    it(`signs SHA-256 of the message with a low s, in DER, on ${curve}`, async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const signer = nodeSigner(privateKey);
      const order = ORDERS[curve];
      for (let i = 0; i < 200; i++) {
        const message = Buffer.from(`proposal ${i}`);
        const signature = await signer(message);
        expect(verify('sha256', message, publicKey, signature), `signature ${i}`).to.equal(true);
        expect(verify('sha256', Buffer.from(`proposal ${i + 1}`), publicKey, signature)).to.equal(false);
        // About half of OpenSSL's signatures come out with a high s: each must have been folded, and still verify.
        expect(sOf(signature) <= order / 2n, `s of signature ${i}`).to.equal(true);
      }
    });
  }

  it('refuses a key Fabric cannot use', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    expect(() => nodeSigner(privateKey)).to.throw(/P-256 or P-384/);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => nodeSigner(publicKey)).to.throw(/private/);
  });
});
