import { z } from 'zod';
import { AGENCIES, type Agency, type CollectionName } from './agencies.js';
import { EVENT_CATALOG, isEventType, type EventDefinition, type Facts, type NotifyTarget } from './catalog.js';
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
  const issues: FieldIssue[] = [];
  if (!SUBJECT_REF_PATTERN.test(cmd.subjectRef)) {
    issues.push({ path: 'subjectRef', message: 'must be a subject reference (64 hex characters)' });
  }
  if (!isEventType(cmd.type)) {
    issues.push({ path: 'type', message: `unknown event type ${JSON.stringify(cmd.type)}` });
    throw invalid(issues);
  }
  const definition = EVENT_CATALOG[cmd.type];
  if (!definition.recordedBy.includes(cmd.agency)) {
    throw new DomainError('FORBIDDEN', `${cmd.agency} may not record ${cmd.type}`, { agency: cmd.agency });
  }
  const occurred = OCCURRED_AT.safeParse(cmd.occurredAt);
  if (!occurred.success) {
    issues.push(...issuesOf(occurred.error, 'occurredAt'));
  } else if (Date.parse(cmd.occurredAt) > Date.parse(tx.recordedAt) + MAX_FUTURE_SKEW_MS) {
    issues.push({ path: 'occurredAt', message: 'lies in the future' });
  }
  const parsed = definition.document.safeParse(cmd.document);
  if (!parsed.success) issues.push(...issuesOf(parsed.error, 'document'));
  if (cmd.type === 'AMENDMENT' && !cmd.amends) issues.push({ path: 'amends', message: 'an amendment names the entry it amends' });
  if (cmd.type !== 'AMENDMENT' && cmd.amends) issues.push({ path: 'amends', message: `only an AMENDMENT amends an entry` });
  if (issues.length > 0 || !parsed.success) throw invalid(issues);

  const current = subject.status;
  if (!current && definition.from !== 'RECORDED' && !definition.from.includes('NONE')) {
    throw new DomainError('NOT_FOUND', 'subject has no entries on the ledger');
  }
  if (!current && definition.from === 'RECORDED') {
    throw new DomainError('NOT_FOUND', 'subject has no entries on the ledger');
  }
  const status = current ?? initialStatus(cmd.subjectRef);
  if (definition.from !== 'RECORDED' && !definition.from.includes(status.state)) {
    throw illegal(status, `${cmd.type} is not allowed while the subject is ${status.state}`);
  }

  let facts = pickFacts(definition, parsed.data as Facts);
  let collection: CollectionName;
  if (cmd.type === 'AMENDMENT') {
    const amended = checkAmendment(cmd, subject);
    facts = { corrections: checkCorrections(EVENT_CATALOG[amended.type], amended, facts['corrections'] as Facts) };
    collection = amended.collection;
  } else {
    collection = definition.collection as CollectionName;
  }
  checkRecorder(definition, cmd, status, subject.amended);
  if (cmd.type === 'HANDOVER_RECEIPT') checkAcknowledged(cmd, subject.acknowledged);
  const unmet = definition.requires?.(status, facts, cmd.occurredAt);
  if (unmet) throw illegal(status, `${cmd.type} refused: ${unmet}`);

  const seq = status.entryCount + 1;
  const entry = sealEntry({
    id: entryIdFor(cmd.subjectRef, seq),
    subjectRef: cmd.subjectRef,
    seq,
    type: cmd.type,
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
    cmd.type === 'AMENDMENT'
      ? deriveStatus(cmd.subjectRef, [...(subject.history ?? []), entry])
      : applyEntry(status, entry, facts);
  return { entry, status: next, collection };
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
  const shape = amendedDef.shape.pick(Object.fromEntries(Object.keys(corrections).map((key) => [key, true])) as Record<string, true>);
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

function checkRecorder(
  definition: EventDefinition,
  cmd: RecordCommand,
  status: SubjectStatus,
  amended: Entry | undefined,
): void {
  const refuse = (why: string): never => {
    throw new DomainError('FORBIDDEN', `${cmd.agency} may not record ${cmd.type}: ${why}`, { agency: cmd.agency });
  };
  switch (definition.recorderRule) {
    case undefined:
      return;
    case 'HANDOVER_ORGAN': {
      const type = (cmd.document as { correctionType?: unknown }).correctionType;
      if (cmd.agency !== 'COURT' && type !== 'TEMPORARY_OUTSIDE_PRISON') {
        refuse('only a court hands over probation, parole and control');
      }
      return;
    }
    case 'DECISION_ORGAN':
      if (status.decisionOrgan !== cmd.agency) refuse(`the decision organ is ${status.decisionOrgan ?? 'unknown'}`);
      return;
    case 'ADDRESSED_AGENCY': {
      const answers = (cmd.document as { answers?: unknown }).answers;
      const matter = status.openMatters.find((m) => m.opinionEntryId === answers);
      if (matter && matter.addressedTo !== cmd.agency) refuse(`the opinion is addressed to ${matter.addressedTo}`);
      return;
    }
    case 'AMENDED_RECORDER':
      if (amended && amended.agency !== cmd.agency) refuse(`the amended entry was recorded by ${amended.agency}`);
      return;
  }
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
    switch (target) {
      case 'DECISION_ORGAN':
        if (status.decisionOrgan) agencies.add(status.decisionOrgan);
        break;
      case 'COMMISSIONER':
        if (status.commissionedBy) agencies.add(status.commissionedBy);
        break;
      case 'ADDRESSED_AGENCY':
        agencies.add(facts['addressedTo'] as Agency);
        break;
      case 'AS_AMENDED':
        for (const agency of amended?.notify ?? []) agencies.add(agency);
        break;
      default:
        agencies.add(target);
    }
  }
  agencies.delete(recorder);
  return AGENCIES.filter((agency) => agencies.has(agency));
}
