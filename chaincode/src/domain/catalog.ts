import type { z } from 'zod';
import type { Agency, CollectionName } from './agencies.js';
import { DOCUMENT_SCHEMAS, DOCUMENT_SHAPES, type CorrectionType } from './documents.js';
import type { State, SubjectStatus } from './status.js';

export const EVENT_TYPES = Object.keys(DOCUMENT_SCHEMAS) as EventType[];
export type EventType = keyof typeof DOCUMENT_SCHEMAS;

/** Public facts of an entry: the document fields an event puts on the public ledger. */
export type Facts = Readonly<Record<string, unknown>>;

/**
 * Who must see an event: fixed agencies, or roles resolved against the subject (the decision organ,
 * the commissioner of an assessment, the agency an opinion is addressed to, the recipients of the
 * amended entry).
 */
export type NotifyTarget = Agency | 'DECISION_ORGAN' | 'COMMISSIONER' | 'ADDRESSED_AGENCY' | 'AS_AMENDED';

/** Extra recorder rules beyond the static list of agencies. */
export type RecorderRule =
  /** Only the agency that decided the correction (recorded its handover). */
  | 'DECISION_ORGAN'
  /** The court, or for 暂予监外执行 after delivery the agency that decides it (prison admin, police). */
  | 'HANDOVER_ORGAN'
  /** Only the agency a procuratorial opinion is addressed to. */
  | 'ADDRESSED_AGENCY'
  /** Only the agency that recorded the amended entry. */
  | 'AMENDED_RECORDER';

export interface EventDefinition {
  readonly code: EventType;
  readonly name: string;
  /** Agencies that may ever record this event; a recorder rule can narrow it per subject. */
  readonly recordedBy: readonly Agency[];
  readonly recorderRule?: RecorderRule;
  /** Lifecycle states the event is allowed from; 'RECORDED' means any state of a known subject. */
  readonly from: readonly State[] | 'RECORDED';
  /** Lifecycle state after the event, if it moves the subject. */
  readonly to?: State;
  /** A further condition on the subject; returns why it is not met. */
  readonly requires?: (status: SubjectStatus, facts: Facts, occurredAt: string) => string | undefined;
  /** Effect on status beyond the state change. */
  readonly effect?: (status: SubjectStatus, facts: Facts, entry: EffectContext) => SubjectStatus;
  readonly notify: readonly NotifyTarget[];
  /** Id of the deadline rule in DEADLINE_RULES that governs when this event is due. */
  readonly deadline?: string;
  /** Private data collection the document goes to (the amended entry's own, for amendments). */
  readonly collection: CollectionName | 'AS_AMENDED';
  /** Document fields copied to the public entry. */
  readonly publicFields: readonly string[];
  /** The document's schema: its shape and its cross-field rules. */
  readonly document: z.ZodType;
  /** The document's fields alone, for picking the ones an amendment corrects. */
  readonly shape: z.ZodObject;
  readonly basis: string;
}

export interface EffectContext {
  readonly entryId: string;
  readonly agency: Agency;
  readonly occurredAt: string;
}

/** Date part (YYYY-MM-DD) of a timestamp, in China Standard Time (UTC+8). */
export function chinaDate(isoTime: string): string {
  const ms = Date.parse(isoTime) + 8 * 3600_000;
  return new Date(ms).toISOString().slice(0, 10);
}

const LIFE: readonly State[] = ['UNDER_CORRECTION'];
const str = (facts: Facts, key: string): string => String(facts[key]);
const withFlags = (s: SubjectStatus, flags: Partial<SubjectStatus['flags']>): SubjectStatus => ({
  ...s,
  flags: { ...s.flags, ...flags },
});

