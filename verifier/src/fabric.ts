import { createHash, createVerify, X509Certificate } from 'node:crypto';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import type { EntryLike } from './entry.js';
import type { Check, FabricEvidence } from './evidence.js';
import type { FabricTrust, TrustFile } from './trust.js';

/**
 * Checks the Fabric block of an evidence bundle: the block's data hash, that it holds the entry's
 * transaction marked valid with the entry's own chaincode event, and that enough orderers of the
 * channel signed its header, each with a certificate issued by its org's MSP root.
 */
export function verifyFabricBlock(fabric: FabricEvidence, entry: EntryLike, trust: TrustFile): Promise<Check> {
  // The check is synchronous; a block that breaks it still rejects the promise rather than throwing.
  return new Promise((resolve) => {
    resolve(checkFabricBlock(fabric, entry, trust));
  });
}

/** A decoded block whose data matches its header. */
interface OpenedBlock {
  readonly header: common.BlockHeader;
  readonly data: Uint8Array[];
  readonly metadata: Uint8Array[];
}

function checkFabricBlock(fabric: FabricEvidence, entry: EntryLike, trust: TrustFile): Check {
  const fail = (detail: string): Check => ({ name: 'fabric block', ok: false, status: 'FAIL', detail });
  if (!trust.fabric) return fail('the trust file has no Fabric channel configuration');
  const block = decodeBlock(fabric.block);
  if (!block) return fail('the block does not decode');
  const opened = openBlock(block, fabric.blockNumber);
  if (typeof opened === 'string') return fail(opened);
  const problem = entryTransactionProblem(opened, entry, fabric.blockNumber);
  if (problem !== undefined) return fail(problem);

  const signers = verifiedSigners(opened.header, opened.metadata[common.BlockMetadataIndex.SIGNATURES], trust.fabric);
  const ok = signers.size >= trust.fabric.blockSignatures;
  return {
    name: 'fabric block',
    ok,
    status: ok ? 'PASS' : 'FAIL',
    detail: `block ${fabric.blockNumber} holds valid tx ${entry.txId}; signed by ${signers.size} of ${trust.fabric.blockSignatures} required orderers` +
      (signers.size ? ` (${[...signers].join(', ')})` : ''),
  };
}

function decodeBlock(base64: string): common.Block | undefined {
  try {
    return common.Block.deserializeBinary(Buffer.from(base64, 'base64'));
  } catch {
    return undefined;
  }
}

/** The block's parts once it is the block named and its data matches its header; otherwise why not. */
function openBlock(block: common.Block, blockNumber: number): OpenedBlock | string {
  const header = block.getHeader();
  const data = block.getData()?.getDataList_asU8() ?? [];
  if (!header || header.getNumber() !== blockNumber) return `the block is not block ${blockNumber}`;
  const dataHash = createHash('sha256').update(Buffer.concat(data)).digest();
  if (!dataHash.equals(Buffer.from(header.getDataHash_asU8()))) return 'the block data does not match its header';
  return { header, data, metadata: block.getMetadata()?.getMetadataList_asU8() ?? [] };
}

