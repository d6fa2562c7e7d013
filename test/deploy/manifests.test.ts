import { execFile } from 'node:child_process';
import { cp, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { z } from 'zod';
import { parseDocument } from 'yaml';
import { ConfigError, loadConfig } from '../../gateway/src/config.js';
import { FabricConnection } from '../../gateway/src/ledger/fabric/fabric-ledger.js';
import { tempDir } from '../support/temp.js';
import { DEPLOY_DIR, loadManifests, readEnvFile, readYaml, validateManifests, yamlFiles, type Manifest } from './manifests.js';
import { containersOf, isWorkload, NetworkPolicy, rootProblem, Service, Workload } from './workloads.js';

const exec = promisify(execFile);
const BASE = join(DEPLOY_DIR, 'agency-node');
const COURT = join(DEPLOY_DIR, 'overlays', 'court');

const Kustomization = z.object({
  resources: z.array(z.string()).default([]),
  patches: z.array(z.object({ path: z.string().optional() })).default([]),
  configMapGenerator: z.array(z.object({ name: z.string(), envs: z.array(z.string()).default([]), files: z.array(z.string()).default([]) })).default([]),
});

/** The court's gateway environment: the base's settings, then the overlay's. */
const courtGatewayEnv = async (): Promise<Record<string, string>> => ({ ...(await readEnvFile(join(BASE, 'gateway.env'))), ...(await readEnvFile(join(COURT, 'gateway.env'))) });
const courtConnection = async (): Promise<FabricConnection> => FabricConnection.parse(JSON.parse(await readFile(join(COURT, 'connection.json'), 'utf8')));

const workloads = (manifests: Manifest[]): Workload[] => manifests.filter(isWorkload).map((m) => Workload.parse(m.data));

/** The Kubernetes manifests of one agency's node, checked against the Kubernetes schemas and for what matters. */
describe('Kubernetes manifests (deploy/kubernetes)', function () {
  this.timeout(60_000);
  let manifests: Manifest[];
  before(async () => {
    manifests = await loadManifests();
  });

  describe('kubernetes-validate --strict', () => {
    it('passes every document of every manifest, the overlay’s patches included', async () => {
      const { code, output } = await validateManifests(DEPLOY_DIR);
      expect(code, output).to.equal(0);
      const passed = output.split('\n').filter((line) => line.includes(' passed for resource '));
      expect(passed).to.have.length(manifests.length);
      for (const m of manifests) expect(output).to.include(`passed for resource ${m.kind.toLowerCase()}/${m.name} `);
    });

    const broken: Array<[string, string, (doc: ReturnType<typeof parseDocument>) => void, RegExp]> = [
      ['a misspelled field', 'agency-node/peer.yaml', (doc) => {
        doc.setIn(['spec', 'serviceNmae'], doc.getIn(['spec', 'serviceName']));
        doc.deleteIn(['spec', 'serviceName']);
      }, /'serviceNmae' was unexpected/],
      ['a number given as text', 'agency-node/gateway.yaml', (doc) => {
        doc.setIn(['spec', 'replicas'], 'one');
      }, /'one' is not of type 'integer'/],
      ['a kind it has no schema for', 'agency-node/chaincode.yaml', (doc) => {
        doc.set('kind', 'Deploymnet');
      }, /Couldn't find schema for kind Deploymnet/],
    ];
    for (const [what, file, breakIt, complaint] of broken) {
      it(`fails on a copy with ${what}`, async () => {
        const tmp = await tempDir();
        try {
          await cp(DEPLOY_DIR, tmp.path, { recursive: true });
          const doc = parseDocument(await readFile(join(tmp.path, file), 'utf8'));
          breakIt(doc);
          await writeFile(join(tmp.path, file), doc.toString());
          const { code, output } = await validateManifests(tmp.path);
          expect(code, output).to.not.equal(0);
          expect(output).to.match(complaint);
        } finally {
          await tmp.remove();
        }
      });
    }
  });

  describe('kustomizations', () => {
    for (const dir of [BASE, COURT]) {
      it(`${dir} names files that exist, and every manifest beside it`, async () => {
        const [raw] = await readYaml(join(dir, 'kustomization.yaml'));
        const k = Kustomization.parse(raw);
        const named = [...k.resources, ...k.patches.flatMap((p) => (p.path ? [p.path] : [])), ...k.configMapGenerator.flatMap((g) => [...g.envs, ...g.files])];
        // A resource may be another kustomization's folder.
        for (const file of named) await readFile((await stat(join(dir, file))).isDirectory() ? join(dir, file, 'kustomization.yaml') : join(dir, file));
        const beside = (await yamlFiles(dir)).filter((file) => file !== 'kustomization.yaml');
        expect(named).to.include.members(beside);
      });
    }

    it('the overlay patches only resources of the base, under the same names', async () => {
      const base = new Set(manifests.filter((m) => m.file.startsWith('agency-node/')).map((m) => `${m.kind}/${m.name}`));
      const [raw] = await readYaml(join(COURT, 'kustomization.yaml'));
      for (const patch of Kustomization.parse(raw).patches.flatMap((p) => (p.path ? [p.path] : []))) {
        for (const m of manifests.filter((x) => x.file === `overlays/court/${patch}`)) expect(base).to.include(`${m.kind}/${m.name}`);
      }
    });
  });

  describe('workloads', () => {
    it('are the four: peer, orderer, chaincode server and gateway', () => {
      expect(workloads(manifests).map((w) => w.metadata.name)).to.have.members(['peer', 'orderer', 'chaincode', 'gateway']);
    });

    it('each mounts a volume, and peer, orderer and gateway keep their state on a claim of their own', () => {
      for (const w of workloads(manifests)) {
        const mounted = new Set(w.spec.template.spec.containers.flatMap((c) => c.volumeMounts.map((v) => v.name)));
        expect(mounted.size, w.metadata.name).to.be.above(0);
        for (const claim of w.spec.volumeClaimTemplates) expect(mounted, w.metadata.name).to.include(claim.metadata.name);
        if (w.metadata.name !== 'chaincode') expect(w.kind, w.metadata.name).to.equal('StatefulSet');
        if (w.metadata.name !== 'chaincode') expect(w.spec.volumeClaimTemplates, w.metadata.name).to.have.length(1);
      }
    });

    it('no container runs as root, gains privileges or writes its root filesystem', () => {
      const all = workloads(manifests).flatMap((w) => containersOf(w).map((c) => ({ w, c })));
      expect(all.length).to.be.at.least(5);
      for (const { w, c } of all) expect(rootProblem(w, c), `${w.metadata.name}/${c.name}`).to.equal(undefined);
    });

    it('mount every volume they declare, and declare every volume they mount', () => {
      for (const w of workloads(manifests)) {
        const declared = w.spec.template.spec.volumes.map((v) => v.name);
        const mounted = containersOf(w).flatMap((c) => c.volumeMounts.map((v) => v.name));
        const claims = w.spec.volumeClaimTemplates.map((c) => c.metadata.name);
        expect([...declared, ...claims].sort(), w.metadata.name).to.deep.equal([...new Set(mounted)].sort());
      }
    });
  });

  describe('what faces whom', () => {
    const services = () => manifests.filter((m) => m.kind === 'Service').map((m) => Service.parse(m.data));
    const policies = () => manifests.filter((m) => m.kind === 'NetworkPolicy').map((m) => ({ file: m.file, policy: NetworkPolicy.parse(m.data) }));

    it('the orderer’s admin and operations ports have no Service reaching beyond the namespace, nor an Ingress', () => {
      const inside = new Set(['admin', 'operations', 7053, 9443]);
      for (const s of services()) {
        const internal = s.spec.ports.filter((p) => inside.has(p.targetPort ?? p.port));
        if (internal.length > 0) expect(s.spec.type, s.metadata.name).to.equal('ClusterIP');
      }
      const backends = JSON.stringify(manifests.filter((m) => m.kind === 'Ingress').map((m) => m.data));
      expect(backends).to.not.match(/"(admin|operations)"|7053|9443/);
    });

    it('NetworkPolicies admit the orderer admin and the operations ports from this namespace’s pods only', () => {
      for (const { file, policy } of policies()) {
        for (const rule of policy.spec.ingress) {
          if (!rule.ports.some((p) => p.port === 'admin' || p.port === 'operations')) continue;
          for (const peer of rule.from) expect(peer, `${file} ${policy.metadata.name}`).to.have.all.keys('podSelector');
        }
      }
    });

    it('the chaincode server admits its peer alone; every pod is under a deny-all policy', () => {
      const chaincode = policies().filter(({ policy }) => policy.metadata.name === 'chaincode');
      expect(chaincode).to.have.length(1);
      expect(chaincode[0]?.policy.spec.ingress).to.deep.equal([
        { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'correction-ledger', 'app.kubernetes.io/component': 'peer' } } }], ports: [{ port: 'chaincode' }] },
      ]);
      const deny = policies().find(({ policy }) => policy.metadata.name === 'default-deny-ingress');
      expect(deny?.policy.spec).to.deep.equal({ podSelector: { matchLabels: {} }, ingress: [] });
    });

    it('every port a policy or Service names is a port of the workload it selects', () => {
      const byComponent = new Map(workloads(manifests).map((w) => [w.metadata.name, new Set(w.spec.template.spec.containers.flatMap((c) => c.ports.map((p) => p.name)))]));
      for (const s of services()) {
        const ports = byComponent.get(s.spec.selector['app.kubernetes.io/component'] ?? '');
        for (const p of s.spec.ports) expect(ports, s.metadata.name).to.include(p.targetPort);
      }
      for (const { policy } of policies()) {
        const ports = byComponent.get(policy.spec.podSelector.matchLabels['app.kubernetes.io/component'] ?? '');
        for (const p of policy.spec.ingress.flatMap((r) => r.ports)) expect(ports, policy.metadata.name).to.include(p.port);
      }
    });
  });

  describe('secrets', () => {
    it('no Secret manifest holds data, and no file holds a private key', async () => {
      for (const m of manifests.filter((x) => x.kind === 'Secret')) expect(m.data, m.name).to.not.have.any.keys('data', 'stringData');
      for (const file of await yamlFiles(DEPLOY_DIR)) expect(await readFile(join(DEPLOY_DIR, file), 'utf8'), file).to.not.include('PRIVATE KEY');
    });

    it('the README creates every Secret the workloads mount, with the keys they read', async () => {
      const readme = await readFile('README.md', 'utf8');
      const created = secretsCreatedIn(readme);
      for (const w of workloads(manifests)) {
        for (const v of w.spec.template.spec.volumes) {
          if (!v.secret) continue;
          const keys = created.get(v.secret.secretName);
          expect(keys, `README creates no Secret ${v.secret.secretName}`).to.not.equal(undefined);
          for (const item of v.secret.items ?? []) expect(keys, v.secret.secretName).to.include(item.key);
        }
      }
    });
  });

  describe('the court’s gateway settings', () => {
    it('are what the gateway takes, but for the key files only the cluster holds', async () => {
      const env = await courtGatewayEnv();
      let problems: readonly string[] = [];
      try {
        loadConfig(env);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems = error.problems;
      }
      expect(problems).to.have.length(2);
      for (const problem of problems) expect(problem).to.match(/^(SUBJECT|DOCUMENT)_KEY: cannot read the key file \/run\/correction-ledger\/keys\//);
    });

    it('name files on the gateway’s mounts, and a Fabric connection the gateway reads', async () => {
      const env = await courtGatewayEnv();
      const gateway = workloads(manifests).find((w) => w.metadata.name === 'gateway');
      const mounts = gateway?.spec.template.spec.containers[0]?.volumeMounts.map((v) => v.mountPath) ?? [];
      const onMount = (path: string) => mounts.some((m) => path.startsWith(`${m}/`));
      const connection = await courtConnection();
      const files = [connection.certPath, connection.keyPath, connection.tlsCaCertPath, env.FABRIC_CONNECTION, env.DATA_DIR, env.DOCUMENT_KEY, env.SUBJECT_KEY, env.RECEIPT_KEY, env.NOTE_KEY, env.TRUST_FILE, env.TOKEN_JWKS];
      for (const file of files) expect(file !== undefined && onMount(file), String(file)).to.equal(true);
      expect(connection.peerEndpoint).to.equal('peer:7051');
    });

    it('are files of the Secrets the README creates', async () => {
      const env = await courtGatewayEnv();
      const connection = await courtConnection();
      const created = secretsCreatedIn(await readFile('README.md', 'utf8'));
      const keys = [env.DOCUMENT_KEY, env.SUBJECT_KEY, env.RECEIPT_KEY, env.NOTE_KEY, env.TRUST_FILE, env.TOKEN_JWKS].map((path) => basename(String(path)));
      expect(created.get('gateway-keys')).to.have.members(keys);
      expect(created.get('gateway-fabric-identity')).to.have.members([connection.certPath, connection.keyPath, connection.tlsCaCertPath].map((path) => basename(path)));
    });
  });

  it('the README’s validation commands run as written', async () => {
    const readme = await readFile('README.md', 'utf8');
    const block = /<!-- readme-manifests:start -->\s*```sh\n([\s\S]*?)```\s*<!-- readme-manifests:end -->/.exec(readme)?.[1];
    if (block === undefined) throw new Error('README has no readme-manifests block');
    const { stdout } = await exec('bash', ['-euo', 'pipefail', '-c', block]);
    expect(stdout).to.match(new RegExp(`validate-manifests: ${manifests.length} documents in \\d+ files valid against Kubernetes 1\\.33\\.0 \\(--strict\\)`));
  });
});

/** Secret name → its keys, from the README's `kubectl create secret generic NAME --from-file=KEY=PATH` commands. */
function secretsCreatedIn(readme: string): Map<string, string[]> {
  const commands = readme.replace(/\\\n\s*/g, ' ').split('\n').filter((line) => /kubectl .*create secret generic /.test(line));
  return new Map(
    commands.map((line) => {
      const name = /create secret generic (\S+)/.exec(line)?.[1] ?? '';
      return [name, [...line.matchAll(/--from-file=([^=\s]+)=/g)].map((m) => m[1] ?? '')];
    }),
  );
}
