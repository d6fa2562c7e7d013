import type { z } from 'zod';
import { AGENCIES, type Agency, type CollectionName } from './agencies.js';
import { DOCUMENT_SCHEMAS, DOCUMENT_SHAPES, type CorrectionType } from './documents.js';
import type { JurisdictionRule } from './jurisdiction.js';
import type { DetentionGround, OpenMatter, State, SubjectStatus } from './status.js';
import { UNIT_KINDS, type UnitKind } from './units.js';

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

/** What each notify role stands for, as the published catalog explains it. */
export const NOTIFY_ROLE_TEXT: Readonly<Record<Exclude<NotifyTarget, Agency>, string>> = {
  DECISION_ORGAN: 'the agency that decided the correction (recorded its handover)',
  COMMISSIONER: 'the agency that commissioned the assessment',
  ADDRESSED_AGENCY: 'the agency the procuratorial opinion is addressed to',
  AS_AMENDED: 'the agencies the amended entry notified',
};

/** Extra recorder rules beyond the static list of agencies. */
export type RecorderRule =
  /** Only the agency that decided the correction (recorded its handover). */
  | 'DECISION_ORGAN'
  /** The court, or for 暂予监外执行 after delivery the agency that decides it (prison admin, police). */
  | 'HANDOVER_ORGAN'
  /** A deciding organ: court or procuratorate; prison admin or police for 暂予监外执行 (L18, SPPR277). */
  | 'COMMISSIONING_ORGAN'
  /** The decision organ on a proposal; any court trying a new crime on its own motion (L46 ¶2). */
  | 'REVOKING_ORGAN'
  /** The police; also the prison administration where it decided 暂予监外执行 and so its 收监 (L49 ¶4). */
  | 'COMMITTING_ORGAN'
  /** Only the agency a procuratorial opinion is addressed to. */
  | 'ADDRESSED_AGENCY'
  /** Only the agency that recorded the amended entry. */
  | 'AMENDED_RECORDER';

/** What each recorder rule means, as the published catalog explains it. */
export const RECORDER_RULE_TEXT: Readonly<Record<RecorderRule, string>> = {
  DECISION_ORGAN: 'only the agency that decided the correction (recorded its handover)',
  HANDOVER_ORGAN: 'the court; for TEMPORARY_OUTSIDE_PRISON also the deciding prison administration (JUSTICE, PRISON_ADMINISTRATION units) or police',
  COMMISSIONING_ORGAN: 'the court or the procuratorate; for a proposed TEMPORARY_OUTSIDE_PRISON also the prison administration (JUSTICE, PRISON_ADMINISTRATION units) or police',
  REVOKING_ORGAN: 'the decision organ, on a pending proposal; with newCrime, any court (no proposal needed), for PROBATION or PAROLE',
  COMMITTING_ORGAN: 'the police; also the prison administration (JUSTICE, PRISON_ADMINISTRATION units) where it decided the TEMPORARY_OUTSIDE_PRISON',
  ADDRESSED_AGENCY: 'only the agency the opinion is addressed to',
  AMENDED_RECORDER: 'only the agency that recorded the amended entry',
};

/**
 * Where an event's document goes: a collection; the amended entry's own; or the first of some
 * collections that holds a party — the recorder, or the commissioner of an assessment — so that
 * whoever writes or asked for a document can read it, and no agency beyond them and the
 * collection's other members.
 */
export type CollectionTarget =
  | CollectionName
  | 'AS_AMENDED'
  | { readonly firstHolding: 'RECORDER' | 'COMMISSIONER'; readonly of: readonly CollectionName[] };

