import { Presets, SingleBar } from 'cli-progress';
import { checkDigit, type Agency, type CorrectionType, type ReadReason, type UnitKind } from 'correction-chaincode/domain';
import { demoPdf, uploadFile } from './demo-files.js';
import { mintDevToken } from './keys.js';

/** A unit of an agency: a division code and its kind. Steps without one act for the whole agency. */
interface Unit {
  readonly unit: string;
  readonly unitKind: UnitKind;
}

/** One step of a subject's story: who records what, when, with which document. */
interface Step {
  readonly agency: Agency;
  /** The unit that records it; the whole agency when absent. */
  readonly by?: Unit;
  readonly type: string;
  /** Days after the story's start. */
  readonly day: number;
  readonly document: (refs: ReadonlyMap<string, string>) => Record<string, unknown>;
  /** Names this step's entry id so later steps can point at it. */
  readonly label?: string;
  readonly amends?: string;
  /** Titles of the files the step comes with: small generated PDFs, uploaded and listed as the document's attachments. */
  readonly files?: readonly string[];
}

/** A read with a stated purpose, as an officer outside those who read a sealed record in full makes it. */
interface Inquiry {
  readonly agency: Agency;
  readonly by: Unit;
  readonly purpose: { readonly caseNumber: string; readonly reason: ReadReason };
}

interface Story {
  readonly name: string;
  readonly steps: (start: Date, n: number) => Step[];
  /** Reads made once the story is recorded: each leaves an access entry. */
  readonly inquiries?: readonly Inquiry[];
}

const CHAOYANG = '110105';
const HAIDIAN = '110108';
const unitOf = (unit: string, unitKind: UnitKind): Unit => ({ unit, unitKind });

const iso = (start: Date, day: number): string =>
  new Date(start.getTime() + day * 86_400_000).toISOString().replace('Z', '+00:00');
const date = (start: Date, day: number): string => new Date(start.getTime() + day * 86_400_000).toISOString().slice(0, 10);

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '勇', '艳', '杰', '涛', '明'];
const PLACES = ['110105', '310104', '440106', '330106', '510107', '420106'];

