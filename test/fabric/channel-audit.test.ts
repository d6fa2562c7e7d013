import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { expect } from 'chai';
import type { Entry } from 'correction-chaincode/domain';
import type { Gateway } from '../../gateway/src/gateway.js';
import { FabricConnection, FabricLedger } from '../../gateway/src/ledger/fabric/fabric-ledger.js';
import { runFabricAudit, type FabricAuditSettings } from '../../gateway/src/ledger/fabric/audit/fabric-auditor.js';
import type { ChannelAuditReport } from '../../gateway/src/ledger/fabric/audit/report.js';
import type { AuditReport } from '../../gateway/src/services/correction-service.js';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { NETWORK_DIR, type FabricTarget } from '../support/fabric-target.js';
import { residentId } from '../support/ids.js';
import { tempDir } from '../support/temp.js';
import { until } from '../support/until.js';
import { sharedFabricTarget } from './shared.js';

/** A block as the peer delivered it, changed in flight: the audit reads blocks from any iterator. */
type Alteration = (block: common.Block) => common.Block;

const exec = promisify(execFile);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The peer's blocks, with `alter` applied to block `number` on its way to the audit. */
function alteredBlocks(source: FabricLedger, number: number, alter: Alteration): FabricAuditSettings['blocks'] {
  return async function* (from, signal) {
    for await (const block of source.blocks(from, signal)) yield block.getHeader()?.getNumber() === number ? alter(common.Block.deserializeBinary(block.serializeBinary())) : block;
  };
}

/** Flips one byte of the block's first envelope: its data no longer matches its header. */
const flipDataByte: Alteration = (block) => {
  const data = block.getData()?.getDataList_asU8() ?? [];
  const first = Uint8Array.from(data[0] ?? []);
  const at = first.length - 40; // inside the endorsements, past anything the audit parses
  first[at] = (first[at] ?? 0) ^ 0xff;
  block.getData()?.setDataList([first, ...data.slice(1)]);
  return block;
};

/** Replaces the orderers' signatures with altered ones: each still names its orderer, none verifies. */
const spoilSignatures: Alteration = (block) => {
  const list = block.getMetadata()?.getMetadataList_asU8() ?? [];
  const metadata = common.Metadata.deserializeBinary(list[common.BlockMetadataIndex.SIGNATURES] ?? new Uint8Array());
  for (const signature of metadata.getSignaturesList()) {
    const bytes = Uint8Array.from(signature.getSignature_asU8());
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0x01;
    signature.setSignature(bytes);
  }
  const replaced = [...list];
  replaced[common.BlockMetadataIndex.SIGNATURES] = metadata.serializeBinary();
  block.getMetadata()?.setMetadataList(replaced);
  return block;
};

/**
 * Rewrites the entry a block's first transaction wrote (and nothing else: not its event, not its
 * hash), re-encoding every layer down to the envelope. The block then differs from what the
 * orderers signed and from the peer's state: an edit made to a copy of the channel.
 */
function rewriteEntry(edit: (entry: Entry) => Entry): Alteration {
  return (block) => {
    const data = block.getData()?.getDataList_asU8() ?? [];
    const envelope = common.Envelope.deserializeBinary(data[0] ?? new Uint8Array());
    const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
    const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
    const action = transaction.getActionsList()[0] ?? new peer.TransactionAction();
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const endorsed = actionPayload.getAction() ?? new peer.ChaincodeEndorsedAction();
    const response = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
    const chaincodeAction = peer.ChaincodeAction.deserializeBinary(response.getExtension_asU8());
    const results = ledger.rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8());
    for (const ns of results.getNsRwsetList()) {
      const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      for (const write of kv.getWritesList()) {
        if (write.getKey().startsWith('\u0000entry\u0000')) write.setValue(encoder.encode(JSON.stringify(edit(JSON.parse(decoder.decode(write.getValue_asU8())) as Entry))));
      }
      ns.setRwset(kv.serializeBinary());
    }
    chaincodeAction.setResults(results.serializeBinary());
    response.setExtension$(chaincodeAction.serializeBinary());
    endorsed.setProposalResponsePayload(response.serializeBinary());
    actionPayload.setAction(endorsed);
    action.setPayload(actionPayload.serializeBinary());
    transaction.setActionsList([action, ...transaction.getActionsList().slice(1)]);
    payload.setData(transaction.serializeBinary());
    envelope.setPayload(payload.serializeBinary());
    block.getData()?.setDataList([envelope.serializeBinary(), ...data.slice(1)]);
    return block;
  };
}

