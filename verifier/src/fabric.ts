import { createHash, createVerify, X509Certificate } from 'node:crypto';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import type { EntryLike } from './entry.js';
import type { Check, FabricEvidence } from './evidence.js';
import type { TrustFile } from './trust.js';

/**
 * Checks the Fabric block of an evidence bundle: the block's data hash, that it holds the entry's
 * transaction marked valid with the entry's own chaincode event, and that enough orderers of the
 * channel signed its header, each with a certificate issued by its org's MSP root.
 */
export async function verifyFabricBlock(fabric: FabricEvidence, entry: EntryLike, trust: TrustFile): Promise<Check> {
  const fail = (detail: string): Check => ({ name: 'fabric block', ok: false, detail });
  if (!trust.fabric) return fail('the trust file has no Fabric channel configuration');
  let block: common.Block;
  try {
    block = common.Block.deserializeBinary(Buffer.from(fabric.block, 'base64'));
  } catch {
    return fail('the block does not decode');
  }
  const header = block.getHeader();
  const data = block.getData()?.getDataList_asU8() ?? [];
  if (!header || header.getNumber() !== fabric.blockNumber) return fail(`the block is not block ${fabric.blockNumber}`);
  const dataHash = createHash('sha256').update(Buffer.concat(data)).digest();
  if (!dataHash.equals(Buffer.from(header.getDataHash_asU8()))) return fail('the block data does not match its header');

  const position = data.findIndex((envelope) => txIdOf(envelope) === entry.txId);
  if (position < 0) return fail(`transaction ${entry.txId} is not in block ${fabric.blockNumber}`);
  const metadata = block.getMetadata()?.getMetadataList_asU8() ?? [];
  const validity = metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
  if (!validity || validity[position] !== peer.TxValidationCode.VALID) return fail('the transaction is not marked valid in the block');
  const event = chaincodeEventOf(data[position] as Uint8Array);
  const recorded = event ? safeJson(event.getPayload_asU8()) : undefined;
  if (recorded?.['hash'] !== entry.hash || recorded['id'] !== entry.id) return fail('the transaction did not record this entry');

  const signers = verifiedSigners(header, metadata[common.BlockMetadataIndex.SIGNATURES], trust.fabric);
  const ok = signers.size >= trust.fabric.blockSignatures;
  return {
    name: 'fabric block',
    ok,
    detail: `block ${fabric.blockNumber} holds valid tx ${entry.txId}; signed by ${signers.size} of ${trust.fabric.blockSignatures} required orderers` +
      (signers.size ? ` (${[...signers].join(', ')})` : ''),
  };
}

function txIdOf(envelopeBytes: Uint8Array): string | undefined {
  try {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8());
    return common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array()).getTxId();
  } catch {
    return undefined;
  }
}

function chaincodeEventOf(envelopeBytes: Uint8Array): peer.ChaincodeEvent | undefined {
  try {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8());
    const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
    const action = transaction.getActionsList()[0];
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action?.getPayload_asU8() ?? new Uint8Array());
    const response = peer.ProposalResponsePayload.deserializeBinary(actionPayload.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array());
    const chaincodeAction = peer.ChaincodeAction.deserializeBinary(response.getExtension_asU8());
    return peer.ChaincodeEvent.deserializeBinary(chaincodeAction.getEvents_asU8());
  } catch {
    return undefined;
  }
}

