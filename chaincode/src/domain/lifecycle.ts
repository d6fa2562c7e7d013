import { EVENT_CATALOG, type Facts } from './catalog.js';
import type { Entry } from './entry.js';
import { initialStatus, mayLeaveCountryIn, type SubjectStatus } from './status.js';

/** The status after one entry, given the entry's effective public facts. */
export function applyEntry(status: SubjectStatus, entry: Entry, facts: Facts = entry.facts): SubjectStatus {
  const definition = EVENT_CATALOG[entry.type];
  let next: SubjectStatus = definition.to ? { ...status, state: definition.to } : status;
  if (definition.effect) {
    next = definition.effect(next, facts, { entryId: entry.id, agency: entry.agency, unit: entry.unit, occurredAt: entry.occurredAt });
  }
  return {
    ...next,
    mayLeaveCountry: mayLeaveCountryIn(next.state),
    entryCount: status.entryCount + 1,
    lastEntryId: entry.id,
    lastHash: entry.hash,
    updatedAt: entry.recordedAt,
  };
}

/** Public facts of every entry with all later amendments applied, in chain order. */
export function effectiveFacts(entries: readonly Entry[]): Map<string, Facts> {
  const facts = new Map<string, Facts>();
  for (const entry of entries) {
    if (entry.type === 'AMENDMENT' && entry.amends) {
      const corrections = entry.facts['corrections'] as Facts;
      facts.set(entry.amends, { ...(facts.get(entry.amends) ?? {}), ...corrections });
    } else {
      facts.set(entry.id, { ...entry.facts, ...(facts.get(entry.id) ?? {}) });
    }
  }
  return facts;
}

/** A subject's status derived from its whole chain, amendments included. */
export function deriveStatus(subjectRef: string, entries: readonly Entry[]): SubjectStatus {
  const facts = effectiveFacts(entries);
  return entries.reduce(
    (status, entry) => applyEntry(status, entry, facts.get(entry.id) ?? entry.facts),
    initialStatus(subjectRef),
  );
}
