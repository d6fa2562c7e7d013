/**
 * A real gateway configured from its environment, as `correction-ledger serve` is, in a process
 * of its own, for a bench that runs several side by side as separate hosts would: pino at the
 * configured level into BENCH_LOG_FILE.
 */
import { pino } from 'pino';
import { loadConfig } from '../../gateway/src/config.js';
import { createGateway } from '../../gateway/src/gateway.js';
import { serveForParent } from './child-protocol.js';

const logFile = process.env['BENCH_LOG_FILE'];
if (!logFile) throw new Error('BENCH_LOG_FILE is not set');
const gateway = await createGateway(loadConfig(process.env), { logDestination: pino.destination({ dest: logFile, sync: false, mkdir: true }) });
serveForParent(await gateway.listen(), () => gateway.close());
