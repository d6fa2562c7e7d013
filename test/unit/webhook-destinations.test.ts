import { expect } from 'chai';
import { loadConfig } from '../../gateway/src/config.js';
import { destinationPolicy, parseHostPattern } from '../../gateway/src/services/webhook-destinations.js';
import { REFUSED_DESTINATIONS } from '../support/destinations.js';

describe('webhook destinations', () => {
  const policy = destinationPolicy({ allowedHosts: ['hooks.justice.example', '*.court.example', '8.8.8.8', '[2606:4700::1111]'], allowedAddresses: [] });
  const refusal = (url: string) => policy.refuseUrl(new URL(url));

  it('refuses loopback, private, link-local, CGNAT, unspecified, multicast and metadata addresses in every spelling', () => {
    for (const [url, why] of REFUSED_DESTINATIONS) {
      const refused = refusal(url);
      expect(refused?.code, url).to.equal('REFUSED_ADDRESS');
      expect(refused?.message, url).to.match(why);
    }
  });

  it('accepts exact hosts and names below a *.suffix, and nothing else', () => {
    expect(refusal('https://hooks.justice.example/notices')).to.equal(undefined);
    expect(refusal('https://HOOKS.Justice.Example./notices')).to.equal(undefined);
    expect(refusal('https://intake.court.example/')).to.equal(undefined);
    expect(refusal('https://a.b.court.example:8443/')).to.equal(undefined);
    expect(refusal('https://8.8.8.8/')).to.equal(undefined);
    expect(refusal('https://[2606:4700::1111]/')).to.equal(undefined);
    for (const url of ['https://court.example/', 'https://evilcourt.example/', 'https://court.example.evil.example/', 'https://hooks.justice.example.evil.example/', 'https://x.hooks.justice.example/', 'https://8.8.4.4/']) {
      expect(refusal(url), url).to.deep.include({ code: 'REFUSED_HOST' });
    }
  });

  it('judges the addresses a name resolves to: public unicast passes, the rest is refused', () => {
    expect(policy.refuseAddress('93.184.215.14')).to.equal(undefined);
    expect(policy.refuseAddress('2606:4700::1111')).to.equal(undefined);
    for (const address of ['127.0.0.1', '10.0.0.5', '::ffff:192.168.0.1', 'fd00:ec2::254', '192.0.2.1', '2001:db8::1']) {
      expect(policy.refuseAddress(address), address).to.deep.include({ code: 'REFUSED_ADDRESS' });
    }
  });

  it('opens the ranges the operator allows, but never a metadata address', () => {
    const open = destinationPolicy({ allowedHosts: ['127.0.0.1', '10.20.30.40', 'hooks.internal'], allowedAddresses: ['127.0.0.1/32', '10.20.0.0/16', '169.254.0.0/16'] });
    expect(open.refuseUrl(new URL('http://127.0.0.1:9000/'))).to.equal(undefined);
    expect(open.refuseUrl(new URL('http://[::ffff:127.0.0.1]/'))).to.deep.include({ code: 'REFUSED_HOST' });
    expect(open.refuseAddress('127.0.0.2')).to.deep.include({ code: 'REFUSED_ADDRESS' });
    expect(open.refuseAddress('10.20.30.40')).to.equal(undefined);
    expect(open.refuseAddress('::ffff:10.20.1.1')).to.equal(undefined);
    expect(open.refuseAddress('10.21.0.1')).to.deep.include({ code: 'REFUSED_ADDRESS' });
    expect(open.refuseAddress('169.254.1.1')).to.equal(undefined);
    expect(open.refuseAddress('169.254.169.254')?.message).to.match(/metadata/);
  });

  it('reads allow-list entries strictly, and the configuration names a bad one', () => {
    expect(parseHostPattern('*.Court.Example')).to.deep.equal({ host: 'court.example', subdomains: true });
    for (const entry of ['*', '*.', 'hooks.example:443', 'hooks.example/path', 'a.*.example', '*.10.0.0.1', 'user@hooks.example']) {
      expect(parseHostPattern(entry), entry).to.equal(undefined);
    }
    expect(() => loadConfig({ WEBHOOK_ALLOWED_HOSTS: 'hooks.example, *' })).to.throw(/WEBHOOK_ALLOWED_HOSTS/);
    expect(() => loadConfig({ WEBHOOK_ALLOWED_ADDRESSES: '10.0.0.0/33' })).to.throw(/WEBHOOK_ALLOWED_ADDRESSES/);
    const config = loadConfig({ WEBHOOK_ALLOWED_HOSTS: ' hooks.example ,*.court.example,', WEBHOOK_ALLOWED_ADDRESSES: '10.0.0.0/8', WEBHOOK_GIVE_UP_HOURS: '0.0005' });
    expect(config.webhooks).to.deep.include({ allowedHosts: ['hooks.example', '*.court.example'], allowedAddresses: ['10.0.0.0/8'], giveUpMs: 1800 });
  });
});
