import { AGENCY_WIDE, covers, type Agency, type ObligationState } from 'correction-chaincode/domain';
import type { StoredObligation } from '../log/records.js';

/** The obligations as the statutory clock last computed them, every subject's. */
export interface ObligationReader {
  obligations(): AsyncIterable<StoredObligation>;
}

export interface ObligationQuery {
  readonly agency?: Agency | undefined;
  readonly state?: ObligationState | undefined;
}

/**
 * The obligations across every subject this gateway has followed, as of now, that fall to units
 * the reader's unit covers: its own and those below it.
 */
export interface ObligationList {
  list(reader: { readonly unit: string }, query: ObligationQuery): Promise<{ asOf: string; obligations: StoredObligation[] }>;
}

/** Whether a stored obligation is one the query asks for, of a unit the reader covers. */
function wanted(stored: StoredObligation, state: ObligationState, reader: { readonly unit: string }, query: ObligationQuery): boolean {
  if (query.agency && stored.agency !== query.agency) return false;
  if (query.state && state !== query.state) return false;
  // One computed before units were known names none: the agency-wide readers see it.
  return covers(reader.unit, stored.unit ?? AGENCY_WIDE);
}

export function obligationList(source: ObligationReader, now: () => Date): ObligationList {
  return {
    async list(reader, query) {
      const asOf = now();
      const obligations: StoredObligation[] = [];
      for await (const stored of source.obligations()) {
        // Met, late and void are final; whether an unmet one is overdue depends on the time now.
        const state: ObligationState =
          stored.state === 'open' || stored.state === 'overdue' ? (asOf.getTime() > Date.parse(stored.dueAt) ? 'overdue' : 'open') : stored.state;
        if (!wanted(stored, state, reader, query)) continue;
        // Whether the overdue notice went out is the gateway's own bookkeeping, not part of the answer.
        const obligation: { -readonly [K in keyof StoredObligation]: StoredObligation[K] } = { ...stored, state };
        delete obligation.overdueNoticed;
        obligations.push(obligation);
      }
      obligations.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
      return { asOf: asOf.toISOString(), obligations };
    },
  };
}
