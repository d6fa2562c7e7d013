import { expect } from 'chai';
import { DomainError, type Actor, type Agency, type EventType, type Purpose, type UnitKind } from 'correction-chaincode/domain';
import type { CorrectionClient } from '../../gateway/src/services/correction-client.js';
import { freshKeyHash } from '../../gateway/src/services/correction-client.js';
import { actor } from './actors.js';
import { sampleDocument } from './documents.js';

/**
 * Who may do what to which subject, by law, as one table of (agency, unit, kind, role, action,
 * subject) → outcome, run against the contract itself on both ledgers: on the embedded ledger in
 * process, on Fabric through the raw contract with the REST gateway bypassed (the acting principal
 * asserted in the transient map as any gateway could assert it). The subjects: one of Chaoyang
 * (110105) handed over by the Chaoyang court and received by its justice bureau, and one sealed
 * (a minor at the offence), of Chaoyang too.
 */

/** The contract as a table sees it: a client per agency, each holding that agency's ledger identity. */
export type ClientOf = (agency: Agency) => CorrectionClient;

type SubjectName = 'chaoyang' | 'sealed';

type Action =
  | { readonly record: EventType }
  | { readonly read: 'status' | 'entries'; readonly purpose?: Purpose }
  | { readonly trail: true };

/** allowed: recorded, or read in full; minimal: the minimal status only; otherwise the refusal's code. */
type Outcome = 'allowed' | 'minimal' | 'FORBIDDEN' | 'PURPOSE_REQUIRED';

interface Row {
  readonly who: Actor;
  readonly action: Action;
  readonly subject: SubjectName;
  readonly expect: Outcome;
}

const unit = (agency: Agency, code: string, unitKind: UnitKind, role: Actor['role'] = 'officer'): Actor =>
  actor(agency, { unit: code, unitKind, role, sub: `${agency.toLowerCase()}-${code}-${unitKind.toLowerCase()}-${role}` });

const CASE: Purpose = { caseNumber: '(2024)京0105刑初123号', reason: 'CASE_HANDLING' };

export const CHAOYANG = '110105';
export const HAIDIAN = '110108';

