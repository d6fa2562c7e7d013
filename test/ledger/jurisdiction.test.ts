import { expect } from 'chai';
import { DomainError, subjectRefFor } from 'correction-chaincode/domain';
import { EmbeddedLedger } from '../../gateway/src/ledger/embedded/embedded-ledger.js';
import { CorrectionClient, freshKeyHash } from '../../gateway/src/services/correction-client.js';
import { caller } from '../support/actors.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { CHAOYANG, HAIDIAN, runJurisdictionTable, tableSubjects } from '../support/jurisdiction-table.js';
import { testSealer } from '../support/sealer.js';
import { tempDir } from '../support/temp.js';

const KEY = Buffer.alloc(32, 9);

describe('jurisdictions and sealed records, decided by the contract on the embedded ledger', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const opened: EmbeddedLedger[] = [];

  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    for (const ledger of opened.splice(0)) await ledger.close();
    await dir.remove();
  });

  async function open(units?: string): Promise<CorrectionClient> {
    const ledger = await EmbeddedLedger.open({ dataDir: dir.path, sealer: testSealer(), units });
    opened.push(ledger);
    return new CorrectionClient(ledger);
  }

  it('L8, L9, L54, L61, SPCI581: allows and refuses each (agency, unit, kind, role, action, subject) of the table, and the sealed subject\'s trail names every allowed read', async () => {
    const client = await open();
    const refs = { chaoyang: subjectRefFor(KEY, residentId(1)), sealed: subjectRefFor(KEY, residentId(2)) };
    await tableSubjects(() => client, refs);
    await runJurisdictionTable(() => client, refs);
  });

  it('bounds what a gateway may assert by its identity\'s units (correction.units; LEDGER_UNITS here): its own units and those below, never beside or above', async () => {
    const client = await open(CHAOYANG);
    const ref = subjectRefFor(KEY, residentId(3));
    const handover = (unit: string) =>
      client.recordEvent(caller('COURT', { unit, unitKind: 'COURT' }), {
        subjectRef: ref, type: 'SENTENCE_HANDOVER', occurredAt: '2024-01-10T09:00:00+08:00', document: sampleDocument('SENTENCE_HANDOVER'), keyHash: freshKeyHash(),
      });
    for (const unit of [HAIDIAN, '1101', '*']) {
      const refused = await handover(unit).then(() => undefined, (error: unknown) => error);
      expect(refused, unit).to.be.instanceOf(DomainError);
      expect((refused as DomainError).code, unit).to.equal('FORBIDDEN');
      expect((refused as DomainError).message, unit).to.match(/acts for units 110105 only/);
    }
    const recorded = await handover('110105001');
    expect(recorded.entry.unit).to.equal('110105001');
  });

  it('refuses a transaction whose gateway asserts no principal, or one of a kind its agency has not', async () => {
    const client = await open();
    const ref = subjectRefFor(KEY, residentId(4));
    const request = { subjectRef: ref, type: 'SENTENCE_HANDOVER' as const, occurredAt: '2024-01-10T09:00:00+08:00', document: sampleDocument('SENTENCE_HANDOVER'), keyHash: freshKeyHash() };
    const noActor = await client.recordEvent({ agency: 'COURT' }, request).then(() => undefined, (error: unknown) => error);
    expect((noActor as DomainError).message).to.match(/no acting principal/);
    const border = await client.recordEvent(caller('COURT', { unit: CHAOYANG, unitKind: 'BORDER' }), request).then(() => undefined, (error: unknown) => error);
    expect((border as DomainError).code).to.equal('FORBIDDEN');
    expect((border as DomainError).message).to.match(/BORDER is not a kind of unit of COURT/);
  });
});
