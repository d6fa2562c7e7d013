import type { JWK } from 'jose';
import type { Agency } from 'correction-chaincode/domain';
import type { Role } from '../../gateway/src/keys.js';

/** The verdict of auditing a stopped gateway's ledger from its files, as `correction-ledger audit` gives it. */
export interface OfflineAudit {
  readonly exitCode: number;
  readonly ok: boolean;
  readonly blocks: number;
  readonly subjects: number;
  readonly entries: number;
  readonly problems: number;
}

/** Pauses and resumes the ledger under a running gateway, as its operator's commands do. */
export interface LedgerMaintenance {
  pause(reason: string): Promise<void>;
  resume(): Promise<void>;
}

/** A real gateway a drill attacks: a process of its own on this machine, with data of its own. */
export interface DrillGateway {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** The gateway's process, to sample its memory or kill it. */
  readonly pid: number;
  /** The gateway's memory, as its process reports it after a full garbage collection: what a leak would keep. */
  retainedMemory(): Promise<{ readonly rss: number; readonly heapUsed: number; readonly external: number }>;
  /** A valid token, signed by the agency's key. */
  token(agency: Agency, role?: Role, sub?: string): Promise<string>;
  /** The agency's private token-signing key: forged tokens start from the real thing. */
  agencyKey(agency: Agency): Promise<JWK>;
  /** The public keys the gateway trusts for tokens (a JWKS). */
  trustedKeys(): Promise<{ readonly keys: readonly JWK[] }>;
  /** SIGKILL: the gateway's process dies at once, mid-request, nothing flushed or closed. */
  kill9(): Promise<void>;
  /**
   * Starts the gateway again over the same data and key files, as an operator restarts a crashed
   * one; `url` and `pid` then name the new process.
   */
  restart(): Promise<void>;
  /**
   * The operator's switch that makes the ledger take no transactions (reads go on, keyed writes
   * wait in the outbox), where the ledger has one: `correction-ledger pause`/`resume` on the
   * embedded ledger.
   */
  readonly maintenance?: LedgerMaintenance;
  /**
   * Stops the gateway and removes its data. With `auditOffline`, the stopped ledger is first
   * audited from its files. Safe to call again (it then does nothing).
   */
  close(options?: { readonly auditOffline?: boolean }): Promise<OfflineAudit | undefined>;
}

/**
 * Starts gateways for drills. The embedded launcher runs each on the embedded ledger in a child
 * process; a Fabric launcher (for `npm run drills:fabric`) would start gateways on the running
 * network behind the same interface, so that every drill runs there unchanged.
 */
export interface GatewayLauncher {
  readonly ledger: 'embedded' | 'fabric';
  /** Starts a gateway configured by `env` on top of the defaults (rate limits, token lifetimes …). */
  start(env?: Readonly<Record<string, string>>): Promise<DrillGateway>;
}
