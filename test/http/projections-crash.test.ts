import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { fromHex, leafHash, rootOfLeafHashes, toHex } from 'correction-verifier';
import { DEADLINE_RULES, ENTRY_EVENT, obligationsOf, workingCalendar, type CheckpointCosignature, type Entry, type WorkingCalendar } from 'correction-chaincode/domain';
import { loadConfig } from '../../gateway/src/config.js';
import { mintDevToken } from '../../gateway/src/keys.js';
import { DOCUMENT_KEY_FILE, readKeyFile } from '../../gateway/src/key-files.js';
import { EmbeddedLedger } from '../../gateway/src/ledger/embedded/embedded-ledger.js';
import { LogFollower } from '../../gateway/src/log/log-follower.js';
import { LogProjections } from '../../gateway/src/log/projections/log-projections.js';
import type { LogPosition } from '../../gateway/src/log/records.js';
import { createSealer } from '../../gateway/src/store/sealer.js';
import { startChildGateway, type ChildGateway } from '../support/child-gateway.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { tempDir } from '../support/temp.js';

const WRITERS = 8;

/** What the ledger says, up to a position: the log's projections must say exactly this. */
interface LedgerTruth {
  readonly position: LogPosition;
  readonly entries: Entry[];
  readonly cosignatures: CheckpointCosignature[];
}

/** Reads the ledger's blocks directly — no follower involved — up to a position (the whole ledger when absent). */
async function ledgerTruth(ledger: EmbeddedLedger, upTo?: LogPosition): Promise<LedgerTruth> {
  const truth = { position: { block: 0, eventsInBlock: 0 }, entries: [] as Entry[], cosignatures: [] as CheckpointCosignature[] };
  for await (const block of ledger.blocks()) {
    let inBlock = 0;
    for (const tx of block.transactions) {
      if (!tx.event) continue;
      if (upTo && (block.header.number > upTo.block || (block.header.number === upTo.block && inBlock === upTo.eventsInBlock))) return truth;
      inBlock++;
      truth.position = { block: block.header.number, eventsInBlock: inBlock };
      const payload = JSON.parse(tx.event.payload) as Entry & { cosignatures?: CheckpointCosignature[] };
      if (tx.event.name === ENTRY_EVENT) truth.entries.push(payload);
      else truth.cosignatures.push(...(payload.cosignatures ?? []));
    }
  }
  return truth;
}

/** Every projection against the ledger: tree, entry notices, chains, obligations, cosignatures. */
async function expectAgreement(log: LogProjections, truth: LedgerTruth, calendar: WorkingCalendar): Promise<void> {
  expect(log.position, 'position').to.deep.equal(truth.position);
  expect(log.tree.size, 'tree size').to.equal(truth.entries.length);
  expect(toHex(log.tree.rootAt(log.tree.size)), 'root').to.equal(toHex(rootOfLeafHashes(truth.entries.map((e) => leafHash(fromHex(e.hash))))));
  for (const [i, entry] of truth.entries.entries()) {
    if (i % 25 === 0) expect(await log.tree.locate(entry.id), `leaf of ${entry.id}`).to.deep.include({ index: i });
  }
  const noticed = [];
  for (const agency of ['COURT', 'PROCURATORATE', 'POLICE', 'JUSTICE'] as const) {
    noticed.push(...(await log.notices.noticesAfter(0, { agency, unit: '*' }, Number.MAX_SAFE_INTEGER)).filter((n) => n.kind === 'entry'));
  }
  const entryNotices = [...new Map(noticed.map((n) => [n.id, (n.data['entry'] as Entry).id])).entries()].sort(([a], [b]) => a - b).map(([, id]) => id);
  expect(entryNotices, 'entry notices, once each, in ledger order').to.deep.equal(truth.entries.filter((e) => e.to.length > 0).map((e) => e.id));
  const chains = new Map<string, Entry[]>();
  for (const entry of truth.entries) chains.set(entry.subjectRef, [...(chains.get(entry.subjectRef) ?? []), entry]);
  const expected: string[] = [];
  for (const [subjectRef, chain] of chains) {
    expect(log.chains.subjectChain(subjectRef).map((e) => e.id), `chain of ${subjectRef}`).to.deep.equal(chain.map((e) => e.id));
    for (const o of obligationsOf(chain, new Date().toISOString(), calendar, DEADLINE_RULES)) expected.push(`${subjectRef}/${o.rule}/${o.startedBy}/${String(o.metBy)}`);
  }
  const stored: string[] = [];
  for await (const o of log.chains.obligations()) stored.push(`${o.subjectRef}/${o.rule}/${o.startedBy}/${String(o.metBy)}`);
  expect(stored.sort(), 'obligations').to.deep.equal(expected.sort());
  for (const c of truth.cosignatures) {
    expect((await log.checkpoints.cosignaturesAt(c.treeSize)).map((held) => held.signature), `cosignatures of ${c.treeSize}`).to.include(c.signature);
  }
}

