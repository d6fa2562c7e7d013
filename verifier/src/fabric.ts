import { common, peer } from '@hyperledger/fabric-protos';
import { bftQuorum, blockDataHash, BlockSignatureChecker, channelConfigOf, chaincodeEventOf, consentersOf, mspRootsOf, txIdOf } from './fabric-block.js';
import type { EntryLike } from './entry.js';
import type { Check, FabricEvidence } from './evidence.js';
import type { FabricTrust, TrustFile } from './trust.js';

export { blockHeaderDer } from './fabric-block.js';

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
  const dataHash = blockDataHash(data);
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

function safeJson(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Names of the orderers whose signature over the block header holds, with a certificate their MSP issued. */
function verifiedSigners(header: common.BlockHeader, signatures: Uint8Array | undefined, trust: FabricTrust): Set<string> {
  return new Set(new BlockSignatureChecker(trust).verifiedSigners(header, signatures).map((s) => s.name));
}

/**
 * The Fabric section of a trust file, read from the channel's configuration block: every org's
 * MSP root certificates and the BFT consenters with their signing certificates. A consortium
 * publishes it once; verifiers then need nothing from the network.
 */
export function fabricTrustFromConfigBlock(blockBytes: Uint8Array, blockSignatures?: number): FabricTrust {
  const { channel, root } = channelConfigOf(common.Block.deserializeBinary(blockBytes));
  const groups = root.getGroupsMap();
  const mspRoots = mspRootsOf(groups.get('Orderer'), mspRootsOf(groups.get('Application')));
  const consenters = consentersOf(groups.get('Orderer'));
  return { channel, mspRoots, consenters, blockSignatures: blockSignatures ?? bftQuorum(consenters.length) };
}
