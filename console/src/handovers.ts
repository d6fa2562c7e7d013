/** Handovers recorded from this browser: entry ids and subject references only, never personal data. */
export interface HandoverRecord {
  readonly entryId: string;
  readonly subjectRef: string;
  readonly recordedAt: string;
  readonly correctionType: string;
}

const KEY = 'correction-ledger/handovers';
const KEPT = 50;

export function myHandovers(): HandoverRecord[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(parsed) ? (parsed as HandoverRecord[]) : [];
  } catch {
    return [];
  }
}

export function rememberHandover(record: HandoverRecord): void {
  const kept = [record, ...myHandovers().filter((h) => h.entryId !== record.entryId)].slice(0, KEPT);
  localStorage.setItem(KEY, JSON.stringify(kept));
}
