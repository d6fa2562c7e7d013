import { createHash } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { canonicalJson, documentHash, entryHash, GENESIS_HASH } from 'correction-chaincode/domain';
import { actor } from '../support/actors.js';
import { Chain } from '../support/chain.js';
import { sampleDocument } from '../support/documents.js';

/**
 * An outsider's canonicalisation, written here from RFC 8785 for the values entries hold
 * (objects, arrays, strings, integers, booleans, null): keys sorted by UTF-16 code units,
 * no whitespace, strings as JSON.stringify writes them.
 */
function outsiderCanonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(outsiderCanonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${outsiderCanonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('canonical hashing', () => {
  it('matches RFC 8785\'s own example of property sorting and number and string forms', () => {
    // RFC 8785 section 3.2.3 (sorting) and 3.2.2.3 examples, reduced.
    const input = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    expect(canonicalJson(input)).to.equal(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    // RFC 8785's input text for the first number has more digits than a double holds: read it as JSON would.
    expect(canonicalJson({ numbers: [Number('333333333.33333329'), 1e30, 4.5, 0.002, 1e-27] })).to.equal('{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}');
  });

  it('lets an outsider recompute every entry hash from the entry alone, its unit and addressed units included', () => {
    const chain = new Chain();
    chain.record(actor('COURT', { unit: '110105', unitKind: 'COURT' }), 'SENTENCE_HANDOVER');
    chain.record(actor('JUSTICE', { unit: '110105', unitKind: 'BUREAU' }), 'SUBJECT_RECEIVED');
    chain.record('JUSTICE', 'WARNING_ISSUED');
    let previous = GENESIS_HASH;
    for (const entry of chain.entries) {
      const { hash, ...rest } = JSON.parse(JSON.stringify(entry)) as Record<string, unknown>;
      expect(sha256(outsiderCanonical(rest))).to.equal(hash);
      expect(entry.prevHash).to.equal(previous);
      previous = entry.hash;
    }
  });

  it('hashes a document as the SHA-256 of its canonical JSON, whatever its key order', () => {
    const document = sampleDocument('SENTENCE_HANDOVER');
    const reordered = Object.fromEntries(Object.entries(document).reverse());
    expect(documentHash(reordered)).to.equal(documentHash(document));
    expect(documentHash(document)).to.equal(sha256(outsiderCanonical(document)));
  });

  it('agrees with the outsider on arbitrary JSON documents', () => {
    const json = fc.jsonValue({ maxDepth: 4 }).filter((v) => !JSON.stringify(v).includes('-0') && !/\d\.\d+e|e[+-]?\d/i.test(JSON.stringify(v)));
    fc.assert(fc.property(json, (value) => canonicalJson(value) === outsiderCanonical(value)), { numRuns: 300 });
  });

  it('changes when any field of an entry changes', () => {
    const entry = new Chain().record('COURT', 'SENTENCE_HANDOVER').entry;
    for (const field of ['occurredAt', 'recordedAt', 'docHash', 'prevHash', 'agency', 'unit', 'txId'] as const) {
      const altered = { ...entry, [field]: `${entry[field]}x` };
      expect(entryHash(altered), field).to.not.equal(entry.hash);
    }
    const readdressed = { ...entry, to: entry.to.map((a) => (a.agency === 'POLICE' ? { ...a, unit: '110108' } : a)) };
    expect(entryHash(readdressed), 'to').to.not.equal(entry.hash);
  });
});

describe('canonical JSON of entries, written for their shape', () => {
  it('is exactly what the generic RFC 8785 canonicalisation gives, for entries and for anything else', async () => {
    const { canonicalEntryWithoutHash } = await import('correction-chaincode/domain');
    const chain = new Chain();
    chain.record(actor('COURT', { unit: '110105', unitKind: 'COURT' }), 'SENTENCE_HANDOVER');
    chain.record('JUSTICE', 'SUBJECT_RECEIVED');
    chain.record('COURT', 'AMENDMENT', sampleDocument('AMENDMENT'), { amends: chain.entries[0]?.id ?? '' });
    const generic = (value: Record<string, unknown>) => {
      const rest = { ...value };
      delete rest['hash'];
      return canonicalJson(rest);
    };
    for (const entry of chain.entries) {
      const record = entry as unknown as Record<string, unknown>;
      expect(canonicalEntryWithoutHash(record)).to.equal(generic(record));
    }
    const base = chain.entries[0] as unknown as Record<string, unknown>;
    fc.assert(
      // Addresses of every shape: well formed, with strings of any kind, or with members missing or added.
      fc.property(fc.dictionary(fc.constantFrom(...Object.keys(base), 'extra'), fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }), fc.array(fc.record({ agency: fc.string(), unit: fc.string() })), fc.array(fc.record({ agency: fc.string(), unit: fc.string(), extra: fc.string() }, { requiredKeys: ['agency'] })))), (changes) => {
        const altered = { ...base, ...changes };
        return canonicalEntryWithoutHash(altered) === generic(altered);
      }),
      { numRuns: 500 },
    );
    const withoutField = { ...base };
    delete withoutField['facts'];
    expect(canonicalEntryWithoutHash(withoutField)).to.equal(generic(withoutField));
  });
});
