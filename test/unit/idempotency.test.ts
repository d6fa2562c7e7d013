import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { checkReplay, DomainError, requestHash, statusAfter } from 'correction-chaincode/domain';
import { Chain } from '../support/chain.js';

describe('idempotency (domain)', () => {
  const facts = { subjectRef: 'ab'.repeat(32), type: 'WARNING_ISSUED', occurredAt: '2024-04-01T09:00:00+08:00', amends: null, docHash: 'cd'.repeat(32) };

  it('hashes a request as SHA-256 of its RFC 8785 canonical facts', () => {
    // Written out by hand: members sorted by name, no whitespace.
    const canonical = `{"amends":null,"docHash":"${'cd'.repeat(32)}","occurredAt":"2024-04-01T09:00:00+08:00","subjectRef":"${'ab'.repeat(32)}","type":"WARNING_ISSUED"}`;
    expect(requestHash(facts)).to.equal(createHash('sha256').update(canonical).digest('hex'));
  });

  it('tells requests apart by every fact, and nothing else', () => {
    const variants = [
      { ...facts, subjectRef: 'ef'.repeat(32) },
      { ...facts, type: 'LEAVE_APPROVED' },
      { ...facts, occurredAt: '2024-04-02T09:00:00+08:00' },
      { ...facts, amends: '0'.repeat(32) },
      { ...facts, docHash: '00'.repeat(32) },
    ];
    const hashes = new Set([requestHash(facts), ...variants.map(requestHash)]);
    expect(hashes.size).to.equal(6);
    expect(requestHash({ ...facts, ...{ extra: 'ignored' } })).to.equal(requestHash(facts));
  });

  it('replays the same request and refuses another with IDEMPOTENCY_KEY_REUSED', () => {
    const record = { entryId: '1'.repeat(32), requestHash: requestHash(facts) };
    expect(() => {
      checkReplay(record, requestHash(facts));
    }).to.not.throw();
    expect(() => {
      checkReplay(record, requestHash({ ...facts, type: 'LEAVE_APPROVED' }));
    })
      .to.throw(DomainError)
      .with.property('code', 'IDEMPOTENCY_KEY_REUSED');
  });

  it('gives the status right after the replayed entry, whatever came later', () => {
    const chain = new Chain();
    const handover = chain.record('COURT', 'SENTENCE_HANDOVER');
    chain.record('JUSTICE', 'SUBJECT_RECEIVED');
    chain.record('JUSTICE', 'WARNING_ISSUED');
    expect(statusAfter(chain.entries, handover.entry)).to.deep.equal(handover.status);
    expect(statusAfter(chain.entries, chain.last)).to.deep.equal(chain.status);
  });
});
