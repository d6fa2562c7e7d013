/**
 * One agency's real REST gateway on the running Fabric network, in a process of its own, for
 * fabric-run.ts: LEDGER=fabric, the agency's connection file (its `gateway` identity on its peer),
 * pino at info into a file (as a deployed gateway logs). Keys come from dev mode over
 * BENCH_DATA_DIR, where the parent created the consortium's dev keys (ensureDevKeys) and mints the
 * clients' tokens from the same files: the gateway finds token JWKS, its signing key, the subject
 * key and the document key at their dev-mode defaults.
 *
 * Environment: BENCH_AGENCY, BENCH_DATA_DIR, BENCH_LOG_FILE, NETWORK_DIR (default .network).
 */
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../gateway/src/config.js';
import { createGateway } from '../../gateway/src/gateway.js';
import { serveForParent } from './child-protocol.js';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const agency = required('BENCH_AGENCY');
const networkDir = resolve(process.env['NETWORK_DIR'] ?? '.network');

const gateway = await createGateway(
  loadConfig({
    PORT: '0',
    LEDGER: 'fabric',
    AGENCY: agency,
    FABRIC_CONNECTION: join(networkDir, 'gateways', `${agency}.json`),
    DATA_DIR: required('BENCH_DATA_DIR'),
    DEV_MODE: 'true',
    LOG_LEVEL: 'info',
  }),
  { logDestination: pino.destination({ dest: required('BENCH_LOG_FILE'), sync: false, mkdir: true }) },
);
serveForParent(await gateway.listen(), () => gateway.close());
