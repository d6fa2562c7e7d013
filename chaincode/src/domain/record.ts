import { z } from 'zod';
import { AGENCIES, isCollectionMember, type Agency, type CollectionName } from './agencies.js';
import { attachmentFacts } from './attachments.js';
import {
  committingOrgan,
  EVENT_CATALOG,
  isEventType,
  matterAnswered,
  type CollectionTarget,
  type EventDefinition,
  type EventType,
  type Facts,
  type NotifyTarget,
  type RecorderRule,
} from './catalog.js';
import { entryIdFor, sealEntry, type Entry, type NoticeAddress } from './entry.js';
import { DomainError, invalid, type FieldIssue } from './errors.js';
import { crossFieldIssues, OCCURRED_AT } from './documents.js';
import { documentHash } from './hashing.js';
import { SUBJECT_REF_PATTERN } from './identity.js';
import { jurisdictionRefusal, unitKindRefusal } from './jurisdiction.js';
import { applyEntry, deriveStatus, effectiveFacts } from './lifecycle.js';
import { initialStatus, type SubjectStatus } from './status.js';
import type { Actor } from './units.js';

/** What an agency asks to record. */
export interface RecordCommand {
  readonly subjectRef: string;
  readonly type: string;
  /** Who acts: the agency from the caller's MSP ID, the unit, kind, role and staff id as its gateway asserts them. */
  readonly actor: Actor;
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
  const { facts, collection } = publicFacts(cmd, definition, document, subject, status);
  checkRecorder(definition, { cmd, status, facts, amended: subject.amended });
  if (type === 'HANDOVER_RECEIPT') checkAcknowledged(cmd, subject.acknowledged);
  const unmet = definition.requires?.(status, facts, cmd.occurredAt);
  if (unmet) throw illegal(status, `${type} refused: ${unmet}`);

