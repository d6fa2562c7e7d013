import { expect } from 'chai';
import fc from 'fast-check';
import { checkDigit, residentIdProblem, subjectRefFor } from 'correction-chaincode/domain';
import { residentId } from '../support/ids.js';

describe('resident ID (GB 11643)', () => {
  it('computes the check digit of the standard\'s worked example', () => {
    // GB 11643-1999 annex example: 11010519491231002X.
    expect(checkDigit('11010519491231002')).to.equal('X');
    expect(residentIdProblem('11010519491231002X')).to.equal(undefined);
  });

  it('accepts a lower-case x and surrounding blanks, normalised', () => {
    expect(residentIdProblem(' 11010519491231002x ')).to.equal(undefined);
  });

  it('refuses a wrong check digit, a wrong length, letters, and an impossible birth date', () => {
    expect(residentIdProblem('110105194912310021')).to.match(/check digit/);
    expect(residentIdProblem('1101051949123100')).to.match(/18 characters/);
    expect(residentIdProblem('11010519491231A02X')).to.match(/18 characters/);
    const feb30 = '11010519490230002';
    expect(residentIdProblem(feb30 + checkDigit(feb30))).to.match(/birth date/);
  });

  it('detects every single-digit change of a valid ID', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 9 }), (n, position, delta) => {
        const id = residentId(n);
        const digit = (Number(id[position]) + delta) % 10;
        const changed = id.slice(0, position) + String(digit) + id.slice(position + 1);
        return residentIdProblem(changed) !== undefined;
      }),
    );
  });
});

describe('subject reference', () => {
  const key = Buffer.alloc(32, 7);

  it('is an HMAC of the normalised ID under the consortium key, not a plain hash', () => {
    const ref = subjectRefFor(key, '11010519491231002x');
    expect(ref).to.equal(subjectRefFor(key, '11010519491231002X'));
    expect(ref).to.not.equal(subjectRefFor(Buffer.alloc(32, 8), '11010519491231002X'));
    expect(ref).to.match(/^[0-9a-f]{64}$/);
  });

  it('refuses to pseudonymise a malformed ID', () => {
    expect(() => subjectRefFor(key, '110105194912310021')).to.throw(/malformed/);
  });
});
