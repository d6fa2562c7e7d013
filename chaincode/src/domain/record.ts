import { z } from 'zod';
import { AGENCIES, type Agency, type CollectionName } from './agencies.js';
import {
  EVENT_CATALOG,
  isEventType,
  type EventDefinition,
  type EventType,
  type Facts,
  type NotifyTarget,
  type RecorderRule,
} from './catalog.js';
import { entryIdFor, sealEntry, type Entry } from './entry.js';
import { DomainError, invalid, type FieldIssue } from './errors.js';
import { OCCURRED_AT, orderIssues } from './documents.js';
import { documentHash } from './hashing.js';
import { SUBJECT_REF_PATTERN } from './identity.js';
import { applyEntry, deriveStatus } from './lifecycle.js';
import { initialStatus, type SubjectStatus } from './status.js';

/** What an agency asks to record. */
export interface RecordCommand {
  readonly subjectRef: string;
  readonly type: string;
  /** The caller's agency, from its MSP ID. */
  readonly agency: Agency;
  readonly occurredAt: string;
  readonly document: unknown;
  readonly amends?: string | null;
}

/** Facts of the transaction that records the entry. */
export interface TransactionFacts {
  readonly txId: string;
  /** Transaction timestamp, ISO 8601. */
  readonly recordedAt: string;
}

/** What the ledger holds about the subject, loaded by the caller before deciding. */
export interface SubjectSnapshot {
  readonly status: SubjectStatus | undefined;
  /** The entry named by `amends`, if any. */
  readonly amended?: Entry | undefined;
  /** The entry a handover receipt acknowledges, if the document names one the ledger holds. */
  readonly acknowledged?: Entry | undefined;
  /** The subject's whole chain; needed for amendments only. */
  readonly history?: readonly Entry[];
}

export interface RecordOutcome {
  readonly entry: Entry;
  readonly status: SubjectStatus;
  readonly collection: CollectionName;
}

/** How far occurredAt may lie after the transaction time (clock skew between agencies). */
const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/** Zod issues as field issues, one per unexpected field, each named by its own path. */
export function issuesOf(error: z.ZodError, prefix: string): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const at = [prefix, ...issue.path.map(String)].filter(Boolean);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...at, key].join('.'), message: 'is not an allowed field' }));
    }
    return [{ path: at.join('.') || '(body)', message: issue.message }];
  });
}

function illegal(status: SubjectStatus, message: string): DomainError {
  return new DomainError('ILLEGAL_TRANSITION', message, { currentState: status.state });
}

/**
 * Decides whether an agency may record an event for a subject, and if so returns the sealed entry
 * and the subject's new status. Pure: the contract loads the snapshot and stores the outcome.
 */
export function recordEntry(cmd: RecordCommand, tx: TransactionFacts, subject: SubjectSnapshot): RecordOutcome {
  const { type, definition, document } = checkCommand(cmd, tx);
  const status = statusBefore(cmd, definition, subject.status);
  const { facts, collection } = publicFacts(cmd, definition, document, subject);
  checkRecorder(definition, cmd, status, subject.amended);
  if (type === 'HANDOVER_RECEIPT') checkAcknowledged(cmd, subject.acknowledged);
  const unmet = definition.requires?.(status, facts, cmd.occurredAt);
  if (unmet) throw illegal(status, `${type} refused: ${unmet}`);

  const seq = status.entryCount + 1;
  const entry = sealEntry({
    id: entryIdFor(cmd.subjectRef, seq),
    subjectRef: cmd.subjectRef,
    seq,
    type,
    agency: cmd.agency,
    occurredAt: cmd.occurredAt,
    recordedAt: tx.recordedAt,
    facts,
    notify: resolveNotify(definition.notify, cmd.agency, status, facts, subject.amended),
    collection,
    docHash: documentHash(cmd.document),
    amends: cmd.amends ?? null,
    prevHash: status.lastHash,
    txId: tx.txId,
  });
  const next =
    type === 'AMENDMENT'
      ? deriveStatus(cmd.subjectRef, [...(subject.history ?? []), entry])
      : applyEntry(status, entry, facts);
  return { entry, status: next, collection };
}

/** A command that names a known event, from an agency that may ever record it, with a valid document. */
interface CheckedCommand {
  readonly type: EventType;
  readonly definition: EventDefinition;
  readonly document: Facts;
}

/**
 * Checks the command on its own, before the subject is consulted. An unknown type or a recorder
 * outside the event's agencies stops at once; every other field problem is reported together.
 */
