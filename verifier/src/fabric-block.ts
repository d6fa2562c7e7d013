import { createHash, createVerify, X509Certificate } from 'node:crypto';
import { common, msp, peer } from '@hyperledger/fabric-protos';

/**
 * The parts of a Fabric block that whoever checks one needs, as Fabric v3 computes them
 * (protoutil/blockutils.go): the header's DER encoding and hash, the data hash, the transactions'
 * ids and chaincode actions, and the orderers' signatures over the header. Shared by the offline
 * evidence check and the gateway's whole-channel audit.
 */

/** Who may sign blocks: the orderer orgs' MSP roots and the BFT consenters with their signing certificates. */
export interface BlockSigners {
  /** MSP ID → PEM root certificates of that org's CA. */
  readonly mspRoots: Readonly<Record<string, readonly string[]>>;
  /** BFT consenters by numeric id (blocks name their signers by id), with their signing certificates. */
  readonly consenters: ReadonlyArray<{ readonly id: number; readonly mspId: string; readonly identity: string }>;
}

/** An orderer whose signature over a block header holds, with a certificate its MSP issued. */
export interface VerifiedSigner {
  readonly mspId: string;
  /** The signing certificate, PEM. */
  readonly pem: string;
  /** The certificate's common name, or its fingerprint. */
  readonly name: string;
}

/** The block header as Fabric hashes and signs it: DER of SEQUENCE { INTEGER number, OCTET STRING previousHash, OCTET STRING dataHash }. */
export function blockHeaderDer(header: common.BlockHeader): Buffer {
  return derSequence([derInteger(BigInt(header.getNumber())), derOctets(header.getPreviousHash_asU8()), derOctets(header.getDataHash_asU8())]);
}

/** SHA-256 of the header's DER: what the next block's previous_hash names. */
export function blockHeaderHash(header: common.BlockHeader): Buffer {
  return createHash('sha256').update(blockHeaderDer(header)).digest();
}

/** Fabric v3's data hash: SHA-256 over the envelopes concatenated (ComputeBlockDataHash). */
export function blockDataHash(data: readonly Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const envelope of data) hash.update(envelope);
  return hash.digest();
}

/** An envelope's payload and channel header, or undefined if it does not decode. */
export function envelopeOf(envelopeBytes: Uint8Array): { readonly payload: common.Payload; readonly channelHeader: common.ChannelHeader } | undefined {
  try {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8());
    const channelHeader = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array());
    return { payload, channelHeader };
  } catch {
    return undefined;
  }
}

export function txIdOf(envelopeBytes: Uint8Array): string | undefined {
  return envelopeOf(envelopeBytes)?.channelHeader.getTxId();
}

/** The chaincode action an endorser transaction's payload carries: its events and read-write sets. */
export function chaincodeActionOf(payload: common.Payload): peer.ChaincodeAction | undefined {
  try {
    const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
    const action = transaction.getActionsList()[0];
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action?.getPayload_asU8() ?? new Uint8Array());
    const response = peer.ProposalResponsePayload.deserializeBinary(actionPayload.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array());
    return peer.ChaincodeAction.deserializeBinary(response.getExtension_asU8());
  } catch {
    return undefined;
  }
}