function safeJson(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Subjects of the orderer certificates whose signature over the block header holds. */
function verifiedSigners(header: common.BlockHeader, signatures: Uint8Array | undefined, trust: NonNullable<TrustFile['fabric']>): Set<string> {
  const signers = new Set<string>();
  if (!signatures) return signers;
  const md = common.Metadata.deserializeBinary(signatures);
  const headerBytes = blockHeaderDer(header);
  for (const signature of md.getSignaturesList()) {
    const signatureHeader = signature.getSignatureHeader_asU8();
    const identifierHeader = signature.getIdentifierHeader_asU8();
    let identity: { mspId: string; pem: string } | undefined;
    let headerPart: Uint8Array;
    if (signatureHeader.length === 0 && identifierHeader.length > 0) {
      const id = common.IdentifierHeader.deserializeBinary(identifierHeader).getIdentifier();
      const consenter = trust.consenters.find((c) => c.id === id);
      identity = consenter ? { mspId: consenter.mspId, pem: consenter.identity } : undefined;
      headerPart = identifierHeader;
    } else {
      const creator = msp.SerializedIdentity.deserializeBinary(common.SignatureHeader.deserializeBinary(signatureHeader).getCreator_asU8());
      identity = { mspId: creator.getMspid(), pem: Buffer.from(creator.getIdBytes_asU8()).toString('utf8') };
      headerPart = signatureHeader;
    }
    if (!identity) continue;
    try {
      const certificate = new X509Certificate(identity.pem);
      const issued = (trust.mspRoots[identity.mspId] ?? []).some((root) => certificate.verify(new X509Certificate(root).publicKey));
      const signed = Buffer.concat([md.getValue_asU8(), headerPart, headerBytes]);
      const valid = createVerify('SHA256').update(signed).verify(certificate.publicKey, Buffer.from(signature.getSignature_asU8()));
      if (issued && valid) signers.add(certificate.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? certificate.fingerprint256);
    } catch {
      // an unreadable certificate or signature counts for nothing
    }
  }
  return signers;
}

/** The block header as Fabric signs it: DER of SEQUENCE { INTEGER number, OCTET STRING previousHash, OCTET STRING dataHash }. */
export function blockHeaderDer(header: common.BlockHeader): Buffer {
  return derSequence([derInteger(BigInt(header.getNumber())), derOctets(header.getPreviousHash_asU8()), derOctets(header.getDataHash_asU8())]);
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

/**
 * The Fabric section of a trust file, read from the channel's configuration block: every org's
 * MSP root certificates and the BFT consenters with their signing certificates. A consortium
 * publishes it once; verifiers then need nothing from the network.
 */
export function fabricTrustFromConfigBlock(blockBytes: Uint8Array, blockSignatures?: number): NonNullable<TrustFile['fabric']> {
  const block = common.Block.deserializeBinary(blockBytes);
  const envelope = common.Envelope.deserializeBinary(block.getData()?.getDataList_asU8()[0] ?? new Uint8Array());
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const channel = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array()).getChannelId();
  const config = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8()).getConfig();
  const root = config?.getChannelGroup();
  if (!root) throw new Error('not a configuration block');
  const mspRoots: Record<string, string[]> = {};
  const collectMsps = (group: common.ConfigGroup) => {
    group.getGroupsMap().forEach((orgGroup: common.ConfigGroup) => {
      const value = orgGroup.getValuesMap().get('MSP');
      if (!value) return;
      const fabricMsp = msp.FabricMSPConfig.deserializeBinary(msp.MSPConfig.deserializeBinary(value.getValue_asU8()).getConfig_asU8());
      mspRoots[fabricMsp.getName()] = fabricMsp.getRootCertsList_asU8().map((cert) => Buffer.from(cert).toString('utf8'));
    });
  };
  const groups = root.getGroupsMap();
  const orderer = groups.get('Orderer');
  for (const name of ['Application', 'Orderer']) {
    const group = groups.get(name);
    if (group) collectMsps(group);
  }
  const orderersValue = orderer?.getValuesMap().get('Orderers');
  const consenters = orderersValue
    ? common.Orderers.deserializeBinary(orderersValue.getValue_asU8()).getConsenterMappingList().map((c) => ({
        id: c.getId(),
        mspId: c.getMspId(),
        identity: Buffer.from(c.getIdentity_asU8()).toString('utf8'),
      }))
    : [];
  // BFT: a block carries the signatures of a quorum, ceil((n + f + 1) / 2) with f = floor((n - 1) / 3).
  const n = consenters.length;
  const quorum = n > 0 ? Math.ceil((n + Math.floor((n - 1) / 3) + 1) / 2) : 1;
  return { channel, mspRoots, consenters, blockSignatures: blockSignatures ?? quorum };
}
