import { AGENCY_WIDE, type Agency } from 'correction-chaincode/domain';
import type { CorrectionClient } from '../services/correction-client.js';
import type { InternalEntryReader } from './exchange-server.js';

/**
 * Entries read for the exchange by the gateway itself, agency-wide. A read of a sealed record is
 * recorded on its access trail like any other, naming the agency the file goes to.
 */
export function internalEntryReader(client: CorrectionClient, agency: Agency): InternalEntryReader {
  return (entryId, peer) =>
    client.entry(
      { agency, actor: { agency, unit: AGENCY_WIDE, unitKind: null, role: 'officer', sub: `gateway-exchange:${peer}` } },
      entryId,
      { caseNumber: `document delivery to ${peer}`, reason: 'CASE_HANDLING' },
    );
}