export function chaincodeEventOf(envelopeBytes: Uint8Array): peer.ChaincodeEvent | undefined {
  const envelope = envelopeOf(envelopeBytes);
  const action = envelope ? chaincodeActionOf(envelope.payload) : undefined;
  try {
    return action ? peer.ChaincodeEvent.deserializeBinary(action.getEvents_asU8()) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks the orderers' signatures over block headers. Certificates are parsed, and their issuance
 * checked, once per certificate: a channel's blocks are signed by the same few orderers.
 */
export class BlockSignatureChecker {
  readonly #signers: BlockSigners;
  readonly #issued = new Map<string, { readonly certificate: X509Certificate; readonly name: string } | undefined>();

  constructor(signers: BlockSigners) {
    this.#signers = signers;
  }

  /** The orderers whose signature over this header holds, each once; signatures that fail count for nothing. */
  verifiedSigners(header: common.BlockHeader, signatures: Uint8Array | undefined): VerifiedSigner[] {
    if (!signatures || signatures.length === 0) return [];
    let metadata: common.Metadata;
    try {
      metadata = common.Metadata.deserializeBinary(signatures);
    } catch {
      return [];
    }
    const headerBytes = blockHeaderDer(header);
    const found = new Map<string, VerifiedSigner>();
    for (const signature of metadata.getSignaturesList()) {
      const claimed = this.#claimedSigner(signature);
      if (!claimed) continue;
      const signed = Buffer.concat([metadata.getValue_asU8(), claimed.headerPart, headerBytes]);
      const verified = this.#verified(claimed, signed, signature.getSignature_asU8());
      if (verified) found.set(`${verified.mspId}\u0000${verified.pem}`, verified);
    }
    return [...found.values()];
  }

  /**
   * A BFT orderer names itself by consenter id in an identifier header; otherwise the signature
   * header carries the creator's certificate itself.
   */
  #claimedSigner(signature: common.MetadataSignature): { mspId: string; pem: string; headerPart: Uint8Array } | undefined {
    try {
      const signatureHeader = signature.getSignatureHeader_asU8();
      const identifierHeader = signature.getIdentifierHeader_asU8();
      if (signatureHeader.length === 0 && identifierHeader.length > 0) {
        const id = common.IdentifierHeader.deserializeBinary(identifierHeader).getIdentifier();
        const consenter = this.#signers.consenters.find((c) => c.id === id);
        return consenter ? { mspId: consenter.mspId, pem: consenter.identity, headerPart: identifierHeader } : undefined;
      }
      const creator = msp.SerializedIdentity.deserializeBinary(common.SignatureHeader.deserializeBinary(signatureHeader).getCreator_asU8());
      return { mspId: creator.getMspid(), pem: Buffer.from(creator.getIdBytes_asU8()).toString('utf8'), headerPart: signatureHeader };
    } catch {
      return undefined;
    }
  }

  #verified(claimed: { mspId: string; pem: string }, signed: Buffer, signature: Uint8Array): VerifiedSigner | undefined {
    const issued = this.#issuedCertificate(claimed.mspId, claimed.pem);
    if (!issued) return undefined;
    try {
      if (!createVerify('SHA256').update(signed).verify(issued.certificate.publicKey, Buffer.from(signature))) return undefined;
    } catch {
      return undefined; // an unreadable signature counts for nothing
    }
    return { mspId: claimed.mspId, pem: claimed.pem, name: issued.name };
  }

  /** The certificate if one of its MSP's roots issued it. */
  #issuedCertificate(mspId: string, pem: string): { readonly certificate: X509Certificate; readonly name: string } | undefined {
    const key = `${mspId}\u0000${pem}`;
    if (this.#issued.has(key)) return this.#issued.get(key);
    let issued: { certificate: X509Certificate; name: string } | undefined;
    try {
      const certificate = new X509Certificate(pem);
      const ok = (this.#signers.mspRoots[mspId] ?? []).some((root) => certificate.verify(new X509Certificate(root).publicKey));
      const name = certificate.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? certificate.fingerprint256;
      issued = ok ? { certificate, name } : undefined;
    } catch {
      issued = undefined; // an unreadable certificate counts for nothing
    }
    this.#issued.set(key, issued);
    return issued;
  }
}

/** Whether the block is a configuration block (its one envelope's type is CONFIG). */
export function isConfigBlock(block: common.Block): boolean {
  const data = block.getData()?.getDataList_asU8() ?? [];
  if (data.length !== 1 || !data[0]) return false;
  return envelopeOf(data[0])?.channelHeader.getType() === common.HeaderType.CONFIG;
}

/** The channel's name and its root config group, from a configuration block. */
export function channelConfigOf(block: common.Block): { readonly channel: string; readonly root: common.ConfigGroup } {
  const envelope = envelopeOf(block.getData()?.getDataList_asU8()[0] ?? new Uint8Array());
  const config = envelope ? common.ConfigEnvelope.deserializeBinary(envelope.payload.getData_asU8()).getConfig() : undefined;
  const root = config?.getChannelGroup();
  if (!envelope || !root) throw new Error('not a configuration block');
  return { channel: envelope.channelHeader.getChannelId(), root };
}

/** The root certificates of every org's MSP under a config group, by MSP ID. */
export function mspRootsOf(group: common.ConfigGroup | undefined, into: Record<string, string[]> = {}): Record<string, string[]> {
  group?.getGroupsMap().forEach((orgGroup: common.ConfigGroup) => {
    const value = orgGroup.getValuesMap().get('MSP');
    if (!value) return;
    const fabricMsp = msp.FabricMSPConfig.deserializeBinary(msp.MSPConfig.deserializeBinary(value.getValue_asU8()).getConfig_asU8());
    into[fabricMsp.getName()] = fabricMsp.getRootCertsList_asU8().map((cert) => Buffer.from(cert).toString('utf8'));
  });
  return into;
}

/** The BFT consenters of the Orderer group (none for Raft). */
export function consentersOf(orderer: common.ConfigGroup | undefined): BlockSigners['consenters'] {
  const orderersValue = orderer?.getValuesMap().get('Orderers');
  if (!orderersValue) return [];
  return common.Orderers.deserializeBinary(orderersValue.getValue_asU8()).getConsenterMappingList().map((c) => ({
    id: c.getId(),
    mspId: c.getMspId(),
    identity: Buffer.from(c.getIdentity_asU8()).toString('utf8'),
  }));
}

/** BFT: a block carries the signatures of a quorum, ceil((n + f + 1) / 2) with f = floor((n - 1) / 3). */
export function bftQuorum(n: number): number {
  return n > 0 ? Math.ceil((n + Math.floor((n - 1) / 3) + 1) / 2) : 1;
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.of(0), bytes]);
  return Buffer.concat([Buffer.of(0x02), derLength(bytes.length), bytes]);
}

function derOctets(bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.of(0x04), derLength(bytes.length), Buffer.from(bytes)]);
}

function derSequence(parts: readonly Buffer[]): Buffer {
  const content = Buffer.concat(parts);
  return Buffer.concat([Buffer.of(0x30), derLength(content.length), content]);
}
