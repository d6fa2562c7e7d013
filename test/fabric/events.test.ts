import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Entry } from 'correction-chaincode/domain';
import { FabricConnection, FabricLedger } from '../../gateway/src/ledger/fabric/fabric-ledger.js';
import type { LedgerEvent } from '../../gateway/src/ledger/port.js';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { fabricTarget, NETWORK_DIR, type FabricTarget } from '../support/fabric-target.js';
import { residentId } from '../support/ids.js';
import { tempDir } from '../support/temp.js';

describe('chaincode events with a file checkpoint', function () {
  this.timeout(120_000);
  let target: FabricTarget;
  let court: Api;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let n = (Math.floor(Date.now() / 1000) % 5_000_000) + 10_000_000;

  before(async () => {
    target = await fabricTarget();
    court = new Api(target, 'COURT');
    dir = await tempDir();
  });
  after(async () => {
    await target?.close();
    await dir?.remove();
  });

  async function handover(): Promise<string> {
    const answer = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(++n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    expect(answer.status).to.equal(201);
    return answer.body.entry.txId as string;
  }

  /** Justice's ledger following events, collecting those of the given transactions. */
  async function follow(checkpointFile: string, seen: LedgerEvent[]): Promise<FabricLedger> {
    const connection = FabricConnection.parse(JSON.parse(await readFile(join(NETWORK_DIR, 'gateways', 'JUSTICE.json'), 'utf8')));
    const ledger = await FabricLedger.open(connection, { eventCheckpointFile: checkpointFile });
    ledger.on('chaincodeEvent', (event: LedgerEvent) => seen.push(event));
    return ledger;
  }

  async function until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('resumes after a restart from its checkpoint, missing and repeating nothing', async () => {
    const checkpoint = join(dir.path, 'events.checkpoint');
    const first: LedgerEvent[] = [];
    let ledger = await follow(checkpoint, first);
    const before = [await handover(), await handover()];
    await until(() => before.every((tx) => first.some((e) => e.txId === tx)), 'the first two events');
    await ledger.close();

    const missed = [await handover(), await handover(), await handover()];
    const second: LedgerEvent[] = [];
    ledger = await follow(checkpoint, second);
    try {
      await until(() => missed.every((tx) => second.some((e) => e.txId === tx)), 'the missed events');
      const secondTxs = second.map((e) => e.txId);
      expect(secondTxs.filter((tx) => before.includes(tx)), 'no event delivered twice').to.deep.equal([]);
      expect(secondTxs.filter((tx) => missed.includes(tx))).to.deep.equal(missed);
      expect(new Set(first.map((e) => e.txId)).size).to.equal(first.length);
      const entry = JSON.parse(new TextDecoder().decode(second.find((e) => e.txId === missed[0])?.payload)) as Entry;
      expect(entry).to.include({ type: 'SENTENCE_HANDOVER', agency: 'COURT', txId: missed[0] });
      expect(second.every((e) => e.name === 'EntryRecorded')).to.equal(true);
    } finally {
      await ledger.close();
    }
  });
});