export interface EventDefinition {
  readonly code: EventType;
  readonly name: string;
  /** Agencies that may ever record this event; a recorder rule can narrow it per subject. */
  readonly recordedBy: readonly Agency[];
  readonly recorderRule?: RecorderRule;
  /** Which units of those agencies may record it for a subject: of its place, its decision, any. */
  readonly jurisdiction: JurisdictionRule;
  /**
   * The kinds of unit of each agency that record it; an agency not named records it with its
   * default kind (a justice bureau, public security).
   */
  readonly unitKinds?: Partial<Readonly<Record<Agency, readonly UnitKind[]>>>;
  /** Lifecycle states the event is allowed from; 'RECORDED' means any state of a known subject. */
  readonly from: readonly State[] | 'RECORDED';
  /** Lifecycle state after the event, if it moves the subject. */
  readonly to?: State;
  /** A further condition on the subject; returns why it is not met. */
  readonly requires?: (status: SubjectStatus, facts: Facts, occurredAt: string) => string | undefined;
  /** Effect on status beyond the state change. */
  readonly effect?: (status: SubjectStatus, facts: Facts, entry: EffectContext) => SubjectStatus;
  readonly notify: readonly NotifyTarget[];
  /** Private data collection the document goes to. */
  readonly collection: CollectionTarget;
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
  /** The recording unit. */
  readonly unit: string;
  readonly occurredAt: string;
}