/** Court clerks handing over new subjects as fast as the gateway answers, until it is killed after `killAfter` answers. */
async function handOverUntilKilled(gateway: ChildGateway, token: string, from: number, killAfter: number): Promise<number> {
  let answers = 0;
  let next = from;
  let killing: Promise<void> | undefined;
  const writer = async () => {
    while (!killing) {
      const body = { type: 'SENTENCE_HANDOVER', subject: { idNumber: residentId(next++) }, occurredAt: '2024-01-10T09:00:00+08:00', document: sampleDocument('SENTENCE_HANDOVER') };
      try {
        const answer = await fetch(`${gateway.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(answer.status, await answer.text()).to.equal(201);
        if (++answers === killAfter) killing = gateway.kill9();
      } catch (error) {
        if (!killing) throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  await killing;
  return next;
}

describe('the log projections across kill -9 while the follower writes', function () {
  this.timeout(180_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;

  before(async () => (dir = await tempDir()));
  after(() => dir.remove());

  it('leaves every projection at one ledger position, and a restarted follower brings each to agree with the ledger', async () => {
    let next = 90_000;
    // Killed early, after a round of answers, and deep into the load; restarted over the same data each time.
    for (const killAfter of [3, WRITERS * 2, WRITERS * 8]) {
      const gateway = await startChildGateway(dir.path);
      const token = await mintDevToken(dir.path, { agency: 'COURT', role: 'clerk', sub: 'projections-crash', expiresIn: '1h' });
      next = await handOverUntilKilled(gateway, token, next, killAfter);
    }

    const config = loadConfig({ DATA_DIR: dir.path });
    const ledger = await EmbeddedLedger.open({ dataDir: dir.path, sealer: createSealer(await readKeyFile(DOCUMENT_KEY_FILE, config.documentKeyFile)) });
    const log = await LogProjections.open(dir.path);
    const calendar = workingCalendar(JSON.parse(await readFile(config.holidayCalendar, 'utf8')) as { holidays?: string[]; workdays?: string[] });
    try {
      // As the last kill left them: every projection at the one position written with them.
      await expectAgreement(log, await ledgerTruth(ledger, log.position), calendar);
      const whole = await ledgerTruth(ledger);
      expect(whole.entries.length, 'the follower was behind the ledger at the kill, or level with it').to.be.at.least(log.tree.size);

      // Restarted as a gateway restarts it: from its own position, up to the ledger's last event.
      const follower = new LogFollower(ledger, log, undefined, { calendar, now: () => new Date(), rules: DEADLINE_RULES });
      const caughtUp = new Promise<void>((resolve) => {
        const check = () => {
          if (log.position.block === whole.position.block && log.position.eventsInBlock === whole.position.eventsInBlock) resolve();
        };
        follower.on('event', check);
        check();
      });
      follower.start();
      await caughtUp;
      await follower.close();
      await expectAgreement(log, whole, calendar);
    } finally {
      await log.close();
      await ledger.close();
    }
  });
});
