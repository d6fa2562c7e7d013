// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API loaded first.
import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto, type JsonWebKey, type X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { JWK } from 'jose';
import { AGENCIES, type Agency } from 'correction-chaincode/domain';
import { gatewayKeyThumbprint, type GatewayKey, type TrustFile } from 'correction-verifier';

/**
 * Who a gateway is to the other gateways of the exchange: its agency, and a TLS key and
 * certificate made at start from its receipt key — the key the trust file lists for the agency.
 * The certificate is self-signed and says nothing anyone relies on: a peer is known by the public
 * key it proves it holds in the TLS handshake, whose RFC 7638 thumbprint the trust file names.
 */
export interface ExchangeIdentity {
  readonly agency: Agency;
  /** PKCS #8 PEM of the receipt key. */
  readonly key: string;
  /** PEM of the self-signed certificate over the receipt key's public half. */
  readonly cert: string;
}

const ES256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** The certificate is made anew at every start; its validity only has to outlast the process. */
const CERTIFICATE_YEARS = 10;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** The public members of an EC P-256 JWK, or undefined for any other kind of key. */
function publicGatewayKey(jwk: JsonWebKey | JWK): GatewayKey | undefined {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') return undefined;
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

/**
 * Makes the exchange identity of `agency` from its private receipt JWK; refuses a key the trust
 * file does not list for the agency, which no peer would accept.
 */
export async function exchangeIdentity(agency: Agency, privateJwk: JWK, trust: TrustFile): Promise<ExchangeIdentity> {
  const publicJwk = publicGatewayKey(privateJwk);
  if (!publicJwk) throw new Error(`the receipt key of ${agency} is not an EC P-256 key`);
  const listed = (trust.agencies[agency]?.gatewayKeys ?? []).map(gatewayKeyThumbprint);
  if (!listed.includes(gatewayKeyThumbprint(publicJwk))) throw new Error(`the receipt key of ${agency} is not among ${agency}'s gateway keys in the trust file: no peer would accept it`);
  const keys = {
    privateKey: await webcrypto.subtle.importKey('jwk', privateJwk as webcrypto.JsonWebKey, ES256, false, ['sign']),
    publicKey: await webcrypto.subtle.importKey('jwk', publicJwk, ES256, true, ['verify']),
  };
  const notBefore = new Date(Date.now() - 3_600_000);
  const notAfter = new Date(notBefore.getTime() + CERTIFICATE_YEARS * 365 * 86_400_000);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(16).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${agency} gateway, O=correction-ledger`,
    notBefore,
    notAfter,
    signingAlgorithm: ES256,
    keys,
  });
  const key = createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' }).toString();
  return { agency, key, cert: certificate.toString('pem') };
}

/** Finds the agency whose gateway key a peer's certificate carries, by the trust file. */
export class PeerRecognizer {
  readonly #agencyOfThumbprint = new Map<string, Agency>();

  constructor(trust: TrustFile) {
    for (const agency of AGENCIES) {
      for (const key of trust.agencies[agency]?.gatewayKeys ?? []) this.#agencyOfThumbprint.set(gatewayKeyThumbprint(key), agency);
    }
  }

  /** The agency that lists the certificate's public key, or undefined for a stranger (or no certificate). */
  agencyOf(certificate: X509Certificate | undefined): Agency | undefined {
    if (!certificate) return undefined;
    const key = publicGatewayKey(certificate.publicKey.export({ format: 'jwk' }));
    return key ? this.#agencyOfThumbprint.get(gatewayKeyThumbprint(key)) : undefined;
  }
}