  const seq = status.entryCount + 1;
  const id = entryIdFor(cmd.subjectRef, seq);
  const { actor } = cmd;
  // Where the entry leads decides whom it is addressed to: a change of place tells both places.
  const after = definition.effect?.(status, facts, { entryId: id, agency: actor.agency, unit: actor.unit, occurredAt: cmd.occurredAt }) ?? status;
  const { notify, to } = resolveAddresses(definition.notify, actor, { before: status, after, facts, amended: subject.amended });
  const entry = sealEntry({
    id,
    subjectRef: cmd.subjectRef,
    seq,
    type,
    agency: actor.agency,
    unit: actor.unit,
    occurredAt: cmd.occurredAt,
    recordedAt: tx.recordedAt,
    facts,
    notify,
    to,
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
  const { agency, role } = cmd.actor;
  if (!definition.recordedBy.includes(agency)) {
    throw new DomainError('FORBIDDEN', `${agency} may not record ${type}`, { agency });
  }
  if (role === 'auditor') throw new DomainError('FORBIDDEN', 'an auditor reads and verifies, never writes', { agency });
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
  status: SubjectStatus,
): { readonly facts: Facts; readonly collection: CollectionName } {
  const facts = pickFacts(definition, document);
  // A document that seals the record (a minor at the offence) keeps its own titles off the ledger too.
  const files = attachmentFacts(document, status.sealed || facts['minorAtOffence'] === true);
  if (cmd.type !== 'AMENDMENT') return { facts: { ...forPublicLedger(facts, status), ...files }, collection: resolveCollection(definition.collection, cmd.actor.agency, status) };
  const amended = checkAmendment(cmd, subject);
  const current = effectiveFacts(subject.history ?? []).get(amended.id) ?? amended.facts;
  const corrections = checkCorrections(EVENT_CATALOG[amended.type], amended.type, current, facts['corrections'] as Facts);
  checkSealKept(status, corrections);
  return { facts: { corrections: forPublicLedger(corrections, status), ...files }, collection: amended.collection };
}

/**
 * Public facts are codes, dates, flags and hashes, with one exception: the titles of documents
 * served, which a clerk writes freely. A sealed record's public entries carry nothing that could
 * identify the person beyond the keyed reference, so its titles stay in the private document.
 */
function forPublicLedger(facts: Facts, status: SubjectStatus): Facts {
  const documents = facts['documents'];
  if (!status.sealed || !Array.isArray(documents)) return facts;
  return { ...facts, documents: (documents as Array<{ hash: string }>).map((d) => ({ hash: d.hash })) };
}

/** An amendment may seal a record, never unseal one (L58: the seal outlasts even the age of majority). */
function checkSealKept(status: SubjectStatus, corrections: Facts): void {
  if (status.sealed && corrections['minorAtOffence'] === false) {
    throw invalid([{ path: 'document.corrections.minorAtOffence', message: 'a sealed record is never unsealed (L58, CPL286)' }]);
  }
}

/**
 * The collection a document goes to: the event's own, or the first of its collections that holds
 * the party named (the recorder, the commissioner of the assessment). An amendment's is resolved
 * by the caller, from the amended entry.
 */
function resolveCollection(target: CollectionTarget, recorder: Agency, status: SubjectStatus): CollectionName {
  if (target === 'AS_AMENDED') throw new Error('an amendment joins the collection of the entry it amends');
  if (typeof target === 'string') return target;
  const party = target.firstHolding === 'RECORDER' ? recorder : (status.commissionedBy ?? recorder);
  const holding = target.of.find((collection) => isCollectionMember(collection, party));
  if (!holding) throw new Error(`no collection of ${target.of.join(', ')} holds ${party}`);
  return holding;
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
function checkCorrections(amendedDef: EventDefinition, amendedType: EventType, current: Facts, corrections: Facts): Facts {
  const allowed = new Set(amendedDef.publicFields);
  const issues: FieldIssue[] = Object.keys(corrections)
    .filter((key) => !allowed.has(key))
    .map((key) => ({ path: `document.corrections.${key}`, message: `${amendedType} has no public field ${key}` }));
  if (Object.keys(corrections).length === 0) {
    issues.push({ path: 'document.corrections', message: 'names no field to correct' });
  }
  if (issues.length > 0) throw invalid(issues);
  const corrected: Record<string, true> = Object.fromEntries(Object.keys(corrections).map((key) => [key, true]));
  const shape = amendedDef.shape.pick(corrected);
  const result = shape.safeParse(corrections);
  if (!result.success) throw invalid(issuesOf(result.error, 'document.corrections'));
  // The corrected facts must still hold together (a corrected term end still falls after its start),
  // as far as the rules between public facts go: the private document is not the amendment's to see.
  const crossField = crossFieldIssues(amendedType, { ...current, ...corrections }, allowed);
  if (crossField.length > 0) throw invalid(crossField.map((i) => ({ path: `document.corrections.${i.path}`, message: i.message })));
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

/** The facts a recorder rule looks at: who asks, what the entry will say, and where the subject stands. */
interface RecorderContext {
  readonly cmd: RecordCommand;
  readonly status: SubjectStatus;
  /** The entry's public facts, from the validated document. */
  readonly facts: Facts;
  readonly amended: Entry | undefined;
}

/**
 * 暂予监外执行 is the one correction that prison administration (JUSTICE) and police decide; the
 * others are the court's (L17). Why `agency` may not act as deciding organ for `type`, if it may not.
 */
function notDecidingOrgan(agency: Agency, type: unknown, also: readonly Agency[], what: string): string | undefined {
  if (agency === 'COURT' || also.includes(agency) || type === 'TEMPORARY_OUTSIDE_PRISON') return undefined;
  return `only a court${also.map((a) => ` or ${a.toLowerCase()}`).join('')} ${what} ${String(type)}`;
}

/** Each recorder rule returns why the caller may not record the event, or undefined if it may. */
const RECORDER_RULES: Readonly<Record<RecorderRule, (context: RecorderContext) => string | undefined>> = {
  HANDOVER_ORGAN: ({ cmd, facts }) => notDecidingOrgan(cmd.actor.agency, facts['correctionType'], [], 'hands over'),
  COMMISSIONING_ORGAN: ({ cmd, facts }) => notDecidingOrgan(cmd.actor.agency, facts['proposedType'], ['PROCURATORATE'], 'commissions an assessment for'),
  DECISION_ORGAN: ({ cmd, status }) =>
    status.decisionOrgan !== cmd.actor.agency ? `the decision organ is ${status.decisionOrgan ?? 'unknown'}` : undefined,
  REVOKING_ORGAN: ({ cmd, status, facts }) => {
    if (facts['newCrime'] === true) return cmd.actor.agency === 'COURT' ? undefined : 'only a court trying a new crime revokes on it';
    return status.decisionOrgan !== cmd.actor.agency ? `the decision organ is ${status.decisionOrgan ?? 'unknown'}` : undefined;
  },
  // The police deliver a revoked subject to prison, a pursued one included (L50); the prison
  // administration takes in the subjects of its own 收监 decisions.
  COMMITTING_ORGAN: ({ cmd, status }) =>
    cmd.actor.agency === 'POLICE' || cmd.actor.agency === committingOrgan(status) ? undefined : 'the police take this subject into prison',
  ADDRESSED_AGENCY: ({ cmd, status, facts }) => {
    const matter = matterAnswered(status, facts['answers']);
    return matter && matter.addressedTo !== cmd.actor.agency ? `the opinion is addressed to ${matter.addressedTo}` : undefined;
  },
  AMENDED_RECORDER: ({ cmd, amended }) =>
    amended && amended.agency !== cmd.actor.agency ? `the amended entry was recorded by ${amended.agency}` : undefined,
};

/**
 * The agency, then the kind of unit, then the unit's jurisdiction over the subject: the first
 * that does not fit refuses, naming the unit.
 */
function checkRecorder(definition: EventDefinition, context: RecorderContext): void {
  const { cmd } = context;
  const { actor } = cmd;
  const why =
    (definition.recorderRule === undefined ? undefined : RECORDER_RULES[definition.recorderRule](context)) ??
    unitKindRefusal(actor, definition.unitKinds) ??
    jurisdictionRefusal(definition.jurisdiction, { actor, status: context.status, facts: context.facts, amended: context.amended });
  if (why !== undefined) {
    const who = actor.unitKind === null ? `${actor.agency} (unit ${actor.unit})` : `${actor.agency} ${actor.unitKind} unit ${actor.unit}`;
    throw new DomainError('FORBIDDEN', `${who} may not record ${cmd.type}: ${why}`, { agency: actor.agency, unit: actor.unit });
  }
}

/** Where the subject stood before the entry and stands after it, and what the entry says. */
interface AddressContext {
  readonly before: SubjectStatus;
  readonly after: SubjectStatus;
  readonly facts: Facts;
  readonly amended: Entry | undefined;
}

type NotifyRole = Exclude<NotifyTarget, Agency>;

/** The places of execution an entry concerns: where the subject is after it, and where it was if that differs. */
const placesOf = ({ before, after }: AddressContext): string[] =>
  [after.executionPlace, before.executionPlace].filter((p, i, all): p is string => p !== null && all.indexOf(p) === i);

/**
 * The units of an agency an entry is for: the bodies of the place of execution — of the old and
 * the new place when the entry moves it — and, for a court, first the court that decided. The
 * deciding organ as such is the DECISION_ORGAN role.
 */
function unitsOf(agency: Agency, context: AddressContext): string[] {
  const places = placesOf(context);
  const { after } = context;
  if (agency !== 'COURT' || after.decisionOrgan !== 'COURT' || after.decisionUnit === null) return places;
  const deciding = after.decisionUnit;
  return [deciding, ...places.filter((p) => p !== deciding)];
}

/** The addresses each role stands for on this subject. */
const NOTIFY_ROLES: Readonly<Record<NotifyRole, (context: AddressContext) => readonly NoticeAddress[]>> = {
  DECISION_ORGAN: ({ after }) =>
    after.decisionOrgan && after.decisionUnit !== null ? [{ agency: after.decisionOrgan, unit: after.decisionUnit }] : [],
  COMMISSIONER: ({ after }) =>
    after.commissionedBy && after.commissioningUnit !== null ? [{ agency: after.commissionedBy, unit: after.commissioningUnit }] : [],
  ADDRESSED_AGENCY: (context) => {
    const { before, facts } = context;
    const addressed = (facts['addressedTo'] as Agency | undefined) ?? matterAnswered(before, facts['answers'])?.addressedTo;
    return addressed ? unitsOf(addressed, context).map((unit) => ({ agency: addressed, unit })) : [];
  },
  AS_AMENDED: ({ amended }) => amended?.to ?? [],
};

function isNotifyRole(target: NotifyTarget): target is NotifyRole {
  return Object.hasOwn(NOTIFY_ROLES, target);
}

/**
 * The units an entry is addressed to, and their agencies. Never the recording unit itself; another
 * unit of the recording agency is told like any other (the new place's bureau of a change of
 * place, the bureau under the city that recorded).
 */
function resolveAddresses(targets: readonly NotifyTarget[], recorder: Actor, context: AddressContext): { notify: Agency[]; to: NoticeAddress[] } {
  const to: NoticeAddress[] = [];
  const seen = new Set<string>();
  for (const target of targets) {
    const resolved = isNotifyRole(target) ? NOTIFY_ROLES[target](context) : unitsOf(target, context).map((unit) => ({ agency: target, unit }));
    for (const address of resolved) {
      const key = `${address.agency}:${address.unit}`;
      if (seen.has(key) || (address.agency === recorder.agency && address.unit === recorder.unit)) continue;
      seen.add(key);
      to.push({ agency: address.agency, unit: address.unit });
    }
  }
  const agencies = new Set(to.map((a) => a.agency));
  return { notify: AGENCIES.filter((agency) => agencies.has(agency)), to };
}
