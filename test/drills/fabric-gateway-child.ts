/**
 * One agency's real REST gateway on the running Fabric network, in a process of its own, for the
 * Fabric drills: configured as test/support/fabric-target.ts configures the test gateways — the
 * agency's connection file, the consortium's shared subject key, token trust and trust file from
 * key files kept apart from the data directory, a ten-second commit timeout after which the answer
 * is 202 and the outbox tries again — and logging at info into a file, as a deployed gateway does.
 *
 * Environment: DRILL_AGENCY, DRILL_DATA_DIR, DRILL_KEYS_DIR, DRILL_LOG_FILE, NETWORK_DIR.
 */
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import type { Agency } from 'correction-chaincode/domain';
import { loadConfig } from '../../gateway/src/config.js';
import { createGateway } from '../../gateway/src/gateway.js';
import { devKeyPaths } from '../../gateway/src/keys.js';
import { serveForParent } from '../bench/child-protocol.js';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const agency = required('DRILL_AGENCY') as Agency;
const keys = devKeyPaths(required('DRILL_KEYS_DIR'));
const networkDir = resolve(process.env['NETWORK_DIR'] ?? '.network');

const gateway = await createGateway(
  loadConfig({
    PORT: '0',
    LEDGER: 'fabric',
    AGENCY: agency,
    FABRIC_CONNECTION: join(networkDir, 'gateways', `${agency}.json`),
    DATA_DIR: required('DRILL_DATA_DIR'),
    SUBJECT_KEY: keys.subjectKey,
    // One document key for the drill's four gateways; each agency holds its own in production.
    DOCUMENT_KEY: keys.documentKey,
    TOKEN_JWKS: keys.jwks,
    RECEIPT_KEY: keys.gatewayKey(agency),
    NOTE_KEY: keys.noteKey(agency),
    TRUST_FILE: keys.trust,
    LOG_LEVEL: 'info',
    LEDGER_COMMIT_TIMEOUT_SECONDS: '10',
    OUTBOX_RETRY_BASE_MS: '250',
    OUTBOX_RETRY_MAX_MS: '4000',
  }),
  { logDestination: pino.destination({ dest: required('DRILL_LOG_FILE'), sync: false, mkdir: true }) },
);
serveForParent(await gateway.listen(), () => gateway.close());