const definitions: readonly Omit<EventDefinition, 'document' | 'shape'>[] = [
  {
    code: 'ASSESSMENT_COMMISSIONED', name: '调查评估委托', recordedBy: ['COURT', 'PROCURATORATE'],
    from: ['NONE'], to: 'ASSESSING', notify: ['JUSTICE'], collection: 'judicialDocs',
    publicFields: ['proposedType', 'expedited'], basis: 'L18',
    effect: (s, _f, e) => ({ ...s, commissionedBy: e.agency }),
  },
  {
    code: 'ASSESSMENT_OPINION', name: '调查评估意见', recordedBy: ['JUSTICE'],
    from: ['ASSESSING'], to: 'ASSESSED', notify: ['COMMISSIONER', 'PROCURATORATE'],
    deadline: 'ASSESSMENT_OPINION', collection: 'judicialDocs', publicFields: ['suitable'], basis: 'L18',
  },
  {
    code: 'SENTENCE_HANDOVER', name: '交付执行', recordedBy: ['COURT', 'JUSTICE', 'POLICE'],
    recorderRule: 'HANDOVER_ORGAN', from: ['NONE', 'ASSESSING', 'ASSESSED'], to: 'PENDING_REPORT',
    notify: ['JUSTICE', 'PROCURATORATE', 'POLICE'], deadline: 'SENTENCE_HANDOVER',
    collection: 'handoverDocs',
    publicFields: ['correctionType', 'effectiveDate', 'termStart', 'termEnd', 'executionPlace'],
    basis: 'L17, L20, SPCI519',
    effect: (s, f, e) => ({
      ...s,
      correctionType: f['correctionType'] as CorrectionType,
      decisionOrgan: e.agency,
      effectiveDate: str(f, 'effectiveDate'),
      termStart: str(f, 'termStart'),
      termEnd: str(f, 'termEnd'),
      executionPlace: str(f, 'executionPlace'),
    }),
  },
  {
    code: 'DOCUMENTS_SERVED', name: '送达法律文书', recordedBy: ['COURT', 'JUSTICE', 'POLICE'],
    recorderRule: 'DECISION_ORGAN', from: ['PENDING_REPORT', 'UNDER_CORRECTION'],
    notify: ['JUSTICE', 'PROCURATORATE', 'POLICE'], deadline: 'DOCUMENTS_SERVED',
    collection: 'handoverDocs', publicFields: ['documents'], basis: 'L20',
  },
  {
    code: 'HANDOVER_RECEIPT', name: '接收回执', recordedBy: ['JUSTICE'],
    from: ['PENDING_REPORT', 'UNDER_CORRECTION'], notify: ['DECISION_ORGAN'], deadline: 'HANDOVER_RECEIPT',
    collection: 'handoverDocs', publicFields: ['acknowledges', 'receivedAt'], basis: 'IM',
  },
  {
    code: 'SUBJECT_RECEIVED', name: '报到接收', recordedBy: ['JUSTICE'], from: ['PENDING_REPORT'],
    to: 'UNDER_CORRECTION', notify: ['DECISION_ORGAN', 'PROCURATORATE', 'POLICE'],
    deadline: 'SUBJECT_RECEIVED', collection: 'handoverDocs', publicFields: ['escorted'], basis: 'L21, L22',
  },
  {
    code: 'LEAVE_APPROVED', name: '外出审批', recordedBy: ['JUSTICE'], from: LIFE, notify: [],
    collection: 'enforcementDocs', publicFields: ['leaveFrom', 'leaveTo'], basis: 'L27',
    effect: (s, f) => ({ ...s, leave: { from: str(f, 'leaveFrom'), to: str(f, 'leaveTo') } }),
  },
  {
    code: 'EXECUTION_PLACE_CHANGED', name: '变更执行地', recordedBy: ['JUSTICE'], from: LIFE,
    notify: ['DECISION_ORGAN', 'PROCURATORATE', 'POLICE'], deadline: 'EXECUTION_PLACE_CHANGED',
    collection: 'handoverDocs', publicFields: ['executionPlace'], basis: 'L27',
    effect: (s, f) => ({ ...s, executionPlace: str(f, 'executionPlace') }),
  },
  {
    code: 'MONITORING_CHANGED', name: '电子定位装置', recordedBy: ['JUSTICE'], from: LIFE, notify: [],
    deadline: 'MONITORING_CHANGED', collection: 'enforcementDocs', publicFields: ['enabled', 'until'],
    basis: 'L29',
    effect: (s, f) => withFlags(s, { electronicMonitoring: f['enabled'] === true }),
  },
  {
    code: 'WARNING_ISSUED', name: '训诫/警告', recordedBy: ['JUSTICE'], from: LIFE, notify: ['PROCURATORATE'],
    collection: 'enforcementDocs', publicFields: ['kind'], basis: 'L28',
    effect: (s, f) =>
      f['kind'] === 'REPRIMAND'
        ? { ...s, reprimandCount: s.reprimandCount + 1 }
        : { ...s, warningCount: s.warningCount + 1 },
  },
  {
    code: 'PENALTY_REQUESTED', name: '提请治安管理处罚', recordedBy: ['JUSTICE'], from: LIFE,
    notify: ['POLICE'], collection: 'enforcementDocs', publicFields: [], basis: 'L28, L59',
  },
  {
    code: 'PENALTY_DECIDED', name: '治安管理处罚决定', recordedBy: ['POLICE'], from: LIFE,
    notify: ['JUSTICE', 'PROCURATORATE'], collection: 'enforcementDocs', publicFields: [], basis: 'L59',
  },
  {
    code: 'LOST_CONTACT', name: '失联', recordedBy: ['JUSTICE'], from: LIFE,
    notify: ['POLICE', 'PROCURATORATE'], collection: 'enforcementDocs', publicFields: [], basis: 'L30',
    requires: (s) => (s.flags.absconded ? 'subject is already recorded as absconded' : undefined),
    effect: (s) => withFlags(s, { absconded: true }),
  },
  {
    code: 'SUBJECT_LOCATED', name: '查找到', recordedBy: ['POLICE', 'JUSTICE'], from: LIFE,
    notify: ['JUSTICE', 'POLICE'], collection: 'enforcementDocs', publicFields: [], basis: 'L30, L50',
    requires: (s) => (s.flags.absconded ? undefined : 'subject is not recorded as absconded'),
    effect: (s) => withFlags(s, { absconded: false }),
  },
  {
    code: 'DETENTION_NOTIFIED', name: '被羁押通知', recordedBy: ['POLICE'], from: LIFE, notify: ['JUSTICE'],
    deadline: 'DETENTION_NOTIFIED', collection: 'enforcementDocs', publicFields: [], basis: 'L32',
    effect: (s) => withFlags(s, { detained: true }),
  },
  {
    code: 'COMMUTATION_PROPOSED', name: '减刑建议', recordedBy: ['JUSTICE'], from: LIFE,
    notify: ['COURT', 'PROCURATORATE'], collection: 'judicialDocs', publicFields: [], basis: 'L33',
  },
  {
    code: 'COMMUTATION_RULED', name: '减刑裁定', recordedBy: ['COURT'], from: LIFE,
    notify: ['JUSTICE', 'PROCURATORATE', 'POLICE'], deadline: 'COMMUTATION_RULED',
    collection: 'handoverDocs', publicFields: ['newTermEnd'], basis: 'L33',
    requires: (s, f) =>
      s.termStart !== null && str(f, 'newTermEnd') < s.termStart ? 'newTermEnd is before the term start' : undefined,
    effect: (s, f) => ({ ...s, termEnd: str(f, 'newTermEnd') }),
  },
  {
    code: 'REVOCATION_PROPOSED', name: '撤销/收监建议', recordedBy: ['JUSTICE'], from: LIFE,
    notify: ['DECISION_ORGAN', 'PROCURATORATE'], collection: 'judicialDocs',
    publicFields: ['arrestRequested'], basis: 'L46, L49',
    requires: (s) => (s.flags.revocationPending ? 'a revocation proposal is already pending' : undefined),
    effect: (s) => withFlags(s, { revocationPending: true }),
  },
  {
    code: 'ARREST_DECIDED', name: '逮捕决定', recordedBy: ['COURT'], from: LIFE,
    notify: ['POLICE', 'JUSTICE', 'PROCURATORATE'], deadline: 'ARREST_DECIDED', collection: 'handoverDocs',
    publicFields: [], basis: 'L47',
    effect: (s) => withFlags(s, { detained: true }),
  },
  {
    code: 'REVOCATION_RULED', name: '撤销/收监裁定', recordedBy: ['COURT', 'JUSTICE', 'POLICE'],
    recorderRule: 'DECISION_ORGAN', from: LIFE, notify: ['JUSTICE', 'PROCURATORATE', 'POLICE'],
    deadline: 'REVOCATION_RULED', collection: 'handoverDocs', publicFields: ['revoked'], basis: 'L48, L49',
    requires: (s) => (s.flags.revocationPending ? undefined : 'no revocation proposal is pending'),
    effect: (s, f) =>
      f['revoked'] === true
        ? { ...withFlags(s, { revocationPending: false }), state: 'REVOKED' }
        : withFlags(s, { revocationPending: false }),
  },
  {
    code: 'COMMITTED_TO_PRISON', name: '收监执行', recordedBy: ['POLICE'], from: ['REVOKED'], to: 'COMMITTED',
    notify: ['COURT', 'JUSTICE', 'PROCURATORATE'], deadline: 'COMMITTED_TO_PRISON',
    collection: 'handoverDocs', publicFields: [], basis: 'L48, L49',
  },
  {
    code: 'CORRECTION_RELEASED', name: '解除社区矫正', recordedBy: ['JUSTICE'], from: LIFE, to: 'RELEASED',
    notify: ['DECISION_ORGAN', 'PROCURATORATE', 'POLICE'], deadline: 'CORRECTION_RELEASED',
    collection: 'handoverDocs', publicFields: [], basis: 'L44',
    requires: (s, _f, occurredAt) =>
      s.termEnd !== null && chinaDate(occurredAt) < s.termEnd
        ? `release before the term ends on ${s.termEnd}`
        : undefined,
  },
  {
    code: 'DEATH_RECORDED', name: '死亡', recordedBy: ['JUSTICE'], from: ['UNDER_CORRECTION', 'PENDING_REPORT'],
    to: 'DECEASED', notify: ['DECISION_ORGAN', 'PROCURATORATE', 'POLICE'], deadline: 'DEATH_RECORDED',
    collection: 'handoverDocs', publicFields: [], basis: 'L51',
  },
  {
    code: 'PROCURATORIAL_OPINION', name: '纠正意见/检察建议', recordedBy: ['PROCURATORATE'], from: 'RECORDED',
    notify: ['ADDRESSED_AGENCY'], deadline: 'PROCURATORIAL_REPLY', collection: 'handoverDocs',
    publicFields: ['kind', 'addressedTo', 'concerning'], basis: 'L62, SPPR642-644',
    effect: (s, f, e) => ({
      ...s,
      openMatters: [...s.openMatters, { opinionEntryId: e.entryId, addressedTo: f['addressedTo'] as Agency, openedAt: e.occurredAt }],
    }),
  },
  {
    code: 'PROCURATORIAL_REPLY', name: '书面回复', recordedBy: ['COURT', 'POLICE', 'JUSTICE'],
    recorderRule: 'ADDRESSED_AGENCY', from: 'RECORDED', notify: ['PROCURATORATE'], collection: 'handoverDocs',
    publicFields: ['answers'], basis: 'L62',
    requires: (s, f) =>
      s.openMatters.some((m) => m.opinionEntryId === f['answers']) ? undefined : 'no open opinion with that entry id',
    effect: (s, f) => ({ ...s, openMatters: s.openMatters.filter((m) => m.opinionEntryId !== f['answers']) }),
  },
  {
    code: 'AMENDMENT', name: '更正', recordedBy: ['COURT', 'PROCURATORATE', 'POLICE', 'JUSTICE'],
    recorderRule: 'AMENDED_RECORDER', from: 'RECORDED', notify: ['AS_AMENDED'], collection: 'AS_AMENDED',
    publicFields: ['corrections'], basis: '—',
  },
];

/** The event catalog of DOMAIN.md, one row per event code. */
export const EVENT_CATALOG: Readonly<Record<EventType, EventDefinition>> = Object.freeze(
  Object.fromEntries(
    definitions.map((d) => [d.code, Object.freeze({ ...d, document: DOCUMENT_SCHEMAS[d.code], shape: DOCUMENT_SHAPES[d.code] })]),
  ) as unknown as Record<EventType, EventDefinition>,
);

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(DOCUMENT_SCHEMAS, value);
}