/** The table: each row names its rule in the catalog or its statute. */
export const JURISDICTION_TABLE: readonly Row[] = [
  // L8, L9: the justice bureau of the place of execution (and those above it) records execution.
  { who: unit('JUSTICE', CHAOYANG, 'BUREAU'), action: { record: 'WARNING_ISSUED' }, subject: 'chaoyang', expect: 'allowed' },
  { who: unit('JUSTICE', '1101', 'BUREAU'), action: { record: 'COMMENDATION_ISSUED' }, subject: 'chaoyang', expect: 'allowed' },
  { who: unit('JUSTICE', HAIDIAN, 'BUREAU'), action: { record: 'WARNING_ISSUED' }, subject: 'chaoyang', expect: 'FORBIDDEN' },
  { who: unit('JUSTICE', '110105001', 'BUREAU'), action: { record: 'WARNING_ISSUED' }, subject: 'chaoyang', expect: 'FORBIDDEN' },
  { who: unit('JUSTICE', CHAOYANG, 'PRISON_ADMINISTRATION'), action: { record: 'WARNING_ISSUED' }, subject: 'chaoyang', expect: 'FORBIDDEN' },
  { who: unit('JUSTICE', CHAOYANG, 'BUREAU', 'auditor'), action: { record: 'WARNING_ISSUED' }, subject: 'chaoyang', expect: 'FORBIDDEN' },
  // The police of the place record their events; border control and the police elsewhere do not.
  { who: unit('POLICE', CHAOYANG, 'PUBLIC_SECURITY'), action: { record: 'PENALTY_DECIDED' }, subject: 'chaoyang', expect: 'allowed' },
  { who: unit('POLICE', HAIDIAN, 'PUBLIC_SECURITY'), action: { record: 'PENALTY_DECIDED' }, subject: 'chaoyang', expect: 'FORBIDDEN' },
  { who: unit('POLICE', CHAOYANG, 'BORDER'), action: { record: 'PENALTY_DECIDED' }, subject: 'chaoyang', expect: 'FORBIDDEN' },
  // Rulings: the deciding court or the court of the place (L45, SPCI534-544).
  { who: unit('COURT', CHAOYANG, 'COURT'), action: { record: 'COMMUTATION_RULED' }, subject: 'chaoyang', expect: 'allowed' },
  { who: unit('COURT', HAIDIAN, 'COURT'), action: { record: 'COMMUTATION_RULED' }, subject: 'chaoyang', expect: 'FORBIDDEN' },
  // The procuratorate of the place (L34 ¶2).
  { who: unit('PROCURATORATE', CHAOYANG, 'PROCURATORATE'), action: { record: 'COMPLAINT_RECEIVED' }, subject: 'chaoyang', expect: 'allowed' },
  { who: unit('PROCURATORATE', HAIDIAN, 'PROCURATORATE'), action: { record: 'COMPLAINT_RECEIVED' }, subject: 'chaoyang', expect: 'FORBIDDEN' },
  // Reads: the agencies of the jurisdiction in full; elsewhere, and border control, the minimal status only.
  { who: unit('POLICE', CHAOYANG, 'PUBLIC_SECURITY'), action: { read: 'entries' }, subject: 'chaoyang', expect: 'allowed' },
  { who: unit('POLICE', HAIDIAN, 'PUBLIC_SECURITY'), action: { read: 'status' }, subject: 'chaoyang', expect: 'minimal' },
  { who: unit('POLICE', HAIDIAN, 'PUBLIC_SECURITY'), action: { read: 'entries' }, subject: 'chaoyang', expect: 'FORBIDDEN' },
  { who: unit('POLICE', CHAOYANG, 'BORDER'), action: { read: 'status' }, subject: 'chaoyang', expect: 'minimal' },
  { who: unit('COURT', '310104', 'COURT'), action: { read: 'status' }, subject: 'chaoyang', expect: 'minimal' },
  // The access trail: the procuratorate of the jurisdiction and auditors (L61, SPCI581).
  { who: unit('PROCURATORATE', CHAOYANG, 'PROCURATORATE'), action: { trail: true }, subject: 'chaoyang', expect: 'allowed' },
  { who: unit('PROCURATORATE', HAIDIAN, 'PROCURATORATE'), action: { trail: true }, subject: 'chaoyang', expect: 'FORBIDDEN' },
  { who: unit('JUSTICE', CHAOYANG, 'BUREAU'), action: { trail: true }, subject: 'chaoyang', expect: 'FORBIDDEN' },
  { who: unit('COURT', '11', 'COURT', 'auditor'), action: { trail: true }, subject: 'chaoyang', expect: 'allowed' },
  // SPCI581, CPL286, L54: a sealed record in full for the justice bureau and procuratorate of the place and the deciding court.
  { who: unit('JUSTICE', CHAOYANG, 'BUREAU'), action: { read: 'entries' }, subject: 'sealed', expect: 'allowed' },
  { who: unit('PROCURATORATE', CHAOYANG, 'PROCURATORATE'), action: { read: 'status' }, subject: 'sealed', expect: 'allowed' },
  { who: unit('COURT', CHAOYANG, 'COURT'), action: { read: 'entries' }, subject: 'sealed', expect: 'allowed' },
  // Every other read states a purpose, and gets the minimal status.
  { who: unit('POLICE', CHAOYANG, 'PUBLIC_SECURITY'), action: { read: 'status' }, subject: 'sealed', expect: 'PURPOSE_REQUIRED' },
  { who: unit('POLICE', CHAOYANG, 'PUBLIC_SECURITY'), action: { read: 'status', purpose: CASE }, subject: 'sealed', expect: 'minimal' },
  { who: unit('POLICE', CHAOYANG, 'PUBLIC_SECURITY'), action: { read: 'entries', purpose: CASE }, subject: 'sealed', expect: 'FORBIDDEN' },
  { who: unit('COURT', HAIDIAN, 'COURT'), action: { read: 'status' }, subject: 'sealed', expect: 'PURPOSE_REQUIRED' },
  { who: unit('JUSTICE', CHAOYANG, 'PRISON_ADMINISTRATION'), action: { read: 'status' }, subject: 'sealed', expect: 'PURPOSE_REQUIRED' },
  { who: unit('JUSTICE', CHAOYANG, 'BUREAU', 'auditor'), action: { read: 'status' }, subject: 'sealed', expect: 'PURPOSE_REQUIRED' },
  { who: unit('JUSTICE', CHAOYANG, 'BUREAU', 'auditor'), action: { read: 'status', purpose: { caseNumber: 'AUDIT-2024-7', reason: 'AUDIT' } }, subject: 'sealed', expect: 'minimal' },
  // L58: the seal holds for writes as for reads — the bureau of the place still records.
  { who: unit('JUSTICE', CHAOYANG, 'BUREAU'), action: { record: 'WARNING_ISSUED' }, subject: 'sealed', expect: 'allowed' },
];

const describeAction = (action: Action): string => {
  if ('record' in action) return `records ${action.record}`;
  if ('read' in action) return `reads the ${action.read}${action.purpose ? ` for ${action.purpose.reason}` : ''}`;
  return 'lists the access trail';
};

export const describeRow = (row: Row): string =>
  `${row.who.agency} ${row.who.unitKind ?? ''} ${row.who.unit} ${row.who.role} ${describeAction(row.action)} of the ${row.subject} subject → ${row.expect}`;

