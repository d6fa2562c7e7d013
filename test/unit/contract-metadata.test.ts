import { expect } from 'chai';
import { CorrectionContract } from 'correction-chaincode';

interface TransactionMetadata {
  readonly name: string;
  readonly tag: readonly string[];
  readonly parameters: ReadonlyArray<{ readonly name: string }>;
}

/** What fabric-contract-api reads to route a peer's invocation: the context must not count as an argument. */
describe('contract metadata', () => {
  const transactions = Reflect.getMetadata('fabric:transactions', CorrectionContract.prototype) as TransactionMetadata[];
  const byName = new Map(transactions.map((t) => [t.name, t]));

  it('declares each transaction with its arguments only, not the context', () => {
    expect(byName.get('RecordEvent')?.parameters.map((p) => p.name)).to.deep.equal(['subjectRef', 'type', 'occurredAt', 'amends', 'idempotencyKeyHash']);
    expect(byName.get('VerifyDocument')?.parameters.map((p) => p.name)).to.deep.equal(['entryId', 'docHash']);
    expect(byName.get('Ping')?.parameters).to.deep.equal([]);
    for (const transaction of transactions) {
      expect(transaction.parameters.map((p) => p.name), transaction.name).to.not.include('ctx');
    }
  });

  it('submits only the transactions that write: recording events, reads that leave an access entry, and anchoring checkpoints', () => {
    expect(transactions.filter((t) => t.tag.includes('SUBMIT')).map((t) => t.name).sort()).to.deep.equal(['AnchorCheckpoint', 'ReadRecorded', 'RecordEvent']);
  });
});