/** A synthetic but well-formed resident ID (GB 11643 check digit), deterministic in n. */
export function syntheticResidentId(n: number): string {
  const region = PLACES[n % PLACES.length] ?? '110105';
  const birth = new Date(Date.UTC(1960, 0, 1) + ((n * 7919) % 14_000) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `${region}${birth}${String(100 + (n % 900)).padStart(3, '0')}`;
  return first17 + checkDigit(first17);
}

/** The documents a court delivers with a handover (L20). */
const HANDOVER_FILES = ['判决书', '执行通知书'] as const;

const handover = (type: CorrectionType, start: Date, years: number, place: string) => (): Record<string, unknown> => ({
  decisionNo: `(${start.getUTCFullYear()})刑初${Math.floor(start.getTime() / 1e8) % 1000}号`,
  correctionType: type,
  effectiveDate: date(start, 0),
  termStart: date(start, 0),
  termEnd: date(start, Math.round(365 * years)),
  executionPlace: place,
  // 暂予监外执行: the prison or detention house received the decision the next day.
  ...(type === 'TEMPORARY_OUTSIDE_PRISON' ? { custodianReceivedOn: date(start, 1) } : {}),
  judgment: '判决书正文（演示数据）',
  prohibitions: ['禁止进入娱乐场所'],
});

/** The lifecycle paths of DOMAIN.md, each a story the demo tells for several subjects. */
const STORIES: readonly Story[] = [
  {
    name: 'probation, assessed, received, leave, warning, released at term end',
    steps: (s, n) => [
      { agency: 'COURT', type: 'ASSESSMENT_COMMISSIONED', day: -30, document: () => ({ letterNo: `评估委托${n}`, proposedType: 'PROBATION', executionPlace: `${PLACES[n % 6] ?? '110105'}001` }) },
      { agency: 'JUSTICE', type: 'ASSESSMENT_OPINION', day: -20, document: () => ({ opinionNo: `评估意见${n}`, suitable: true, summary: '适宜社区矫正' }) },
      { agency: 'COURT', type: 'SENTENCE_HANDOVER', day: 0, files: HANDOVER_FILES, document: handover('PROBATION', s, 1, PLACES[n % 6] ?? '110105') },
      { agency: 'COURT', type: 'DOCUMENTS_SERVED', day: 3, label: 'served', document: () => ({ documents: [{ title: '判决书', hash: 'a'.repeat(64) }, { title: '执行通知书', hash: 'b'.repeat(64) }] }) },
      { agency: 'JUSTICE', type: 'HANDOVER_RECEIPT', day: 5, document: (r) => ({ acknowledges: r.get('served'), receivedAt: iso(s, 5) }) },
      { agency: 'JUSTICE', type: 'SUBJECT_RECEIVED', day: 6, document: () => ({ escorted: false, announcement: true }) },
      { agency: 'JUSTICE', type: 'LEAVE_APPROVED', day: 90, document: () => ({ approvalNo: `外出${n}`, leaveFrom: date(s, 95), leaveTo: date(s, 100), destination: '省内就医' }) },
      { agency: 'JUSTICE', type: 'WARNING_ISSUED', day: 150, document: () => ({ decisionNo: `警告${n}`, kind: 'WARNING', reason: '未按时报告' }) },
      { agency: 'JUSTICE', type: 'CORRECTION_RELEASED', day: 365, document: () => ({ certificateNo: `解矫${n}` }) },
    ],
  },
  {
    name: 'probation revoked after absconding and two warnings, committed to prison',
    steps: (s, n) => [
      { agency: 'COURT', type: 'SENTENCE_HANDOVER', day: 0, files: HANDOVER_FILES, document: handover('PROBATION', s, 2, PLACES[(n + 1) % 6] ?? '110105') },
      { agency: 'JUSTICE', type: 'SUBJECT_RECEIVED', day: 7, document: () => ({ escorted: false }) },
      { agency: 'JUSTICE', type: 'LOST_CONTACT', day: 60, document: () => ({ lastContactAt: iso(s, 58) }) },
      { agency: 'POLICE', type: 'SUBJECT_LOCATED', day: 64, document: () => ({ locatedAt: iso(s, 64) }) },
      { agency: 'JUSTICE', type: 'WARNING_ISSUED', day: 70, document: () => ({ decisionNo: `警告${n}-1`, kind: 'WARNING' }) },
      { agency: 'JUSTICE', type: 'WARNING_ISSUED', day: 100, document: () => ({ decisionNo: `警告${n}-2`, kind: 'WARNING' }) },
      { agency: 'JUSTICE', type: 'REVOCATION_PROPOSED', day: 101, document: () => ({ proposalNo: `撤销建议${n}`, arrestRequested: true, grounds: ['两次警告'] }) },
      { agency: 'COURT', type: 'ARREST_DECIDED', day: 102, document: () => ({ decisionNo: `逮捕${n}`, approved: true }) },
      { agency: 'COURT', type: 'REVOCATION_RULED', day: 120, document: () => ({ rulingNo: `撤销裁定${n}`, revoked: true }) },
      { agency: 'POLICE', type: 'COMMITTED_TO_PRISON', day: 122, document: () => ({ institution: '第一监狱' }) },
    ],
  },
  {
    name: 'probation, revocation refused, supervision continues',
    steps: (s, n) => [
      { agency: 'COURT', type: 'SENTENCE_HANDOVER', day: 0, files: HANDOVER_FILES, document: handover('PROBATION', s, 3, PLACES[(n + 2) % 6] ?? '110105') },
      { agency: 'JUSTICE', type: 'SUBJECT_RECEIVED', day: 8, document: () => ({ escorted: false }) },
      { agency: 'JUSTICE', type: 'WARNING_ISSUED', day: 150, document: () => ({ decisionNo: `训诫${n}`, kind: 'REPRIMAND' }) },
      { agency: 'JUSTICE', type: 'REVOCATION_PROPOSED', day: 200, document: () => ({ proposalNo: `撤销建议${n}` }) },
      { agency: 'COURT', type: 'REVOCATION_RULED', day: 225, document: () => ({ rulingNo: `撤销裁定${n}`, revoked: false }) },
    ],
  },
  {
    name: 'parole with commutation, place change, monitoring, released',
    steps: (s, n) => [
      { agency: 'COURT', type: 'SENTENCE_HANDOVER', day: 0, files: HANDOVER_FILES, document: handover('PAROLE', s, 1.5, PLACES[(n + 3) % 6] ?? '110105') },
      { agency: 'JUSTICE', type: 'SUBJECT_RECEIVED', day: 5, document: () => ({ escorted: false }) },
      { agency: 'JUSTICE', type: 'MONITORING_CHANGED', day: 10, document: () => ({ approvalNo: `定位${n}`, enabled: true, until: date(s, 100) }) },
      { agency: 'JUSTICE', type: 'MONITORING_CHANGED', day: 100, document: () => ({ approvalNo: `定位${n}-off`, enabled: false }) },
      { agency: 'JUSTICE', type: 'EXECUTION_PLACE_CHANGED', day: 150, document: () => ({ decisionNo: `变更${n}`, executionPlace: PLACES[(n + 4) % 6] ?? '110105' }) },
      { agency: 'JUSTICE', type: 'COMMUTATION_PROPOSED', day: 200, document: () => ({ proposalNo: `减刑建议${n}` }) },
      { agency: 'COURT', type: 'COMMUTATION_RULED', day: 220, document: () => ({ rulingNo: `减刑裁定${n}`, newTermEnd: date(s, 400) }) },
      { agency: 'JUSTICE', type: 'CORRECTION_RELEASED', day: 400, document: () => ({ certificateNo: `解矫${n}` }) },
    ],
  },
  {
    name: 'control (管制) with a public-security penalty and detention',
    steps: (s, n) => [
      { agency: 'COURT', type: 'SENTENCE_HANDOVER', day: 0, files: HANDOVER_FILES, document: handover('CONTROL', s, 2, PLACES[(n + 5) % 6] ?? '110105') },
      { agency: 'JUSTICE', type: 'SUBJECT_RECEIVED', day: 9, document: () => ({ escorted: false }) },
      { agency: 'JUSTICE', type: 'PENALTY_REQUESTED', day: 120, document: () => ({ requestNo: `提请处罚${n}`, conduct: '违反禁止令' }) },
      { agency: 'POLICE', type: 'PENALTY_DECIDED', day: 125, document: () => ({ decisionNo: `处罚${n}`, penalty: '行政拘留五日' }) },
      { agency: 'POLICE', type: 'DETENTION_NOTIFIED', day: 126, document: () => ({ detainedAt: iso(s, 126), measure: '行政拘留' }) },
      { agency: 'POLICE', type: 'DETENTION_ENDED', day: 131, document: () => ({ endedAt: iso(s, 131) }) },
    ],
  },
  {
    name: '暂予监外执行 decided by prison administration, ended by 收监 into its prison',
    steps: (s, n) => [
      { agency: 'JUSTICE', type: 'SENTENCE_HANDOVER', day: 0, files: HANDOVER_FILES, document: handover('TEMPORARY_OUTSIDE_PRISON', s, 1, PLACES[n % 6] ?? '110105') },
      { agency: 'JUSTICE', type: 'SUBJECT_RECEIVED', day: 4, document: () => ({ escorted: true }) },
      { agency: 'JUSTICE', type: 'REVOCATION_PROPOSED', day: 90, document: () => ({ proposalNo: `收监建议${n}` }) },
      { agency: 'JUSTICE', type: 'REVOCATION_RULED', day: 95, document: () => ({ rulingNo: `收监决定${n}`, revoked: true }) },
      { agency: 'JUSTICE', type: 'COMMITTED_TO_PRISON', day: 96, document: () => ({ institution: '监狱医院' }) },
    ],
  },
  {
    name: 'parole: arrest refused, revocation refused, commended, released early by a pardon',
    steps: (s, n) => [
      { agency: 'COURT', type: 'SENTENCE_HANDOVER', day: 0, files: HANDOVER_FILES, document: handover('PAROLE', s, 2, PLACES[(n + 1) % 6] ?? '110105') },
      { agency: 'JUSTICE', type: 'SUBJECT_RECEIVED', day: 6, document: () => ({ escorted: false }) },
      { agency: 'JUSTICE', type: 'REVOCATION_PROPOSED', day: 60, document: () => ({ proposalNo: `撤销建议${n}`, arrestRequested: true, grounds: ['违反禁止令'] }) },
      { agency: 'COURT', type: 'ARREST_DECIDED', day: 61, document: () => ({ decisionNo: `逮捕${n}`, approved: false }) },
      { agency: 'COURT', type: 'REVOCATION_RULED', day: 80, document: () => ({ rulingNo: `撤销裁定${n}`, revoked: false }) },
      { agency: 'JUSTICE', type: 'COMMENDATION_ISSUED', day: 200, document: () => ({ decisionNo: `表扬${n}`, reason: '积极参加公益活动' }) },
      { agency: 'JUSTICE', type: 'CORRECTION_RELEASED', day: 300, document: () => ({ certificateNo: `解矫${n}`, ground: 'PARDON', pardonOrderNo: '主席特赦令（演示）' }) },
    ],
  },
  {
    name: 'probation revoked by the court trying a new crime, no proposal pending',
    steps: (s, n) => [
      { agency: 'COURT', type: 'SENTENCE_HANDOVER', day: 0, files: HANDOVER_FILES, document: handover('PROBATION', s, 3, PLACES[(n + 2) % 6] ?? '110105') },
      { agency: 'JUSTICE', type: 'SUBJECT_RECEIVED', day: 7, document: () => ({ escorted: false }) },
      { agency: 'COURT', type: 'REVOCATION_RULED', day: 200, document: () => ({ rulingNo: `新罪判决${n}`, revoked: true, newCrime: true, judgmentNo: `新罪判决${n}` }) },
      { agency: 'POLICE', type: 'COMMITTED_TO_PRISON', day: 203, document: () => ({ institution: '第二监狱' }) },
    ],
  },
  {
    name: 'a complaint to the procuratorate; an opinion put to reconsideration, upheld, then adopted',
    steps: (s, n) => [
      { agency: 'COURT', type: 'SENTENCE_HANDOVER', day: 0, files: HANDOVER_FILES, document: handover('CONTROL', s, 1, PLACES[(n + 3) % 6] ?? '110105') },
      { agency: 'JUSTICE', type: 'SUBJECT_RECEIVED', day: 5, document: () => ({ escorted: false }) },
      { agency: 'PROCURATORATE', type: 'COMPLAINT_RECEIVED', day: 40, document: () => ({ complaint: '反映外出申请长期未获答复（演示）', receivedOn: date(s, 40) }) },
      { agency: 'PROCURATORATE', type: 'PROCURATORIAL_OPINION', day: 45, label: 'opinion', document: () => ({ opinionNo: `纠正意见${n}`, kind: 'CORRECTION_OPINION', addressedTo: 'JUSTICE', replyWithinDays: 15, text: '外出审批超期' }) },
      { agency: 'JUSTICE', type: 'RECONSIDERATION_REQUESTED', day: 48, label: 'request', document: (r) => ({ answers: r.get('opinion'), reason: '申请材料不全，未超期' }) },
      { agency: 'PROCURATORATE', type: 'RECONSIDERATION_ANSWERED', day: 53, document: (r) => ({ answers: r.get('request'), upheld: true, text: '经复查，维持原意见' }) },
      { agency: 'JUSTICE', type: 'PROCURATORIAL_REPLY', day: 58, document: (r) => ({ answers: r.get('opinion'), adopted: true, text: '已整改' }) },
    ],
  },
  {
    name: '暂予监外执行 decided by police for a detention house, subject dies',
    steps: (s) => [
      { agency: 'POLICE', type: 'SENTENCE_HANDOVER', day: 0, files: HANDOVER_FILES, document: handover('TEMPORARY_OUTSIDE_PRISON', s, 0.5, PLACES[2] ?? '110105') },
      { agency: 'JUSTICE', type: 'SUBJECT_RECEIVED', day: 3, document: () => ({ escorted: true }) },
      { agency: 'JUSTICE', type: 'DEATH_RECORDED', day: 60, document: () => ({ dateOfDeath: date(s, 58) }) },
    ],
  },
  {
    name: 'handed over, dies before reporting',
    steps: (s) => [
      { agency: 'COURT', type: 'SENTENCE_HANDOVER', day: 0, files: HANDOVER_FILES, document: handover('PROBATION', s, 1, PLACES[3] ?? '110105') },
      { agency: 'JUSTICE', type: 'DEATH_RECORDED', day: 6, document: () => ({ dateOfDeath: date(s, 5) }) },
    ],
  },
  {
    name: 'procuratorial opinions to the justice bureau and the court, answered; one left open',
    steps: (s, n) => [
      { agency: 'COURT', type: 'SENTENCE_HANDOVER', day: 0, label: 'handover', document: handover('PROBATION', s, 2, PLACES[4] ?? '110105') },
      { agency: 'PROCURATORATE', type: 'PROCURATORIAL_OPINION', day: 12, label: 'late', document: (r) => ({ opinionNo: `纠正意见${n}`, kind: 'CORRECTION_OPINION', addressedTo: 'JUSTICE', concerning: r.get('handover'), replyWithinDays: 15, text: '未在法定期限内接收' }) },
      { agency: 'JUSTICE', type: 'SUBJECT_RECEIVED', day: 13, document: () => ({ escorted: false }) },
      { agency: 'JUSTICE', type: 'PROCURATORIAL_REPLY', day: 20, document: (r) => ({ answers: r.get('late'), adopted: true, text: '已纠正' }) },
      { agency: 'PROCURATORATE', type: 'PROCURATORIAL_OPINION', day: 30, label: 'court', document: () => ({ opinionNo: `检察建议${n}`, kind: 'PROCURATORIAL_SUGGESTION', addressedTo: 'COURT', replyWithinDays: 30, text: '文书送达不全' }) },
      { agency: 'COURT', type: 'PROCURATORIAL_REPLY', day: 40, document: (r) => ({ answers: r.get('court'), adopted: false, reason: '文书已于交付时一并送达', text: '经核查，文书齐全' }) },
      { agency: 'PROCURATORATE', type: 'PROCURATORIAL_OPINION', day: 50, document: () => ({ opinionNo: `纠正意见${n}-2`, kind: 'CORRECTION_OPINION', addressedTo: 'POLICE', replyWithinDays: 15, text: '未协助查找' }) },
    ],
  },
  {
    name: 'amendments: the court corrects a term end, the justice bureau an execution place',
    steps: (s, n) => [
      { agency: 'COURT', type: 'SENTENCE_HANDOVER', day: 0, label: 'handover', document: handover('PAROLE', s, 1, PLACES[5] ?? '110105') },
      { agency: 'COURT', type: 'AMENDMENT', day: 2, amends: 'handover', document: () => ({ reason: '刑期截止日录入错误', corrections: { termEnd: date(s, 400) } }) },
      { agency: 'JUSTICE', type: 'SUBJECT_RECEIVED', day: 6, document: () => ({ escorted: false }) },
      { agency: 'JUSTICE', type: 'EXECUTION_PLACE_CHANGED', day: 30, label: 'moved', document: () => ({ decisionNo: `变更${n}`, executionPlace: '310104' }) },
      { agency: 'JUSTICE', type: 'AMENDMENT', day: 31, amends: 'moved', document: () => ({ reason: '区划代码有误', corrections: { executionPlace: '310105' } }) },
    ],
  },
  {
    name: 'assessment commissioned by the procuratorate, found unsuitable',
    steps: (_s, n) => [
      { agency: 'PROCURATORATE', type: 'ASSESSMENT_COMMISSIONED', day: 0, document: () => ({ letterNo: `评估委托${n}`, proposedType: 'PAROLE', executionPlace: PLACES[n % 6] ?? '110105', expedited: true }) },
      { agency: 'JUSTICE', type: 'ASSESSMENT_OPINION', day: 4, document: () => ({ opinionNo: `评估意见${n}`, suitable: false }) },
    ],
  },
  {
    name: 'handed over recently, documents served, waiting to report',
    steps: (s, n) => [
      { agency: 'COURT', type: 'SENTENCE_HANDOVER', day: 0, files: HANDOVER_FILES, document: handover('CONTROL', s, 1, PLACES[n % 6] ?? '110105') },
      { agency: 'COURT', type: 'DOCUMENTS_SERVED', day: 2, document: () => ({ documents: [{ title: '判决书', hash: 'c'.repeat(64) }] }) },
    ],
  },
  {
    name: 'two counties: handed over to Chaoyang, moved to Haidian, whose justice bureau carries on',
    steps: (s) => [
      { agency: 'COURT', by: unitOf(CHAOYANG, 'COURT'), type: 'SENTENCE_HANDOVER', day: 0, files: HANDOVER_FILES, document: handover('PROBATION', s, 2, CHAOYANG) },
      { agency: 'JUSTICE', by: unitOf(CHAOYANG, 'BUREAU'), type: 'SUBJECT_RECEIVED', day: 5, document: () => ({ escorted: false }) },
      { agency: 'JUSTICE', by: unitOf(CHAOYANG, 'BUREAU'), type: 'EXECUTION_PLACE_CHANGED', day: 60, document: () => ({ decisionNo: `变更(朝阳→海淀)${s.getUTCFullYear()}`, executionPlace: HAIDIAN }) },
      { agency: 'JUSTICE', by: unitOf(HAIDIAN, 'BUREAU'), type: 'WARNING_ISSUED', day: 90, document: () => ({ decisionNo: '海淀警告1', kind: 'WARNING' }) },
    ],
  },
  {
    name: 'a sealed record: a minor at the offence, received in Chaoyang; the police read it for a case, on the access trail',
    steps: (s) => [
      { agency: 'COURT', by: unitOf(CHAOYANG, 'COURT'), type: 'SENTENCE_HANDOVER', day: 0, files: HANDOVER_FILES, document: () => ({ ...handover('PROBATION', s, 1, CHAOYANG)(), minorAtOffence: true }) },
      { agency: 'JUSTICE', by: unitOf(CHAOYANG, 'BUREAU'), type: 'SUBJECT_RECEIVED', day: 4, document: () => ({ escorted: false }) },
    ],
    inquiries: [{ agency: 'POLICE', by: unitOf(CHAOYANG, 'PUBLIC_SECURITY'), purpose: { caseNumber: '京公朝刑案(演示)1号', reason: 'CASE_HANDLING' } }],
  },
];

export interface DemoOptions {
  readonly url: string;
  readonly dataDir: string;
  readonly subjects: number;
  /** Progress output (stderr by default); tests pass false. */
  readonly progress?: boolean;
}

export interface DemoResult {
  readonly subjects: number;
  readonly entries: number;
  readonly byState: Readonly<Record<string, number>>;
}

/** One subject's story, with the person it happens to and when it starts. */
interface Plan {
  readonly n: number;
  readonly story: Story;
  readonly idNumber: string;
  readonly name: string;
  readonly steps: readonly Step[];
  readonly start: Date;
}

/** Records a realistic ledger through the REST API, as the agencies themselves would. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const tokens = clerkTokens(options.dataDir);
  const plans = Array.from({ length: options.subjects }, (_, n) => planFor(n));
  const bar = progressBar(options, plans.reduce((sum, plan) => sum + plan.steps.length, 0));
  const byState: Record<string, number> = {};
  let entries = 0;
  try {
    for (const plan of plans) {
      const state = await recordPlan(options.url, tokens, plan, entries, () => bar?.increment());
      entries += plan.steps.length;
      byState[state] = (byState[state] ?? 0) + 1;
      for (const inquiry of plan.story.inquiries ?? []) await inquire(options.url, await tokens(inquiry.agency, inquiry.by), plan, inquiry);
    }
  } finally {
    bar?.stop();
  }
  if (options.progress !== false) {
    process.stderr.write(`recorded ${entries} entries for ${plans.length} subjects: ${JSON.stringify(byState)}\n`);
  }
  return { subjects: plans.length, entries, byState };
}

/** Records one subject's story, step by step; returns the state it ends in. */
async function recordPlan(url: string, tokens: TokenOf, plan: Plan, sequence: number, stepped: () => void): Promise<string> {
  const refs = new Map<string, string>();
  let state = 'NONE';
  for (const [i, step] of plan.steps.entries()) {
    const recorded = await recordStep(url, await tokens(step.agency, step.by), plan, step, refs, sequence + i);
    if (typeof recorded === 'string') throw new Error(recorded);
    state = recorded.state;
    stepped();
  }
  return state;
}

type TokenOf = (agency: Agency, by?: Unit) => Promise<string>;

/** Dev clerk tokens, minted once each: one per agency, and one per unit that acts in a story. */
function clerkTokens(dataDir: string): TokenOf {
  const tokens = new Map<string, Promise<string>>();
  return (agency, by) => {
    const key = `${agency} ${by?.unit ?? '*'} ${by?.unitKind ?? ''}`;
    let token = tokens.get(key);
    if (!token) {
      const sub = `demo-${agency.toLowerCase()}${by ? `-${by.unit}` : ''}`;
      token = mintDevToken(dataDir, { agency, role: 'clerk', sub, ...(by ? { unit: by.unit, unitKind: by.unitKind } : {}), expiresIn: '1h' });
      tokens.set(key, token);
    }
    return token;
  };
}

/** Looks a subject up by ID number with a stated purpose; the read leaves an access entry. */
async function inquire(url: string, token: string, plan: Plan, inquiry: Inquiry): Promise<void> {
  const response = await fetch(new URL('/v1/subjects/lookup', url), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ idNumber: plan.idNumber, purpose: inquiry.purpose }),
  });
  if (response.status !== 200) throw new Error(`demo inquiry by ${inquiry.agency} ${inquiry.by.unit} for story "${plan.story.name}" failed: ${response.status}`);
  await response.arrayBuffer();
}

