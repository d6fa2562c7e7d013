import type { Agency, ObligationState } from 'correction-chaincode/domain';
import type { MerkleLog, StoredObligation } from '../log/merkle-log.js';

export interface ObligationQuery {
  readonly agency?: Agency | undefined;
  readonly state?: ObligationState | undefined;
}

/** The obligations across every subject this gateway has followed, as of now. */
export interface ObligationList {
  list(query: ObligationQuery): Promise<{ asOf: string; obligations: StoredObligation[] }>;
}

export function obligationList(log: MerkleLog, now: () => Date): ObligationList {
  return {
    async list(query) {
      const asOf = now();
      const obligations: StoredObligation[] = [];
      for await (const stored of log.obligations()) {
        // Met, late and void are final; whether an unmet one is overdue depends on the time now.
        const state: ObligationState =
          stored.state === 'open' || stored.state === 'overdue' ? (asOf.getTime() > Date.parse(stored.dueAt) ? 'overdue' : 'open') : stored.state;
        if (query.agency && stored.agency !== query.agency) continue;
        if (query.state && state !== query.state) continue;
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