const checkOf = (report: AuditReport, name: string) => report.checks?.find((c) => c.name === name);

describe('whole-channel audit on Fabric', function () {
  this.timeout(180_000);
  let target: FabricTarget;
  let procuratorate: Gateway;
  let fabric: FabricLedger;
  const entries: Entry[] = [];
  let n = (Math.floor(Date.now() / 1000) % 1_000_000) + 5_000_000;
  const dirs: Array<{ remove: () => Promise<void> }> = [];

  /** A run of the audit core through the procuratorate's peer, from a fresh checkpoint unless one is given. */
  async function audit(options: Partial<FabricAuditSettings> & { stepBlocks?: number; signal?: AbortSignal } = {}): Promise<ChannelAuditReport> {
    let dataDir = options.dataDir;
    if (!dataDir) {
      const dir = await tempDir('correction-audit-');
      dirs.push(dir);
      dataDir = dir.path;
    }
    return runFabricAudit(
      { ledger: fabric, agency: 'PROCURATORATE', dataDir, log: procuratorate.log.tree, ...options },
      { ...(options.stepBlocks ? { stepBlocks: options.stepBlocks } : {}), ...(options.signal ? { signal: options.signal } : {}) },
    );
  }

  /** The block an entry was committed in, as the procuratorate's log places it. */
  async function blockOf(entry: Entry): Promise<number> {
    const located = await procuratorate.log.tree.locate(entry.id);
    if (!located) throw new Error(`the log does not hold ${entry.id}`);
    return located.block;
  }

  before(async () => {
    target = await sharedFabricTarget();
    const court = new Api(target, 'COURT', 'clerk');
    const justice = new Api(target, 'JUSTICE', 'officer');
    for (let i = 0; i < 3; i++) {
      const handover = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(++n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
      expect(handover.status, JSON.stringify(handover.body)).to.equal(201);
      const received = await justice.record('SUBJECT_RECEIVED', { ref: handover.body.entry.subjectRef }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-15T09:00:00+08:00');
      expect(received.status, JSON.stringify(received.body)).to.equal(201);
      entries.push(handover.body.entry, received.body.entry);
    }
    const gateway = target.gateways.get('PROCURATORATE');
    if (!gateway) throw new Error('no procuratorate gateway');
    procuratorate = gateway;
    const last = entries.at(-1);
    await until(async () => last !== undefined && (await procuratorate.log.tree.locate(last.id)) !== undefined, 'the procuratorate\'s log holds the last entry');
    const connection = FabricConnection.parse(JSON.parse(await readFile(join(NETWORK_DIR, 'gateways', 'PROCURATORATE.json'), 'utf8')));
    fabric = await FabricLedger.open(connection);
  });

  after(async () => {
    await fabric.close();
    for (const dir of dirs) await dir.remove();
  });

  it('passes a clean channel through GET /v1/audit, every check named', async () => {
    const auditor = new Api(target, 'PROCURATORATE', 'auditor');
    const answer = await auditor.get<ChannelAuditReport>('/v1/audit');
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    const report = answer.body;
    expect(report.problems, JSON.stringify(report.problems.slice(0, 3))).to.deep.equal([]);
    expect(report.ok).to.equal(true);
    expect(report.checks.map((c) => [c.name, c.status])).to.deep.equal([
      ['block headers', 'PASS'],
      ['orderer signatures', 'PASS'],
      ['subject chains', 'PASS'],
      ['world state', 'PASS'],
      ['Merkle log', 'PASS'],
    ]);
    expect(report.entries).to.be.at.least(entries.length);
    expect(report.genesisHash).to.match(/^[0-9a-f]{64}$/);
    expect(checkOf(report, 'Merkle log')?.detail).to.match(/^[1-9]\d* of [1-9]\d* leaves/);
  });

  it('names the block whose data was altered on its way from the peer', async () => {
    const block = await blockOf(entries[0] as Entry);
    const report = await audit({ blocks: alteredBlocks(fabric, block, flipDataByte) });
    expect(report.ok).to.equal(false);
    const headers = checkOf(report, 'block headers');
    expect(headers?.status).to.equal('FAIL');
    expect(headers?.firstFailure).to.include({ kind: 'BLOCK_DATA_ALTERED', block });
    expect(checkOf(report, 'orderer signatures')?.status).to.equal('PASS');
  });

  it('names the block whose orderer signatures were altered', async () => {
    const block = await blockOf(entries[1] as Entry);
    const report = await audit({ blocks: alteredBlocks(fabric, block, spoilSignatures) });
    const signatures = checkOf(report, 'orderer signatures');
    expect(signatures?.status).to.equal('FAIL');
    expect(signatures?.failures).to.equal(1);
    expect(signatures?.firstFailure).to.include({ kind: 'BLOCK_NOT_SIGNED', block });
    expect(signatures?.firstFailure?.detail).to.match(/valid signatures of 0 orderer\(s\); .* needs 3 of 4 orderers/);
    expect(checkOf(report, 'block headers')?.status).to.equal('PASS');
  });

  it('names an entry rewritten in a copy of a block: its chain, its event, the world state and the data hash all disagree', async () => {
    const rewritten = entries[2] as Entry;
    const block = await blockOf(rewritten);
    const report = await audit({ blocks: alteredBlocks(fabric, block, rewriteEntry((e) => ({ ...e, occurredAt: '2024-01-01T09:00:00+08:00' }))) });
    expect(checkOf(report, 'subject chains')?.firstFailure).to.include({ kind: 'ENTRY_ALTERED', block, entryId: rewritten.id });
    expect(report.problems.find((p) => p.kind === 'EVENT_DIFFERS_FROM_ENTRY')).to.include({ block, entryId: rewritten.id });
    expect(checkOf(report, 'world state')?.firstFailure).to.include({ kind: 'STATE_DIFFERS_FROM_BLOCK', block, subjectRef: rewritten.subjectRef, seq: rewritten.seq });
    // The copy no longer hashes to its header, so the orderers' signatures over the header still hold: the data hash is what breaks.
    expect(checkOf(report, 'block headers')?.firstFailure).to.include({ kind: 'BLOCK_DATA_ALTERED', block });
  });

  it('continues from its checkpoint after a stop, and starts over when told', async () => {
    const dir = await tempDir('correction-audit-');
    dirs.push(dir);
    const whole = await audit();
    const stop = new AbortController();
    const first = await runFabricAudit(
      { ledger: fabric, agency: 'PROCURATORATE', dataDir: dir.path, log: procuratorate.log.tree },
      { stepBlocks: 2, signal: stop.signal, onProgress: () => {
        stop.abort();
      } },
    );
    expect(first.complete).to.equal(false);
    expect(first.ok).to.equal(false);
    expect(first.blocks).to.equal(2);
    const second = await audit({ dataDir: dir.path });
    expect(second.complete).to.equal(true);
    expect(second.resumedFromBlock).to.equal(2);
    expect(second.ok, JSON.stringify(second.problems.slice(0, 3))).to.equal(true);
    expect(second.entries).to.be.at.least(whole.entries);
    expect(second.subjects).to.be.at.least(whole.subjects);
    const again = await audit({ dataDir: dir.path, restart: true });
    expect(again.resumedFromBlock).to.equal(0);
    expect(again.ok).to.equal(true);
  });

  it('runs the README\'s audit --fabric: every check PASS with the progress on stderr, and a second run continues', async () => {
    const readme = await readFile('README.md', 'utf8');
    const script = /<!-- readme-fabric-audit:start -->\s*```sh\n([\s\S]*?)```\s*<!-- readme-fabric-audit:end -->/.exec(readme)?.[1];
    if (!script) throw new Error('README has no audit --fabric example');
    const dir = await tempDir('correction-audit-cli-');
    dirs.push(dir);
    const env = { ...process.env, FABRIC_CONNECTION: join(NETWORK_DIR, 'gateways', 'PROCURATORATE.json'), DATA_DIR: dir.path };
    const first = await exec('bash', ['-euo', 'pipefail', '-c', script], { env });
    for (const check of ['block headers', 'orderer signatures', 'subject chains', 'world state']) expect(first.stdout).to.match(new RegExp(`^PASS  ${check}: `, 'm'));
    expect(first.stdout).to.match(/^PASS {2}Merkle log: no log to compare$/m);
    expect(first.stdout).to.match(/^blocks \d+, subjects \d+, entries \d+ \(\d+ entries\/s\): intact$/m);
    expect(first.stderr).to.match(/blocks .* entries\/s/);
    const second = await exec('bash', ['-euo', 'pipefail', '-c', script], { env });
    expect(second.stdout).to.match(/^genesis block [0-9a-f]{64}; continued from block [1-9]\d*$/m);
  });
});