function checkCommand(cmd: RecordCommand, tx: TransactionFacts): CheckedCommand {
  const issues: FieldIssue[] = subjectRefIssues(cmd.subjectRef);
  const type = cmd.type;
  if (!isEventType(type)) {
    issues.push({ path: 'type', message: `unknown event type ${JSON.stringify(type)}` });
    throw invalid(issues);
  }
  const definition = EVENT_CATALOG[type];
  if (!definition.recordedBy.includes(cmd.agency)) {
    throw new DomainError('FORBIDDEN', `${cmd.agency} may not record ${type}`, { agency: cmd.agency });
  }
  issues.push(...occurredAtIssues(cmd.occurredAt, tx.recordedAt));
  const parsed = definition.document.safeParse(cmd.document);
  if (!parsed.success) issues.push(...issuesOf(parsed.error, 'document'));
  issues.push(...amendsIssues(type, cmd.amends));
  if (issues.length > 0 || !parsed.success) throw invalid(issues);
  return { type, definition, document: parsed.data as Facts };
}

function subjectRefIssues(subjectRef: string): FieldIssue[] {
  return SUBJECT_REF_PATTERN.test(subjectRef)
    ? []
    : [{ path: 'subjectRef', message: 'must be a subject reference (64 hex characters)' }];
}

function occurredAtIssues(occurredAt: string, recordedAt: string): FieldIssue[] {
  const parsed = OCCURRED_AT.safeParse(occurredAt);
  if (!parsed.success) return issuesOf(parsed.error, 'occurredAt');
  if (Date.parse(occurredAt) > Date.parse(recordedAt) + MAX_FUTURE_SKEW_MS) {
    return [{ path: 'occurredAt', message: 'lies in the future' }];
  }
  return [];
}

/** An amendment, and only an amendment, names the entry it amends. */
function amendsIssues(type: EventType, amends: string | null | undefined): FieldIssue[] {
  if (type === 'AMENDMENT' && !amends) return [{ path: 'amends', message: 'an amendment names the entry it amends' }];
  if (type !== 'AMENDMENT' && amends) return [{ path: 'amends', message: `only an AMENDMENT amends an entry` }];
  return [];
}

/**
 * The subject's status before the event. Only an event allowed from NONE may open a subject the
 * ledger does not know; every other event needs a subject in one of the states it is allowed from.
 */
function statusBefore(cmd: RecordCommand, definition: EventDefinition, current: SubjectStatus | undefined): SubjectStatus {
  if (!current && (definition.from === 'RECORDED' || !definition.from.includes('NONE'))) {
    throw new DomainError('NOT_FOUND', 'subject has no entries on the ledger');
  }
  const status = current ?? initialStatus(cmd.subjectRef);
  if (definition.from !== 'RECORDED' && !definition.from.includes(status.state)) {
    throw illegal(status, `${cmd.type} is not allowed while the subject is ${status.state}`);
  }
  return status;
}

/**
 * The public facts the entry carries and the collection its document goes to. An amendment
 * carries only its corrections, and its document joins the amended entry's collection.
 */
function publicFacts(
  cmd: RecordCommand,
  definition: EventDefinition,
  document: Facts,
  subject: SubjectSnapshot,
): { readonly facts: Facts; readonly collection: CollectionName } {
  const facts = pickFacts(definition, document);
  if (cmd.type !== 'AMENDMENT') return { facts, collection: definition.collection as CollectionName };
  const amended = checkAmendment(cmd, subject);
  const corrections = checkCorrections(EVENT_CATALOG[amended.type], amended, facts['corrections'] as Facts);
  return { facts: { corrections }, collection: amended.collection };
}

function pickFacts(definition: EventDefinition, document: Facts): Facts {
  const facts: Record<string, unknown> = {};
  for (const field of definition.publicFields) {
    if (document[field] !== undefined) facts[field] = document[field];
  }
  return facts;
}

function checkAmendment(cmd: RecordCommand, subject: SubjectSnapshot): Entry {
  const amended = subject.amended;
  if (!amended || amended.subjectRef !== cmd.subjectRef) {
    throw new DomainError('NOT_FOUND', 'the amended entry is not in this subject\'s chain', { amends: cmd.amends });
  }
  if (amended.type === 'AMENDMENT') {
    throw invalid([{ path: 'amends', message: 'amend the original entry, not an amendment' }]);
  }
  return amended;
}

/** Corrections may only touch the amended entry's public facts, and must leave them valid. */
function checkCorrections(amendedDef: EventDefinition, amended: Entry, corrections: Facts): Facts {
  const allowed = new Set(amendedDef.publicFields);
  const issues: FieldIssue[] = Object.keys(corrections)
    .filter((key) => !allowed.has(key))
    .map((key) => ({ path: `document.corrections.${key}`, message: `${amended.type} has no public field ${key}` }));
  if (Object.keys(corrections).length === 0) {
    issues.push({ path: 'document.corrections', message: 'names no field to correct' });
  }
  if (issues.length > 0) throw invalid(issues);
  const corrected: Record<string, true> = Object.fromEntries(Object.keys(corrections).map((key) => [key, true]));
  const shape = amendedDef.shape.pick(corrected);
  const result = shape.safeParse(corrections);
  if (!result.success) throw invalid(issuesOf(result.error, 'document.corrections'));
  // The corrected facts must still hold together: a corrected term end still falls after its start.
  const order = orderIssues(amended.type, { ...amended.facts, ...corrections });
  if (order.length > 0) throw invalid(order.map((i) => ({ path: `document.corrections.${i.path}`, message: i.message })));
  return corrections;
}

