import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly eventsRecorded: Counter<'type' | 'agency'>;
  readonly chainEvents: Counter<'event'>;
  readonly checkpointConflicts: Counter;
  readonly submitRetries: Counter<'cause'>;
  readonly fileHashMismatches: Counter<'holder'>;
}

/** One registry per gateway instance, so several gateways in one process (tests) do not collide. */
export function createMetrics(height: () => Promise<number>, outboxPending: () => number = () => 0): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const eventsRecorded = new Counter({
    name: 'correction_events_recorded_total',
    help: 'Correction events recorded through this gateway',
    labelNames: ['type', 'agency'] as const,
    registers: [registry],
  });
  const chainEvents = new Counter({
    name: 'ledger_chaincode_events_total',
    help: 'Chaincode events this gateway followed into its log (entries and checkpoints of every agency)',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const checkpointConflicts = new Counter({
    name: 'log_checkpoint_conflicts_total',
    help: 'Checkpoints for which agencies cosigned different roots',
    registers: [registry],
  });
  const submitRetries = new Counter({
    name: 'ledger_submit_retries_total',
    help: 'Submissions retried for a transient condition (read conflict, endorsers not yet agreeing)',
    labelNames: ['cause'] as const,
    registers: [registry],
  });
  const fileHashMismatches = new Counter({
    name: 'exchange_file_hash_mismatches_total',
    help: 'Files another agency\'s gateway served that did not hash to what their entry lists (refused, nothing kept)',
    labelNames: ['holder'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'outbox_pending_submissions',
    help: 'Accepted submissions waiting for the ledger',
    registers: [registry],
    collect() {
      this.set(outboxPending());
    },
  });
  new Gauge({
    name: 'ledger_block_height',
    help: 'Committed block height of the ledger',
    registers: [registry],
    async collect() {
      this.set(await height());
    },
  });
  return { registry, httpDuration, eventsRecorded, chainEvents, checkpointConflicts, submitRetries, fileHashMismatches };
}