/** Why the block does not show the entry's transaction, valid and recording this very entry; undefined if it does. */
function entryTransactionProblem(opened: OpenedBlock, entry: EntryLike, blockNumber: number): string | undefined {
  const position = opened.data.findIndex((envelope) => txIdOf(envelope) === entry.txId);
  if (position < 0) return `transaction ${entry.txId} is not in block ${blockNumber}`;
  const validity = opened.metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
  if (!validity || validity[position] !== peer.TxValidationCode.VALID) return 'the transaction is not marked valid in the block';
  const event = chaincodeEventOf(opened.data[position] as Uint8Array);
  const recorded = event ? safeJson(event.getPayload_asU8()) : undefined;
  if (recorded?.['hash'] !== entry.hash || recorded['id'] !== entry.id) return 'the transaction did not record this entry';
  return undefined;
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
function verifiedSigners(header: common.BlockHeader, signatures: Uint8Array | undefined, trust: FabricTrust): Set<string> {
  const signers = new Set<string>();
  if (!signatures) return signers;
  const md = common.Metadata.deserializeBinary(signatures);
  const headerBytes = blockHeaderDer(header);
  for (const signature of md.getSignaturesList()) {
    const claimed = claimedSigner(signature, trust);
    if (!claimed) continue;
    const signed = Buffer.concat([md.getValue_asU8(), claimed.headerPart, headerBytes]);
    const name = verifiedSignerName(claimed, signed, signature.getSignature_asU8(), trust);
    if (name !== undefined) signers.add(name);
  }
  return signers;
}

/** Who a block signature says signed it, and the header bytes that signature covers. */
interface ClaimedSigner {
  readonly mspId: string;
  readonly pem: string;
  readonly headerPart: Uint8Array;
}

/**
 * A BFT orderer names itself by consenter id in an identifier header, looked up in the trust
 * file; otherwise the signature header carries the creator's certificate itself.
 */
function claimedSigner(signature: common.MetadataSignature, trust: FabricTrust): ClaimedSigner | undefined {
  const signatureHeader = signature.getSignatureHeader_asU8();
  const identifierHeader = signature.getIdentifierHeader_asU8();
  if (signatureHeader.length === 0 && identifierHeader.length > 0) {
    const id = common.IdentifierHeader.deserializeBinary(identifierHeader).getIdentifier();
    const consenter = trust.consenters.find((c) => c.id === id);
    return consenter ? { mspId: consenter.mspId, pem: consenter.identity, headerPart: identifierHeader } : undefined;
  }
  const creator = msp.SerializedIdentity.deserializeBinary(common.SignatureHeader.deserializeBinary(signatureHeader).getCreator_asU8());
  return { mspId: creator.getMspid(), pem: Buffer.from(creator.getIdBytes_asU8()).toString('utf8'), headerPart: signatureHeader };
}

/** The signer's common name (or certificate fingerprint) if its MSP issued it and its signature holds. */
function verifiedSignerName(claimed: ClaimedSigner, signed: Buffer, signature: Uint8Array, trust: FabricTrust): string | undefined {
  try {
    const certificate = new X509Certificate(claimed.pem);
    const issued = (trust.mspRoots[claimed.mspId] ?? []).some((root) => certificate.verify(new X509Certificate(root).publicKey));
    const valid = createVerify('SHA256').update(signed).verify(certificate.publicKey, Buffer.from(signature));
    if (!issued || !valid) return undefined;
    return certificate.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? certificate.fingerprint256;
  } catch {
    return undefined; // an unreadable certificate or signature counts for nothing
  }
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
export function fabricTrustFromConfigBlock(blockBytes: Uint8Array, blockSignatures?: number): FabricTrust {
  const { channel, root } = channelConfigOf(blockBytes);
  const groups = root.getGroupsMap();
  const mspRoots: Record<string, string[]> = {};
  for (const name of ['Application', 'Orderer']) {
    const group = groups.get(name);
    if (group) collectMspRoots(group, mspRoots);
  }
  const consenters = consentersOf(groups.get('Orderer'));
  return { channel, mspRoots, consenters, blockSignatures: blockSignatures ?? bftQuorum(consenters.length) };
}

/** The channel's name and its root config group, from a configuration block. */
function channelConfigOf(blockBytes: Uint8Array): { readonly channel: string; readonly root: common.ConfigGroup } {
  const block = common.Block.deserializeBinary(blockBytes);
  const envelope = common.Envelope.deserializeBinary(block.getData()?.getDataList_asU8()[0] ?? new Uint8Array());
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const channel = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array()).getChannelId();
  const config = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8()).getConfig();
  const root = config?.getChannelGroup();
  if (!root) throw new Error('not a configuration block');
  return { channel, root };
}

/** Adds the root certificates of every org's MSP under the group. */
function collectMspRoots(group: common.ConfigGroup, mspRoots: Record<string, string[]>): void {
  group.getGroupsMap().forEach((orgGroup: common.ConfigGroup) => {
    const value = orgGroup.getValuesMap().get('MSP');
    if (!value) return;
    const fabricMsp = msp.FabricMSPConfig.deserializeBinary(msp.MSPConfig.deserializeBinary(value.getValue_asU8()).getConfig_asU8());
    mspRoots[fabricMsp.getName()] = fabricMsp.getRootCertsList_asU8().map((cert) => Buffer.from(cert).toString('utf8'));
  });
}

function consentersOf(orderer: common.ConfigGroup | undefined): FabricTrust['consenters'] {
  const orderersValue = orderer?.getValuesMap().get('Orderers');
  if (!orderersValue) return [];
  return common.Orderers.deserializeBinary(orderersValue.getValue_asU8()).getConsenterMappingList().map((c) => ({
    id: c.getId(),
    mspId: c.getMspId(),
    identity: Buffer.from(c.getIdentity_asU8()).toString('utf8'),
  }));
}

/** BFT: a block carries the signatures of a quorum, ceil((n + f + 1) / 2) with f = floor((n - 1) / 3). */
function bftQuorum(n: number): number {
  return n > 0 ? Math.ceil((n + Math.floor((n - 1) / 3) + 1) / 2) : 1;
}
