import { common } from '@hyperledger/fabric-protos';
import {
  blockDataHash,
  blockHeaderHash,
  BlockSignatureChecker,
  channelConfigOf,
  consentersOf,
  isConfigBlock,
  mspRootsOf,
  type BlockSigners,
} from 'correction-verifier/fabric-block';
import type { AuditCheckpoint } from './audit-store.js';
import { blockPolicyOf, describePolicy, satisfiesPolicy } from './block-policy.js';
import { addProblem, type Findings } from './findings.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/**
 * Checks blocks one after another as Fabric's own block verification does: the header's number
 * and its link to the previous header's hash, the data hash over the envelopes, and the orderers'
 * signatures under the channel configuration in force, which every configuration block replaces.
 * Block 0, the genesis configuration, is the trust anchor: its hash is reported for comparison
 * with the one the consortium published.
 */
export class BlockChecker {
  #checker: BlockSignatureChecker | undefined;
  #signersOf: BlockSigners | null = null;

  /** Checks the block the checkpoint expects next, and moves the checkpoint past it. */
  check(block: common.Block, checkpoint: AuditCheckpoint, findings: Findings): void {
    const expected = checkpoint.nextBlock;
    const header = block.getHeader() ?? new common.BlockHeader();
    this.#checkHeader(block, header, checkpoint, findings);
    if (expected > 0) this.#checkSignatures(block, header, checkpoint, findings);
    const headerHash = hex(blockHeaderHash(header));
    if (expected === 0) checkpoint.genesisHash = headerHash;
    if (isConfigBlock(block)) takeConfig(block, checkpoint);
    checkpoint.previousHeaderHash = headerHash;
    checkpoint.nextBlock = expected + 1;
  }

  #checkHeader(block: common.Block, header: common.BlockHeader, checkpoint: AuditCheckpoint, findings: Findings): void {
    const expected = checkpoint.nextBlock;
    const number = header.getNumber();
    if (number !== expected) {
      addProblem(findings, 'block headers', { kind: 'BLOCK_MISSING', block: expected, detail: `expected block ${expected}, the peer delivered block ${number}` });
    }
    const data = block.getData()?.getDataList_asU8() ?? [];
    if (!blockDataHash(data).equals(header.getDataHash_asU8())) {
      addProblem(findings, 'block headers', { kind: 'BLOCK_DATA_ALTERED', block: expected, detail: 'the envelopes do not hash to the header\'s data_hash' });
    }
    if (hex(header.getPreviousHash_asU8()) !== checkpoint.previousHeaderHash) {
      const detail = expected === 0 ? 'block 0 names a previous hash' : `block ${expected}'s previous_hash is not the hash of block ${expected - 1}'s header`;
      addProblem(findings, 'block headers', { kind: 'BLOCK_HEADER_ALTERED', block: expected, detail });
    }
  }

  #checkSignatures(block: common.Block, header: common.BlockHeader, checkpoint: AuditCheckpoint, findings: Findings): void {
    const { signers, policy } = checkpoint;
    if (!signers || !policy) {
      addProblem(findings, 'orderer signatures', { kind: 'NO_CHANNEL_CONFIG', block: checkpoint.nextBlock, detail: 'no configuration block was read before this block' });
      return;
    }
    if (this.#signersOf !== signers) {
      this.#checker = new BlockSignatureChecker(signers);
      this.#signersOf = signers;
    }
    const metadata = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.SIGNATURES];
    const verified = this.#checker?.verifiedSigners(header, metadata) ?? [];
    if (!satisfiesPolicy(policy, verified)) {
      const names = verified.map((s) => s.name).join(', ');
      addProblem(findings, 'orderer signatures', {
        kind: 'BLOCK_NOT_SIGNED',
        block: checkpoint.nextBlock,
        detail: `valid signatures of ${verified.length} orderer(s)${names ? ` (${names})` : ''}; the channel's BlockValidation policy needs ${describePolicy(policy)}`,
      });
    }
  }
}

/** The orderer orgs' MSP roots, the consenters and the block validation policy of a configuration block. */
function takeConfig(block: common.Block, checkpoint: AuditCheckpoint): void {
  const { root } = channelConfigOf(block);
  const orderer = root.getGroupsMap().get('Orderer');
  checkpoint.signers = { mspRoots: mspRootsOf(orderer), consenters: consentersOf(orderer) };
  checkpoint.policy = blockPolicyOf(root);
}
