import type { common } from '@hyperledger/fabric-protos';
import { AGENCY_WIDE, type Agency, type StateDigestPage } from 'correction-chaincode/domain';
import type { AuditReport, LedgerAuditor } from '../../../services/correction-service.js';
import type { Caller } from '../../port.js';
import { AuditStore } from './audit-store.js';
import { auditChannel, type ChannelAuditOptions } from './channel-audit.js';
import type { AuditedLog } from './log-check.js';
import type { ChannelAuditReport } from './report.js';

/** What the audit needs of the Fabric ledger: its names, its blocks, its height and a read-only query. */
export interface AuditableLedger {
  readonly names: { readonly channel: string; readonly chaincode: string };
  blocks(fromBlock: number, signal: AbortSignal): AsyncIterable<common.Block>;
  height(): Promise<number>;
  evaluate(caller: Caller, fn: string, args: readonly string[]): Promise<Uint8Array>;
}

export interface FabricAuditSettings {
  readonly ledger: AuditableLedger;
  /** The agency whose peer and identity the audit reads through; it acts as that agency's auditor. */
  readonly agency: Agency;
  /** Where the checkpoint lives (`audit/fabric` under it). */
  readonly dataDir: string;
  readonly log?: AuditedLog | undefined;
  /** Drop the checkpoint and start from block 0. */
  readonly restart?: boolean;
  /** Blocks as the audit reads them: the peer's, unless a test alters them in flight. */
  readonly blocks?: AuditableLedger['blocks'];
}

const decoder = new TextDecoder();

/** The auditor the audit asserts to the contract: the whole agency, reading, never writing. */
export const auditCaller = (agency: Agency, sub = 'channel-audit'): Caller => ({
  agency,
  actor: { agency, unit: AGENCY_WIDE, unitKind: null, role: 'auditor', sub },
});

/** Runs a whole-channel audit with its checkpoint in the data directory, opened for the run alone. */
export async function runFabricAudit(settings: FabricAuditSettings, options: ChannelAuditOptions = {}): Promise<ChannelAuditReport> {
  const { ledger } = settings;
  const caller = auditCaller(settings.agency);
  const store = await AuditStore.open(settings.dataDir, settings.restart);
  try {
    return await auditChannel(
      {
        ...ledger.names,
        blocks: settings.blocks ?? ((from, signal) => ledger.blocks(from, signal)),
        height: () => ledger.height(),
        stateDigests: async (kind, bookmark, pageSize) =>
          JSON.parse(decoder.decode(await ledger.evaluate(caller, 'GetStateDigests', [kind, bookmark, String(pageSize)]))) as StateDigestPage,
        log: settings.log,
        store,
      },
      options,
    );
  } finally {
    await store.close();
  }
}

/**
 * The gateway's auditor on Fabric (GET /v1/audit): one audit at a time, continuing from the
 * checkpoint the last one left; requests that arrive while one runs get its report.
 */
export class FabricLedgerAuditor implements LedgerAuditor {
  readonly #settings: FabricAuditSettings;
  #running: Promise<AuditReport> | undefined;

  constructor(settings: FabricAuditSettings) {
    this.#settings = settings;
  }

  auditLedger(): Promise<AuditReport> {
    this.#running ??= runFabricAudit(this.#settings).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }
}