/** A receipt acknowledges the handover or the served documents of the same subject. */
const ACKNOWLEDGEABLE: readonly string[] = ['SENTENCE_HANDOVER', 'DOCUMENTS_SERVED'];

function checkAcknowledged(cmd: RecordCommand, acknowledged: Entry | undefined): void {
  if (!acknowledged || acknowledged.subjectRef !== cmd.subjectRef) {
    throw new DomainError('NOT_FOUND', 'the acknowledged entry is not in this subject\'s chain', {
      acknowledges: (cmd.document as { acknowledges?: unknown }).acknowledges,
    });
  }
  if (!ACKNOWLEDGEABLE.includes(acknowledged.type)) {
    throw invalid([{ path: 'document.acknowledges', message: `a receipt acknowledges a handover or served documents, not ${acknowledged.type}` }]);
  }
}

/** The facts a recorder rule looks at: who asks, what the document says, and where the subject stands. */
interface RecorderContext {
  readonly cmd: RecordCommand;
  readonly status: SubjectStatus;
  readonly amended: Entry | undefined;
}

/** Each recorder rule returns why the caller may not record the event, or undefined if it may. */
const RECORDER_RULES: Readonly<Record<RecorderRule, (context: RecorderContext) => string | undefined>> = {
  HANDOVER_ORGAN: ({ cmd }) => {
    const type = (cmd.document as { correctionType?: unknown }).correctionType;
    return cmd.agency !== 'COURT' && type !== 'TEMPORARY_OUTSIDE_PRISON'
      ? 'only a court hands over probation, parole and control'
      : undefined;
  },
  DECISION_ORGAN: ({ cmd, status }) =>
    status.decisionOrgan !== cmd.agency ? `the decision organ is ${status.decisionOrgan ?? 'unknown'}` : undefined,
  ADDRESSED_AGENCY: ({ cmd, status }) => {
    const answers = (cmd.document as { answers?: unknown }).answers;
    const matter = status.openMatters.find((m) => m.opinionEntryId === answers);
    return matter && matter.addressedTo !== cmd.agency ? `the opinion is addressed to ${matter.addressedTo}` : undefined;
  },
  AMENDED_RECORDER: ({ cmd, amended }) =>
    amended && amended.agency !== cmd.agency ? `the amended entry was recorded by ${amended.agency}` : undefined,
};

function checkRecorder(
  definition: EventDefinition,
  cmd: RecordCommand,
  status: SubjectStatus,
  amended: Entry | undefined,
): void {
  if (definition.recorderRule === undefined) return;
  const why = RECORDER_RULES[definition.recorderRule]({ cmd, status, amended });
  if (why !== undefined) {
    throw new DomainError('FORBIDDEN', `${cmd.agency} may not record ${cmd.type}: ${why}`, { agency: cmd.agency });
  }
}

/** The facts a notify role is resolved against. */
interface NotifyContext {
  readonly status: SubjectStatus;
  readonly facts: Facts;
  readonly amended: Entry | undefined;
}

type NotifyRole = Exclude<NotifyTarget, Agency>;

/** The agencies each role stands for on this subject. */
const NOTIFY_ROLES: Readonly<Record<NotifyRole, (context: NotifyContext) => readonly Agency[]>> = {
  DECISION_ORGAN: ({ status }) => (status.decisionOrgan ? [status.decisionOrgan] : []),
  COMMISSIONER: ({ status }) => (status.commissionedBy ? [status.commissionedBy] : []),
  ADDRESSED_AGENCY: ({ facts }) => [facts['addressedTo'] as Agency],
  AS_AMENDED: ({ amended }) => amended?.notify ?? [],
};

function isNotifyRole(target: NotifyTarget): target is NotifyRole {
  return Object.hasOwn(NOTIFY_ROLES, target);
}

function resolveNotify(
  targets: readonly NotifyTarget[],
  recorder: Agency,
  status: SubjectStatus,
  facts: Facts,
  amended: Entry | undefined,
): Agency[] {
  const agencies = new Set<Agency>();
  for (const target of targets) {
    const resolved = isNotifyRole(target) ? NOTIFY_ROLES[target]({ status, facts, amended }) : [target];
    for (const agency of resolved) agencies.add(agency);
  }
  agencies.delete(recorder);
  return AGENCIES.filter((agency) => agencies.has(agency));
}
