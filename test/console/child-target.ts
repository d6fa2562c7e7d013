import { mintDevToken } from '../../gateway/src/keys.js';
import type { ChildGateway } from '../support/child-gateway.js';
import { testSub, type Target } from '../support/target.js';

/** A child gateway as a test target: its URL, and dev tokens from its data directory. */
export function childTarget(gateway: ChildGateway, dataDir: string): Target {
  return {
    name: 'child',
    url: () => gateway.url,
    token: (agency, role = 'clerk', as) => mintDevToken(dataDir, { agency, role, sub: testSub(agency, role, as), ...as, expiresIn: '10m' }),
    close: () => Promise.resolve(),
  };
}