/** Runs one action: allowed, or minimal for a read that got the minimal status. */
async function act(client: CorrectionClient, who: Actor, action: Action, ref: string, occurredAt: string): Promise<Outcome> {
  const caller = { agency: who.agency, actor: who };
  if ('record' in action) {
    await client.recordEvent(caller, { subjectRef: ref, type: action.record, occurredAt, document: sampleDocument(action.record), keyHash: freshKeyHash() });
  } else if ('trail' in action) {
    await client.accessTrail(caller, ref);
  } else if (action.read === 'entries') {
    await client.entries(caller, ref, action.purpose ?? null);
  } else {
    const status = await client.status(caller, ref, action.purpose ?? null);
    if ('view' in status) return 'minimal';
  }
  return 'allowed';
}

/** Runs one row and names its outcome as the table does; any other answer is named with its details, wrong for every row. */
async function outcomeOf(clientOf: ClientOf, row: Row, ref: string, occurredAt: string): Promise<string> {
  try {
    return await act(clientOf(row.who.agency), row.who, row.action, ref, occurredAt);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.code === 'FORBIDDEN' || error.code === 'PURPOSE_REQUIRED') return error.code;
    return `${error.code} ${error.message} ${JSON.stringify(error.details)}`;
  }
}

/** The two subjects of the table, handed over by the Chaoyang court and received by the Chaoyang justice bureau. */
export async function tableSubjects(clientOf: ClientOf, refs: Readonly<Record<SubjectName, string>>): Promise<void> {
  const court = { agency: 'COURT' as const, actor: unit('COURT', CHAOYANG, 'COURT', 'clerk') };
  const justice = { agency: 'JUSTICE' as const, actor: unit('JUSTICE', CHAOYANG, 'BUREAU', 'clerk') };
  for (const [name, ref] of Object.entries(refs)) {
    const handover = sampleDocument('SENTENCE_HANDOVER', name === 'sealed' ? { minorAtOffence: true } : {});
    await clientOf('COURT').recordEvent(court, { subjectRef: ref, type: 'SENTENCE_HANDOVER', occurredAt: '2024-01-10T09:00:00+08:00', document: handover, keyHash: freshKeyHash() });
    await clientOf('JUSTICE').recordEvent(justice, { subjectRef: ref, type: 'SUBJECT_RECEIVED', occurredAt: '2024-01-15T09:00:00+08:00', document: sampleDocument('SUBJECT_RECEIVED'), keyHash: freshKeyHash() });
  }
}

/**
 * Runs every row in order (rows that record change the subject, so the order is the table's) and
 * reports every row whose outcome differs, at once; then checks the sealed subject's access trail
 * names each allowed read of it, and no refused one.
 */
export async function runJurisdictionTable(clientOf: ClientOf, refs: Readonly<Record<SubjectName, string>>): Promise<void> {
  const wrong: string[] = [];
  let day = 0;
  for (const row of JURISDICTION_TABLE) {
    // One day apart from 1 February 2024, after both subjects were received.
    const occurredAt = `${new Date(Date.UTC(2024, 1, 1 + day++)).toISOString().slice(0, 10)}T09:00:00+08:00`;
    const got = await outcomeOf(clientOf, row, refs[row.subject], occurredAt);
    if (got !== row.expect) wrong.push(`${describeRow(row)}, got ${got}`);
  }
  expect(wrong, wrong.join('\n')).to.deep.equal([]);
  const auditor = { agency: 'PROCURATORATE' as const, actor: unit('PROCURATORATE', CHAOYANG, 'PROCURATORATE', 'auditor') };
  const trail = await clientOf('PROCURATORATE').accessTrail(auditor, refs.sealed);
  const readers = trail.reads.map((read) => `${read.sub} ${read.what} ${read.view}${read.purpose ? ` ${read.purpose.reason}` : ''}`).sort();
  const allowedReads = JURISDICTION_TABLE.filter((row) => row.subject === 'sealed' && 'read' in row.action && (row.expect === 'allowed' || row.expect === 'minimal'))
    .map((row) => {
      const action = row.action as Extract<Action, { read: string }>;
      return `${row.who.sub} ${action.read} ${row.expect === 'minimal' ? 'minimal' : 'full'}${action.purpose ? ` ${action.purpose.reason}` : ''}`;
    })
    .sort();
  expect(readers).to.deep.equal(allowedReads);
  for (const read of trail.reads) expect(Object.keys(read)).to.not.include.members(['document', 'status', 'entries']);
  expect(trail.writes.map((w) => w.type)).to.deep.equal(['SENTENCE_HANDOVER', 'SUBJECT_RECEIVED', 'WARNING_ISSUED']);
}
