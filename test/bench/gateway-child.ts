/** The real gateway on the embedded ledger, in a process of its own (see http-bench.ts). */
import { loadConfig } from '../../gateway/src/config.js';
import { createGateway } from '../../gateway/src/gateway.js';
import { serveForParent } from './child-protocol.js';

const dataDir = process.env['BENCH_DATA_DIR'];
if (!dataDir) throw new Error('BENCH_DATA_DIR is not set');

const gateway = await createGateway(
  loadConfig({ ...process.env, LEDGER: 'embedded', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
);
serveForParent(await gateway.listen(), () => gateway.close());