/** Date part (YYYY-MM-DD) of a timestamp, in China Standard Time (UTC+8). */
export function chinaDate(isoTime: string): string {
  const ms = Date.parse(isoTime) + 8 * 3600_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** Revocation of a suspended sentence or parole, and the arrest that may precede it, concern these only (L46, L47). */
export const REVOCABLE_TYPES: readonly CorrectionType[] = ['PROBATION', 'PAROLE'];

/**
 * Who is to take a revoked subject into prison (L48 ¶3, L49 ¶3–4): the prison administration
 * (JUSTICE) where it decided the 暂予监外执行, otherwise the police.
 */
export function committingOrgan(status: SubjectStatus): Agency {
  return status.correctionType === 'TEMPORARY_OUTSIDE_PRISON' && status.decisionOrgan === 'JUSTICE' ? 'JUSTICE' : 'POLICE';
}

/** Prison administration: decides 暂予监外执行, and so hands it over, rules on its 收监 and takes the subject in. */
const PRISON: Partial<Record<Agency, readonly UnitKind[]>> = { JUSTICE: ['PRISON_ADMINISTRATION'] };
/** Whoever restricts a subject's liberty says so (L32): prison administration, border control at an exit among them. */
const DETAINING: Partial<Record<Agency, readonly UnitKind[]>> = { JUSTICE: ['PRISON_ADMINISTRATION'], POLICE: ['PUBLIC_SECURITY', 'BORDER'] };
/** An opinion addressed to the justice side may concern the bureau's work or the prison administration's decision. */
const EITHER_JUSTICE: Partial<Record<Agency, readonly UnitKind[]>> = { JUSTICE: ['BUREAU', 'PRISON_ADMINISTRATION'] };

/** A juvenile's record is sealed once a commission or handover says so, and never unsealed (L58). */
const sealedBy = (s: SubjectStatus, f: Facts): boolean => s.sealed || f['minorAtOffence'] === true;

const LIFE: readonly State[] = ['UNDER_CORRECTION'];
/** After a revocation ruling the subject may flee before committal, and is pursued (L50). */
const LIFE_OR_REVOKED: readonly State[] = ['UNDER_CORRECTION', 'REVOKED'];
const ADDRESSEES: readonly Agency[] = ['COURT', 'POLICE', 'JUSTICE'];
/** Detentions: the document stays with the enforcement agencies, or the judicial ones when a court records it. */
const DETENTION_DOCS: CollectionTarget = { firstHolding: 'RECORDER', of: ['enforcementDocs', 'judicialDocs'] };
/** Assessments: judicial documents, or enforcement ones when the police commissioned the assessment. */
const ASSESSMENT_DOCS = (party: 'RECORDER' | 'COMMISSIONER'): CollectionTarget => ({ firstHolding: party, of: ['judicialDocs', 'enforcementDocs'] });

const str = (facts: Facts, key: string): string => String(facts[key]);
const withFlags = (s: SubjectStatus, flags: Partial<SubjectStatus['flags']>): SubjectStatus => ({
  ...s,
  flags: { ...s.flags, ...flags },
});
/** Sets why the subject is held, and the `detained` flag readers rely on. */
const withDetention = (s: SubjectStatus, detention: DetentionGround | null): SubjectStatus => ({
  ...withFlags(s, { detained: detention !== null }),
  detention,
});
const revocable = (s: SubjectStatus): boolean => s.correctionType !== null && REVOCABLE_TYPES.includes(s.correctionType);

/** The open matter an entry answers: by the opinion's id, or by the id of a request to reconsider it. */
export function matterAnswered(status: SubjectStatus, answers: unknown): OpenMatter | undefined {
  return status.openMatters.find((m) => m.opinionEntryId === answers || m.reconsideration?.requestEntryId === answers);
}

const replaceMatter = (s: SubjectStatus, id: string, next: OpenMatter | undefined): SubjectStatus => ({
  ...s,
  openMatters: s.openMatters.flatMap((m) => (m.opinionEntryId === id ? (next ? [next] : []) : [m])),
});

/** L47: arrest only on a pending proposal to revoke probation or parole; a 收监 of 暂予监外执行 knows none. */
function arrestRefusal(s: SubjectStatus): string | undefined {
  if (!s.flags.revocationPending) return 'no revocation proposal is pending';
  return revocable(s) ? undefined : `arrest concerns revoking probation or parole only, not ${s.correctionType ?? 'an unknown type'} (L47)`;
}

/** L46 ¶2: a court trying a new crime revokes probation or parole on its own; otherwise a ruling answers a proposal. */
function revocationRefusal(s: SubjectStatus, f: Facts): string | undefined {
  if (f['newCrime'] === true) {
    return revocable(s) ? undefined : `a new-crime revocation concerns probation or parole only, not ${s.correctionType ?? 'an unknown type'} (L46)`;
  }
  return s.flags.revocationPending ? undefined : 'no revocation proposal is pending';
}

/** L48 ¶4: a refused revocation releases at once a subject arrested for it. */
function ruleOnRevocation(s: SubjectStatus, f: Facts): SubjectStatus {
  const decided = withFlags(s, { revocationPending: false });
  if (f['revoked'] === true) return { ...decided, state: 'REVOKED' };
  return s.detention === 'ARREST' ? withDetention(decided, null) : decided;
}

/** L44, L48, L50: correction ends at term end or by pardon, and never over a pending revocation, a flight or a detention. */
function releaseRefusal(s: SubjectStatus, f: Facts, occurredAt: string): string | undefined {
  if (s.flags.revocationPending) return 'a revocation proposal is pending';
  if (s.flags.absconded) return 'the subject is absconded';
  if (s.flags.detained) return 'the subject is detained';
  if (s.termEnd === null || chinaDate(occurredAt) >= s.termEnd) return undefined;
  return f['ground'] === 'PARDON' ? undefined : `release before the term ends on ${s.termEnd} needs a pardon`;
}

function reconsiderationRefusal(s: SubjectStatus, f: Facts): string | undefined {
  const matter = s.openMatters.find((m) => m.opinionEntryId === f['answers']);
  if (!matter) return 'no open opinion with that entry id';
  return matter.reconsideration ? 'the opinion has already been put to reconsideration' : undefined;
}

function reconsiderationAnswerRefusal(s: SubjectStatus, f: Facts): string | undefined {
  const matter = s.openMatters.find((m) => m.reconsideration?.requestEntryId === f['answers']);
  return matter?.reconsideration?.state === 'REQUESTED' ? undefined : 'no pending request for reconsideration with that entry id';
}

/** SPPR554: an opinion upheld on reconsideration stays open for its reply; one not upheld is withdrawn. */
function answerReconsideration(s: SubjectStatus, f: Facts): SubjectStatus {
  const matter = matterAnswered(s, f['answers']);
  if (!matter?.reconsideration) return s;
  const upheld = f['upheld'] === true;
  return replaceMatter(s, matter.opinionEntryId, upheld ? { ...matter, reconsideration: { ...matter.reconsideration, state: 'UPHELD' } } : undefined);
}

const definitions: readonly Omit<EventDefinition, 'document' | 'shape'>[] = [
  {
    code: 'ASSESSMENT_COMMISSIONED', name: '调查评估委托', recordedBy: AGENCIES, recorderRule: 'COMMISSIONING_ORGAN',
    jurisdiction: 'ANY', unitKinds: PRISON,
    from: ['NONE'], to: 'ASSESSING', notify: ['JUSTICE'], collection: ASSESSMENT_DOCS('RECORDER'),
    publicFields: ['proposedType', 'executionPlace', 'expedited', 'minorAtOffence'], basis: 'L18, SPPR277',
    effect: (s, f, e) => ({ ...s, commissionedBy: e.agency, commissioningUnit: e.unit, executionPlace: str(f, 'executionPlace'), sealed: sealedBy(s, f) }),
  },
  {
    code: 'ASSESSMENT_OPINION', name: '调查评估意见', recordedBy: ['JUSTICE'], jurisdiction: 'EXECUTION_PLACE',
    from: ['ASSESSING'], to: 'ASSESSED', notify: ['COMMISSIONER', 'PROCURATORATE'],
    collection: ASSESSMENT_DOCS('COMMISSIONER'), publicFields: ['suitable'], basis: 'L18',
  },
  {
    code: 'SENTENCE_HANDOVER', name: '交付执行', recordedBy: ['COURT', 'JUSTICE', 'POLICE'],
    recorderRule: 'HANDOVER_ORGAN', jurisdiction: 'ANY', unitKinds: PRISON, from: ['NONE', 'ASSESSING', 'ASSESSED'], to: 'PENDING_REPORT',
    notify: ['JUSTICE', 'PROCURATORATE', 'POLICE'], collection: 'handoverDocs',
    publicFields: ['correctionType', 'effectiveDate', 'termStart', 'termEnd', 'executionPlace', 'custodianReceivedOn', 'minorAtOffence'],
    basis: 'L17, L20, L21, SPCI519',
    effect: (s, f, e) => ({
      ...s,
      correctionType: f['correctionType'] as CorrectionType,
      decisionOrgan: e.agency,
      decisionUnit: e.unit,
      sealed: sealedBy(s, f),
      effectiveDate: str(f, 'effectiveDate'),
      termStart: str(f, 'termStart'),
      termEnd: str(f, 'termEnd'),
      executionPlace: str(f, 'executionPlace'),
    }),
  },
  {
    code: 'DOCUMENTS_SERVED', name: '送达法律文书', recordedBy: ['COURT', 'JUSTICE', 'POLICE'],
    recorderRule: 'DECISION_ORGAN', jurisdiction: 'DECISION_UNIT', unitKinds: PRISON, from: ['PENDING_REPORT', 'UNDER_CORRECTION'],
    notify: ['JUSTICE', 'PROCURATORATE', 'POLICE'], collection: 'handoverDocs', publicFields: ['documents'], basis: 'L20',
  },
  {
    code: 'HANDOVER_RECEIPT', name: '接收回执', recordedBy: ['JUSTICE'], jurisdiction: 'EXECUTION_PLACE',
    from: ['PENDING_REPORT', 'UNDER_CORRECTION'], notify: ['DECISION_ORGAN'],
    collection: 'handoverDocs', publicFields: ['acknowledges', 'receivedAt'], basis: 'IM',
  },
  {
    code: 'SUBJECT_RECEIVED', name: '报到接收', recordedBy: ['JUSTICE'], jurisdiction: 'EXECUTION_PLACE', from: ['PENDING_REPORT'],
    to: 'UNDER_CORRECTION', notify: ['DECISION_ORGAN', 'PROCURATORATE', 'POLICE'],
    collection: 'handoverDocs', publicFields: ['escorted'], basis: 'L21, L22',
  },
  {
    code: 'LEAVE_APPROVED', name: '外出审批', recordedBy: ['JUSTICE'], jurisdiction: 'EXECUTION_PLACE', from: LIFE, notify: [],
    collection: 'enforcementDocs', publicFields: ['leaveFrom', 'leaveTo'], basis: 'L27',
    effect: (s, f) => ({ ...s, leave: { from: str(f, 'leaveFrom'), to: str(f, 'leaveTo') } }),
  },
  {
    code: 'EXECUTION_PLACE_CHANGED', name: '变更执行地', recordedBy: ['JUSTICE'], jurisdiction: 'EXECUTION_PLACE', from: LIFE,
    // The justice bureau, procuratorate and police of the old place and of the new one (L27).
    notify: ['DECISION_ORGAN', 'JUSTICE', 'PROCURATORATE', 'POLICE'],
    collection: 'handoverDocs', publicFields: ['executionPlace'], basis: 'L27',
    effect: (s, f) => ({ ...s, executionPlace: str(f, 'executionPlace') }),
  },
  {
    code: 'MONITORING_CHANGED', name: '电子定位装置', recordedBy: ['JUSTICE'], jurisdiction: 'EXECUTION_PLACE', from: LIFE, notify: [],
    collection: 'enforcementDocs', publicFields: ['enabled', 'until'], basis: 'L29',
    effect: (s, f) => withFlags(s, { electronicMonitoring: f['enabled'] === true }),
  },
  {
    code: 'WARNING_ISSUED', name: '训诫/警告', recordedBy: ['JUSTICE'], jurisdiction: 'EXECUTION_PLACE', from: LIFE, notify: ['PROCURATORATE'],
    collection: 'enforcementDocs', publicFields: ['kind'], basis: 'L28',
    effect: (s, f) =>
      f['kind'] === 'REPRIMAND'
        ? { ...s, reprimandCount: s.reprimandCount + 1 }
        : { ...s, warningCount: s.warningCount + 1 },
  },
  {
    code: 'COMMENDATION_ISSUED', name: '表扬', recordedBy: ['JUSTICE'], jurisdiction: 'EXECUTION_PLACE', from: LIFE, notify: ['PROCURATORATE'],
    collection: 'enforcementDocs', publicFields: [], basis: 'L28',
    effect: (s) => ({ ...s, commendationCount: s.commendationCount + 1 }),
  },
  {
    code: 'PENALTY_REQUESTED', name: '提请治安管理处罚', recordedBy: ['JUSTICE'], jurisdiction: 'EXECUTION_PLACE', from: LIFE,
    notify: ['POLICE'], collection: 'enforcementDocs', publicFields: [], basis: 'L28, L59',
  },
  {
    code: 'PENALTY_DECIDED', name: '治安管理处罚决定', recordedBy: ['POLICE'], jurisdiction: 'EXECUTION_PLACE', from: LIFE,
    notify: ['JUSTICE', 'PROCURATORATE'], collection: 'enforcementDocs', publicFields: [], basis: 'L59',
  },
  {
    code: 'LOST_CONTACT', name: '失联', recordedBy: ['JUSTICE'], jurisdiction: 'EXECUTION_PLACE', from: LIFE_OR_REVOKED,
    notify: ['POLICE', 'PROCURATORATE'], collection: 'enforcementDocs', publicFields: [], basis: 'L30, L50',
    requires: (s) => (s.flags.absconded ? 'subject is already recorded as absconded' : undefined),
    effect: (s) => withFlags(s, { absconded: true }),
  },
  {
    code: 'SUBJECT_LOCATED', name: '查找到', recordedBy: ['POLICE', 'JUSTICE'], jurisdiction: 'EXECUTION_PLACE', from: LIFE_OR_REVOKED,
    notify: ['JUSTICE', 'POLICE'], collection: 'enforcementDocs', publicFields: [], basis: 'L30, L50',
    requires: (s) => (s.flags.absconded ? undefined : 'subject is not recorded as absconded'),
    effect: (s) => withFlags(s, { absconded: false }),
  },
  {
    code: 'DETENTION_NOTIFIED', name: '被羁押通知', recordedBy: AGENCIES, jurisdiction: 'ANY', unitKinds: DETAINING, from: LIFE,
    notify: ['JUSTICE', 'PROCURATORATE'], collection: DETENTION_DOCS, publicFields: [], basis: 'L32',
    requires: (s) => (s.flags.detained ? 'subject is already recorded as detained' : undefined),
    effect: (s) => withDetention(s, 'OTHER'),
  },
  {
    code: 'DETENTION_ENDED', name: '解除羁押', recordedBy: AGENCIES, jurisdiction: 'ANY', unitKinds: DETAINING, from: LIFE,
    notify: ['JUSTICE', 'PROCURATORATE'], collection: DETENTION_DOCS, publicFields: [], basis: 'L32',
    requires: (s) => (s.flags.detained ? undefined : 'subject is not recorded as detained'),
    effect: (s) => withDetention(s, null),
  },
  {
    code: 'COMMUTATION_PROPOSED', name: '减刑建议', recordedBy: ['JUSTICE'], jurisdiction: 'EXECUTION_PLACE', from: LIFE,
    notify: ['COURT', 'PROCURATORATE'], collection: 'judicialDocs', publicFields: [], basis: 'L33',
  },
  {
    code: 'COMMUTATION_RULED', name: '减刑裁定', recordedBy: ['COURT'], jurisdiction: 'DECISION_OR_PLACE', from: LIFE,
    notify: ['JUSTICE', 'PROCURATORATE', 'POLICE'],
    collection: 'handoverDocs', publicFields: ['newTermEnd'], basis: 'L33',
    requires: (s, f) =>
      s.termStart !== null && str(f, 'newTermEnd') < s.termStart ? 'newTermEnd is before the term start' : undefined,
    effect: (s, f) => ({ ...s, termEnd: str(f, 'newTermEnd') }),
  },
  {
    code: 'REVOCATION_PROPOSED', name: '撤销/收监建议', recordedBy: ['JUSTICE'], jurisdiction: 'EXECUTION_PLACE', from: LIFE,
    notify: ['DECISION_ORGAN', 'PROCURATORATE'], collection: 'judicialDocs',
    publicFields: ['arrestRequested'], basis: 'L46, L47, L49',
    requires: (s, f) => {
      if (s.flags.revocationPending) return 'a revocation proposal is already pending';
      return f['arrestRequested'] === true && !revocable(s) ? 'an arrest may be requested only with a proposal to revoke probation or parole (L47)' : undefined;
    },
    effect: (s) => withFlags(s, { revocationPending: true }),
  },
  {
    code: 'ARREST_DECIDED', name: '逮捕决定', recordedBy: ['COURT'], jurisdiction: 'DECISION_OR_PLACE', from: LIFE,
    notify: ['POLICE', 'JUSTICE', 'PROCURATORATE'], collection: 'handoverDocs',
    publicFields: ['approved'], basis: 'L47',
    requires: arrestRefusal,
    effect: (s, f) => (f['approved'] === true ? withDetention(s, 'ARREST') : s),
  },
  {
    code: 'REVOCATION_RULED', name: '撤销/收监裁定', recordedBy: ['COURT', 'JUSTICE', 'POLICE'],
    recorderRule: 'REVOKING_ORGAN', jurisdiction: 'RULING', unitKinds: PRISON, from: LIFE, notify: ['DECISION_ORGAN', 'JUSTICE', 'PROCURATORATE', 'POLICE'],
    collection: 'handoverDocs', publicFields: ['revoked', 'newCrime'], basis: 'L46, L48, L49, SPCI542',
    requires: revocationRefusal,
    effect: ruleOnRevocation,
  },
  {
    code: 'COMMITTED_TO_PRISON', name: '收监执行', recordedBy: ['POLICE', 'JUSTICE'], recorderRule: 'COMMITTING_ORGAN',
    jurisdiction: 'COMMITTAL', unitKinds: PRISON,
    from: ['REVOKED'], to: 'COMMITTED', notify: ['COURT', 'JUSTICE', 'PROCURATORATE', 'POLICE'],
    collection: 'handoverDocs', publicFields: [], basis: 'L48, L49, L50',
    // In prison the subject is neither at large nor held pending a ruling: the pursuit, if any, has ended.
    effect: (s) => withDetention(withFlags(s, { absconded: false }), null),
  },
  {
    code: 'CORRECTION_RELEASED', name: '解除社区矫正', recordedBy: ['JUSTICE'], jurisdiction: 'EXECUTION_PLACE', from: LIFE, to: 'RELEASED',
    notify: ['DECISION_ORGAN', 'PROCURATORATE', 'POLICE'],
    collection: 'handoverDocs', publicFields: ['ground'], basis: 'L44',
    requires: releaseRefusal,
  },
  {
    code: 'DEATH_RECORDED', name: '死亡', recordedBy: ['JUSTICE'], jurisdiction: 'EXECUTION_PLACE', from: ['UNDER_CORRECTION', 'PENDING_REPORT'],
    to: 'DECEASED', notify: ['DECISION_ORGAN', 'PROCURATORATE', 'POLICE'],
    collection: 'handoverDocs', publicFields: [], basis: 'L51',
  },
  {
    code: 'PROCURATORIAL_OPINION', name: '纠正意见/检察建议', recordedBy: ['PROCURATORATE'], jurisdiction: 'DECISION_OR_PLACE', from: 'RECORDED',
    notify: ['ADDRESSED_AGENCY'], collection: 'handoverDocs',
    publicFields: ['kind', 'addressedTo', 'concerning', 'replyWithinDays'], basis: 'L62, SPPR642-644',
    effect: (s, f, e) => ({
      ...s,
      openMatters: [...s.openMatters, { opinionEntryId: e.entryId, addressedTo: f['addressedTo'] as Agency, openedAt: e.occurredAt, reconsideration: null }],
    }),
  },
  {
    code: 'PROCURATORIAL_REPLY', name: '书面回复', recordedBy: ADDRESSEES,
    recorderRule: 'ADDRESSED_AGENCY', jurisdiction: 'ANSWER', unitKinds: EITHER_JUSTICE, from: 'RECORDED', notify: ['PROCURATORATE'], collection: 'handoverDocs',
    publicFields: ['answers', 'adopted'], basis: 'L62, SPPR553',
    requires: (s, f) =>
      s.openMatters.some((m) => m.opinionEntryId === f['answers']) ? undefined : 'no open opinion with that entry id',
    effect: (s, f) => replaceMatter(s, str(f, 'answers'), undefined),
  },
  {
    code: 'RECONSIDERATION_REQUESTED', name: '申请复查', recordedBy: ADDRESSEES,
    recorderRule: 'ADDRESSED_AGENCY', jurisdiction: 'ANSWER', unitKinds: EITHER_JUSTICE, from: 'RECORDED', notify: ['PROCURATORATE'], collection: 'handoverDocs',
    publicFields: ['answers'], basis: 'SPPR554',
    requires: reconsiderationRefusal,
    effect: (s, f, e) => {
      const matter = s.openMatters.find((m) => m.opinionEntryId === f['answers']);
      return matter ? replaceMatter(s, matter.opinionEntryId, { ...matter, reconsideration: { requestEntryId: e.entryId, state: 'REQUESTED' } }) : s;
    },
  },
  {
    code: 'RECONSIDERATION_ANSWERED', name: '复查答复', recordedBy: ['PROCURATORATE'], jurisdiction: 'DECISION_OR_PLACE', from: 'RECORDED',
    notify: ['ADDRESSED_AGENCY'], collection: 'handoverDocs', publicFields: ['answers', 'upheld'], basis: 'SPPR554',
    requires: reconsiderationAnswerRefusal,
    effect: answerReconsideration,
  },
  {
    code: 'COMPLAINT_RECEIVED', name: '申诉控告', recordedBy: ['PROCURATORATE'], jurisdiction: 'EXECUTION_PLACE', from: 'RECORDED',
    notify: ['JUSTICE'], collection: 'enforcementDocs', publicFields: [], basis: 'L34',
  },
  {
    code: 'AMENDMENT', name: '更正', recordedBy: AGENCIES,
    recorderRule: 'AMENDED_RECORDER', jurisdiction: 'AMENDED_UNIT', unitKinds: UNIT_KINDS, from: 'RECORDED', notify: ['AS_AMENDED'], collection: 'AS_AMENDED',
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
