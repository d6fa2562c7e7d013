import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { AGENCIES } from 'correction-chaincode/domain';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { fabricTarget, type FabricTarget } from '../support/fabric-target.js';
import { residentId } from '../support/ids.js';
import { gossipPeersKnown, initArgs, isKeyFileName, planKits, privateKeysIn, probeChaincodeServer, runScript, walk, type KitPlan } from '../support/node-kits.js';
import { tempDir } from '../support/temp.js';
import { until } from '../support/until.js';

/** The message of a promise's rejection; fails when it fulfils. */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

const CHAOYANG = '110105';
const HAIDIAN = '110108';

/** Ports 100 per agency from here (CONSORTIUM_PORT_BASE); the development network's are apart. */
const PORT_BASE = Number(process.env['CONSORTIUM_PORT_BASE'] ?? 9400);

/**
 * A consortium made as four agencies on four hosts would make it, here on one: each agency makes
 * its own kit, sends only its public definition, the genesis block is built from those alone, each
 * agency starts its own nodes from its kit and the block, and each agency's gateway talks to its
 * own peer only.
 */
describe('a consortium bootstrapped from exchanged definitions', function () {
  this.timeout(600_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let kits: KitPlan[];
  let exchanged: string[];
  let genesis: string;
  let target: FabricTarget | undefined;
  const started: KitPlan[] = [];

  before(async () => {
    tmp = await tempDir('correction-consortium-');
    // The court's gateway may act for Chaoyang's units only (its certificate's correction.units).
    kits = planKits(join(tmp.path, 'hosts'), PORT_BASE, { COURT: CHAOYANG });
    await mkdir(join(tmp.path, 'hosts'));
    await Promise.all(kits.map((kit) => runScript('node-init.sh', initArgs(kit))));
    // What each agency receives from the others: their public/ folders, copied.
    exchanged = await Promise.all(kits.map(async (kit) => {
      const to = join(tmp.path, 'exchanged', kit.agency);
      await cp(join(kit.dir, 'public'), to, { recursive: true });
      return to;
    }));
    genesis = join(tmp.path, 'genesis');
  });

  after(async () => {
    await target?.close();
    // Every node started, stopped by the pids node-up recorded; then the kits and blocks go.
    await Promise.allSettled(started.map((kit) => runScript('node-down.sh', ['--kit', kit.dir])));
    await tmp.remove();
  });

  it('makes each kit with its own keys only, 0600 in 0700 folders, and a public/ without any private key', async () => {
    const keysOf = await Promise.all(kits.map((kit) => privateKeysIn(kit.dir)));
    for (const [i, kit] of kits.entries()) {
      const own = keysOf[i] ?? new Map<string, string>();
      // CA, TLS CA, peer and orderer (signing and TLS), chaincode server, Admin (signing and TLS), gateway.
      expect(own.size, kit.agency).to.equal(10);
      for (const [j, other] of keysOf.entries()) {
        if (j === i) continue;
        const shared = [...own.keys()].filter((spki) => other.has(spki));
        expect(shared, `${kit.agency} and ${AGENCIES[j] ?? ''} share a key`).to.deep.equal([]);
      }
      const { files, dirs } = await walk(kit.dir);
      for (const file of files.filter((f) => isKeyFileName(f.path) || own.has(f.path))) expect(file.mode, file.path).to.equal(0o600);
      expect([...own.values()].every((path) => isKeyFileName(path)), 'every private key has a key file name').to.equal(true);
      for (const dir of dirs) expect(dir.mode, dir.path).to.equal(0o700);
      const pub = await walk(join(kit.dir, 'public'));
      expect(pub.files.filter((f) => isKeyFileName(f.path)), `${kit.agency} public/`).to.deep.equal([]);
      expect((await privateKeysIn(join(kit.dir, 'public'))).size, `${kit.agency} public/`).to.equal(0);
      const definition = JSON.parse(await readFile(join(kit.dir, 'public', 'definition.json'), 'utf8')) as { host: string; peer: { address: string }; orderer: { endpoint: string } };
      expect(definition.host).to.equal(kit.host);
      expect(definition.peer.address).to.equal(`${kit.address}:${String(kit.portBlock + 1)}`);
      expect(definition.orderer.endpoint).to.equal(`${kit.host}:${String(kit.portBlock + 11)}`);
    }
  });

  it('refuses to make a kit again over an existing one, leaving its keys as they were', async () => {
    const [court] = kits;
    if (!court) throw new Error('no kit');
    const before = await privateKeysIn(court.dir);
    expect(await failure(runScript('node-init.sh', initArgs(court)))).to.match(/is not empty: a kit is made once/);
    expect([...(await privateKeysIn(court.dir)).keys()]).to.deep.equal([...before.keys()]);
  });

  it('refuses a kit for an unknown agency, a host that is no DNS name, an address that is no IPv4 address, ports out of range or units that are no division codes, naming the option', async () => {
    const [court] = kits;
    if (!court) throw new Error('no kit');
    const dir = join(tmp.path, 'refused-kit');
    const cases: Array<[string[], RegExp]> = [
      [['--agency', 'MAYOR', '--host', court.host, '--address', '127.0.0.1', '--dir', dir], /unknown agency 'MAYOR'/],
      [['--agency', 'COURT', '--host', 'Court Host', '--address', '127.0.0.1', '--dir', dir], /--host must be a DNS name/],
      [['--agency', 'COURT', '--host', court.host, '--address', '127.0.0.256', '--dir', dir], /--address must be an IPv4 address/],
      [['--agency', 'COURT', '--host', court.host, '--address', '127.0.0.1', '--dir', dir, '--ports', '65500'], /--ports must be a number from 1024/],
      [['--agency', 'COURT', '--host', court.host, '--address', '127.0.0.1'], /--dir is required/],
      [['--agency', 'COURT', '--host', court.host, '--address', '127.0.0.1', '--dir', dir, '--units', '110105,12345'], /--units must be comma-separated division codes/],
    ];
    for (const [args, message] of cases) expect(await failure(runScript('node-init.sh', args)), args.join(' ')).to.match(message);
    expect(await walk(tmp.path).then(({ dirs }) => dirs.some((d) => d.path.startsWith(dir)))).to.equal(false);
  });

  it('refuses to build the genesis block without every agency\'s definition', async () => {
    expect(await failure(runScript('consortium-genesis.sh', ['--out', join(tmp.path, 'three'), ...exchanged.slice(0, 3)]))).to.match(/no definition of JUSTICE/);
  });

  it('refuses to build the genesis block from a definition folder holding a private key', async () => {
    const [court] = kits;
    const leaky = join(tmp.path, 'leaky');
    await cp(exchanged[0] ?? '', leaky, { recursive: true });
    await writeFile(join(leaky, 'msp', 'stray.pem'), await readFile(join(court?.dir ?? '', 'users', 'admin', 'msp', 'keystore', 'priv_sk')));
    expect(await failure(runScript('consortium-genesis.sh', ['--out', join(tmp.path, 'refused'), leaky, ...exchanged.slice(1)]))).to.match(/holds a private key/);
  });

  it('refuses to start an agency\'s nodes on a port another process holds, naming it, and leaves nothing running', async () => {
    const [court] = kits;
    if (!court) throw new Error('no kit');
    await runScript('consortium-genesis.sh', ['--out', genesis, ...exchanged]);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(court.portBlock + 1, court.address, resolve));
    try {
      const refusal = await failure(runScript('node-up.sh', ['--kit', court.dir, '--genesis', join(genesis, 'corrections.block')]));
      expect(refusal).to.match(new RegExp(`port ${court.address}:${String(court.portBlock + 1)} \\(peer\\) is already in use`));
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    expect(await readdir(court.dir)).to.not.include('node');
  });

  it('builds the genesis block from the four public definitions, starts each agency from its kit, and commits the chaincode by a majority', async () => {
    const configtx = await readFile(join(genesis, 'configtx.yaml'), 'utf8');
    expect(configtx).to.include('OrdererType: BFT').and.include('V3_0: true');
    for (const kit of kits) expect(configtx).to.include(`Port: ${String(kit.portBlock + 12)}`);
    started.push(...kits);
    await Promise.all(kits.map((kit) => runScript('node-up.sh', ['--kit', kit.dir, '--genesis', join(genesis, 'corrections.block')])));
    const { stdout } = await runScript('consortium-commit.sh', ['--kit', kits[0]?.dir ?? '', ...exchanged]);
    expect(stdout).to.match(/committed on 'corrections'/);
    const again = await runScript('node-up.sh', ['--kit', kits[1]?.dir ?? '', '--genesis', join(genesis, 'corrections.block')]);
    expect(again.stdout).to.match(/PROCURATORATE's nodes are already up/);
    // Service discovery (which peers a gateway asks to endorse) needs every peer to know the others.
    await until(async () => (await Promise.all(kits.map(gossipPeersKnown))).every((n) => n === kits.length - 1), 'gossip among the four peers', 90_000);
  });

  it('serves each chaincode over TLS with the kit\'s chaincode certificate, and refuses a client without a certificate', async () => {
    for (const kit of kits) {
      const probe = await probeChaincodeServer(kit);
      expect(probe.subject, kit.agency).to.equal(`chaincode.${kit.host}`);
      expect(probe.authorized, kit.agency).to.equal(true);
      expect(probe.refusal, kit.agency).to.equal('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    }
  });

  it('records an event through one agency\'s gateway and reads it through another\'s, each on its own peer', async () => {
    for (const kit of kits) {
      const connection = JSON.parse(await readFile(join(kit.dir, 'gateway.json'), 'utf8')) as { peerEndpoint: string; peerHostAlias: string; tlsCaCertPath: string };
      expect(connection.peerEndpoint).to.equal(`${kit.address}:${String(kit.portBlock + 1)}`);
      expect(connection.peerHostAlias).to.equal(kit.host);
      expect(connection.tlsCaCertPath.startsWith(`${kit.dir}/`)).to.equal(true);
    }
    target = await fabricTarget({}, (agency) => join(kits.find((kit) => kit.agency === agency)?.dir ?? '', 'gateway.json'));
    const court = new Api(target, 'COURT', 'clerk', new Map(), { unit: `${CHAOYANG}001`, unitKind: 'COURT' });
    const justice = new Api(target, 'JUSTICE');
    const recorded = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(Math.floor(Date.now() / 1000) % 1_000_000) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    expect(recorded.status, JSON.stringify(recorded.body)).to.equal(201);
    const { entry } = recorded.body;
    await justice.sees(entry.subjectRef, 1, 60_000);
    const read = await justice.get<{ entry: { id: string; agency: string; type: string }; document?: unknown }>(`/v1/entries/${entry.id}`);
    expect(read.status).to.equal(200);
    expect(read.body.entry).to.include({ id: entry.id, agency: 'COURT', type: 'SENTENCE_HANDOVER' });
    expect(read.body.document).to.deep.equal(sampleDocument('SENTENCE_HANDOVER'));
  });

  it('bounds the court\'s gateway by the units its kit certificate names: the chain refuses a unit beside them and the whole agency', async () => {
    if (!target) throw new Error('no gateways');
    for (const unit of [{ unit: HAIDIAN, unitKind: 'COURT' as const }, { unit: '*' }]) {
      const clerk = new Api(target, 'COURT', 'clerk', new Map(), unit);
      const refused = await clerk.record('SENTENCE_HANDOVER', { idNumber: residentId((Math.floor(Date.now() / 1000) % 1_000_000) + 1) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
      expect(refused.status, JSON.stringify(refused.body)).to.equal(403);
      expect(JSON.stringify(refused.body), unit.unit).to.match(/acts for units 110105 only/);
    }
  });
});
