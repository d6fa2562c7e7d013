import { join } from 'node:path';
import { AGENCIES, type Agency } from 'correction-chaincode/domain';
import { ensureDevKeys, mintDevToken } from '../../gateway/src/keys.js';
import { fabricGatewayEnv } from '../support/fabric-target.js';
import { freePorts } from '../support/ports.js';
import { testSub, type Target } from '../support/target.js';
import { tempDir } from '../support/temp.js';
import { startServerChild, type ServerChild } from './children.js';

/**
 * The four agencies' real gateways on the running Fabric network, each in a process of its own as
 * each agency runs its own on its own host, sending each other their checkpoint cosignatures; the
 * consortium's dev keys in a folder of the bench's, each gateway's log in a file beside it.
 */
export async function gatewayProcesses(settings: Readonly<Record<string, string>>): Promise<Target> {
  const dir = await tempDir('correction-checkpoints-');
  const keysDir = join(dir.path, 'consortium');
  const children: ServerChild[] = [];
  const close = async () => {
    await Promise.all(children.map((child) => child.stop()));
    await dir.remove();
  };
  try {
    await ensureDevKeys(keysDir);
    const ports = await freePorts(AGENCIES.length);
    const urlOf = (agency: Agency) => `http://127.0.0.1:${String(ports[AGENCIES.indexOf(agency)] ?? 0)}`;
    for (const [i, agency] of AGENCIES.entries()) {
      const env = fabricGatewayEnv(agency, {
        dataDir: join(dir.path, agency.toLowerCase()),
        keysDir,
        port: ports[i] ?? 0,
        peers: AGENCIES.filter((other) => other !== agency).map(urlOf).join(','),
      });
      const script = new URL('./configured-gateway-child.js', import.meta.url);
      children.push(await startServerChild(script, { env: { ...process.env, ...env, ...settings, BENCH_LOG_FILE: join(dir.path, `${agency.toLowerCase()}.log`) }, startTimeoutMs: 180_000 }));
    }
    return {
      name: 'fabric',
      url: (agency = 'COURT') => urlOf(agency),
      token: (agency, role = 'clerk', as) => mintDevToken(keysDir, { agency, role, sub: testSub(agency, role, as), ...as, expiresIn: '4h' }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