function planFor(n: number): Plan {
  const story = STORIES[n % STORIES.length] as Story;
  // Stories start between late 2023 and early 2025, so every term they end has ended by now.
  const start = new Date(Date.UTC(2023, 9, 1) + ((n * 37) % 480) * 86_400_000 + 1_000 * 3600);
  return { n, story, idNumber: syntheticResidentId(n + 1), name: `${SURNAMES[n % 12]}${GIVEN[(n * 5) % 12]}`, steps: story.steps(start, n + 1), start };
}

function progressBar(options: DemoOptions, total: number): SingleBar | undefined {
  if (options.progress === false) return undefined;
  const bar = new SingleBar({ format: 'demo [{bar}] {value}/{total} entries', stream: process.stderr }, Presets.shades_classic);
  bar.start(total, 0);
  return bar;
}

/**
 * Posts one step of a plan as its agency's clerk, and names its entry for later steps if the step
 * is labelled. Returns the subject's state afterwards, or why the gateway refused the step.
 */
async function recordStep(
  url: string,
  token: string,
  plan: Plan,
  step: Step,
  refs: Map<string, string>,
  sequence: number,
): Promise<{ readonly state: string } | string> {
  const attachments = await uploadStepFiles(url, token, plan, step);
  const document = { ...step.document(refs), subjectName: plan.name, ...(attachments.length > 0 ? { attachments } : {}) };
  const response = await fetch(new URL('/v1/events', url), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': `demo-${plan.n}-${sequence}-${step.type}`,
    },
    body: JSON.stringify({
      type: step.type,
      subject: { idNumber: plan.idNumber },
      occurredAt: iso(plan.start, step.day),
      document,
      ...(step.amends ? { amends: refs.get(step.amends) } : {}),
    }),
  });
  const body = (await response.json()) as { entry?: { id: string }; status?: { state: string }; detail?: string; code?: string };
  if (response.status !== 201 || !body.entry || !body.status) {
    return `demo step ${step.type} for story "${plan.story.name}" failed: ${response.status} ${body.code ?? ''} ${body.detail ?? ''}`;
  }
  if (step.label) refs.set(step.label, body.entry.id);
  return { state: body.status.state };
}

/** Generates, uploads and lists the files of a step: one small PDF per title. */
async function uploadStepFiles(url: string, token: string, plan: Plan, step: Step): Promise<Array<{ title: string; hash: string; size: number; mediaType: string }>> {
  const listed = [];
  for (const title of step.files ?? []) {
    const pdf = await demoPdf(title, [`Subject no. ${plan.n + 1}, story: ${plan.story.name}`, `Event: ${step.type}, day ${step.day}`, `Agency: ${step.agency}`]);
    listed.push({ title: `${title}.pdf`, ...(await uploadFile(url, token, pdf, 'application/pdf')) });
  }
  return listed;
}
