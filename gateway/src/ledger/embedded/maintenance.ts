import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Why and since when an operator paused an embedded ledger. */
export interface Maintenance {
  readonly since: string;
  readonly reason: string;
}

/**
 * The operator's maintenance switch of an embedded ledger: a file in the data directory, so that
 * `correction-ledger pause` works on a running gateway without a port or a token. While it exists
 * the ledger takes no transactions (reads go on); keyed writes wait in the gateway's outbox.
 */
export const maintenanceFile = (dataDir: string): string => join(dataDir, 'ledger-maintenance.json');

export async function pauseLedger(dataDir: string, reason: string, now = new Date()): Promise<Maintenance> {
  const maintenance: Maintenance = { since: now.toISOString(), reason };
  await writeFile(maintenanceFile(dataDir), `${JSON.stringify(maintenance)}\n`, { mode: 0o600 });
  return maintenance;
}

/** Ends the maintenance; false if the ledger was not paused. */
export async function resumeLedger(dataDir: string): Promise<boolean> {
  const file = maintenanceFile(dataDir);
  if (!existsSync(file)) return false;
  await rm(file, { force: true });
  return true;
}

/** The maintenance in force, if any. A stat per call: cheap beside a transaction. */
export function maintenanceOf(dataDir: string): Maintenance | undefined {
  const file = maintenanceFile(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Maintenance;
  } catch {
    // Half-written or edited by hand: still paused.
    return { since: '', reason: 'maintenance' };
  }
}
