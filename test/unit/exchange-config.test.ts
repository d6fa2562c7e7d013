import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../gateway/src/config.js';
import { problemsOf } from '../support/config-problems.js';
import { tempDir } from '../support/temp.js';

const FABRIC: Record<string, string> = {
  LEDGER: 'fabric', AGENCY: 'JUSTICE', TOKEN_JWKS: '/etc/corrections/jwks.json',
  RECEIPT_KEY: '/etc/corrections/receipt.jwk', NOTE_KEY: '/etc/corrections/note.key', TRUST_FILE: '/etc/corrections/trust.json', DATA_DIR: '/var/lib/corrections',
};


describe('exchange configuration', () => {
  let keys: Awaited<ReturnType<typeof tempDir>>;

  // The key files loadConfig reads: real ones, outside DATA_DIR, closed to others.
  before(async () => {
    keys = await tempDir();
    for (const name of ['subject.key', 'document.key']) await writeFile(join(keys.path, name), randomBytes(32).toString('hex'), { mode: 0o600 });
    FABRIC['SUBJECT_KEY'] = join(keys.path, 'subject.key');
    FABRIC['DOCUMENT_KEY'] = join(keys.path, 'document.key');
  });
  after(() => keys.remove());

  it('is off unless EXCHANGE_PORT is set', () => {
    expect(loadConfig(FABRIC).exchange).to.equal(undefined);
  });

  it('reads the port, the address (HOST by default), the peers and prefetch (on by default)', () => {
    const config = loadConfig({ ...FABRIC, HOST: '10.0.0.5', EXCHANGE_PORT: '9443', EXCHANGE_PEERS: '{"COURT":"https://court-gw.example:9443","POLICE":"https://[fd00::7]:9443"}' });
    expect(config.exchange?.port).to.equal(9443);
    expect(config.exchange?.host).to.equal('10.0.0.5');
    expect(config.exchange?.prefetch).to.equal(true);
    expect([...(config.exchange?.peers ?? new Map<string, URL>())].map(([agency, url]) => [agency, url.href])).to.deep.equal([
      ['COURT', 'https://court-gw.example:9443/'],
      ['POLICE', 'https://[fd00::7]:9443/'],
    ]);
    expect(loadConfig({ ...FABRIC, EXCHANGE_PORT: '9443', EXCHANGE_HOST: '0.0.0.0', DOCUMENT_PREFETCH: 'false' }).exchange).to.include({ host: '0.0.0.0', prefetch: false });
  });

  it('refuses an exchange off Fabric, or without a receipt key', () => {
    expect(problemsOf({ EXCHANGE_PORT: '9443' })).to.include('EXCHANGE_PORT: the exchange runs between Fabric gateways (LEDGER=fabric)');
    expect(problemsOf({ ...FABRIC, RECEIPT_KEY: '', EXCHANGE_PORT: '9443' })).to.include('EXCHANGE_PORT: needs RECEIPT_KEY, the key this gateway authenticates with');
  });

  it('refuses peers that are not JSON, not https, carry credentials or a query, name no agency, or name its own', () => {
    const with_ = (peers: string) => problemsOf({ ...FABRIC, EXCHANGE_PORT: '9443', EXCHANGE_PEERS: peers });
    expect(with_('COURT=https://court')).to.deep.equal(['EXCHANGE_PEERS: must be JSON, e.g. {"COURT":"https://court.example:9443"}']);
    expect(with_('{"COURT":"http://court-gw.example:9443"}')[0]).to.match(/^EXCHANGE_PEERS\.COURT: /);
    expect(with_('{"COURT":"https://user:pw@court-gw.example:9443"}')[0]).to.match(/^EXCHANGE_PEERS\.COURT: must be an https URL without credentials/);
    expect(with_('{"COURT":"https://court-gw.example:9443/?x=1"}')[0]).to.match(/^EXCHANGE_PEERS\.COURT: /);
    expect(with_('{"NOTARY":"https://notary.example"}')).to.have.length(1);
    expect(with_('{"JUSTICE":"https://justice-gw.example:9443"}')).to.deep.equal(["EXCHANGE_PEERS.JUSTICE: this gateway's own agency is no peer"]);
  });

  it('refuses exchange settings without EXCHANGE_PORT rather than ignore them', () => {
    expect(problemsOf({ ...FABRIC, EXCHANGE_PEERS: '{}' })).to.deep.equal(['EXCHANGE_PEERS: needs EXCHANGE_PORT (the exchange is off without it)']);
  });
});
