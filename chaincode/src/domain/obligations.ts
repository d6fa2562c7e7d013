import type { Agency } from './agencies.js';
import { chinaDate, committingOrgan, EVENT_CATALOG, matterAnswered, type EventType, type Facts } from './catalog.js';
import { DEADLINE_RULES, type DeadlineRule, type DeadlineUnit, type FactCondition } from './deadlines.js';
import type { Entry } from './entry.js';
import { effectiveFacts, deriveStatus } from './lifecycle.js';
import type { SubjectStatus } from './status.js';

/** Public holidays and the weekend days worked instead (调休), as the State Council announces them. */
export interface WorkingCalendar {
  readonly holidays: ReadonlySet<string>;
  readonly workdays: ReadonlySet<string>;
}

export function workingCalendar(days: { readonly holidays?: readonly string[]; readonly workdays?: readonly string[] }): WorkingCalendar {
  return { holidays: new Set(days.holidays ?? []), workdays: new Set(days.workdays ?? []) };
}

const DAY_MS = 86_400_000;
const CHINA_OFFSET = '+08:00';

const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

export function isWorkingDay(date: string, calendar: WorkingCalendar): boolean {
  if (calendar.workdays.has(date)) return true;
  if (calendar.holidays.has(date)) return false;
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

const endOfChinaDay = (date: string): string => new Date(`${date}T23:59:59.999${CHINA_OFFSET}`).toISOString();

/** The start day in China Standard Time: a bare date as given, an instant by its CST date. */
const startDateOf = (start: string): string => (DATE_ONLY.test(start) ? start : chinaDate(start));

function addWorkingDays(date: string, amount: number, calendar: WorkingCalendar): string {
  let day = date;
  for (let counted = 0; counted < amount; ) {
    day = addDays(day, 1);
    if (isWorkingDay(day, calendar)) counted++;
  }
  return day;
}

/** The same day of the month `amount` months on, or that month's last day if it is shorter. */
function addMonths(date: string, amount: number): string {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  const target = new Date(Date.UTC(y, m - 1 + amount, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(d, lastDay))).toISOString().slice(0, 10);
}

type DueRule = (start: string, amount: number, calendar: WorkingCalendar) => string;

/** How each unit counts: hours from the exact instant (a bare date starts at CST midnight); the rest to the end of a CST day. */
const DUE_BY_UNIT: Readonly<Record<DeadlineUnit, DueRule>> = {
  hours: (start, amount) =>
    new Date(Date.parse(DATE_ONLY.test(start) ? `${start}T00:00:00${CHINA_OFFSET}` : start) + amount * 3_600_000).toISOString(),
  days: (start, amount) => endOfChinaDay(addDays(startDateOf(start), amount)),
  workingDays: (start, amount, calendar) => endOfChinaDay(addWorkingDays(startDateOf(start), amount, calendar)),
  months: (start, amount) => endOfChinaDay(addMonths(startDateOf(start), amount)),
};

/**
 * When an obligation falls due: the end of the last allowed day in China Standard Time, or for
 * hours the exact instant. Days are counted after the start day; working days skip weekends and
 * holidays but count weekend days worked instead.
 */
export function dueAt(start: string, amount: number, unit: DeadlineUnit, calendar: WorkingCalendar): string {
  return DUE_BY_UNIT[unit](start, amount, calendar);
}

export type ObligationState = 'open' | 'overdue' | 'met' | 'late' | 'void';

/** Something an agency must record by a statutory deadline. */
export interface Obligation {
  readonly rule: string;
  readonly event: EventType;
  /** The agency that must record it. */
  readonly agency: Agency | null;
  /** Its unit: the deciding unit for the organ that decided, otherwise the unit of the place of execution. */
  readonly unit: string | null;
  /** The entry that started the clock. */
  readonly startedBy: string;
  readonly startedAt: string;
  readonly dueAt: string;
  readonly metBy: string | null;
  readonly metAt: string | null;
  readonly state: ObligationState;
  readonly basis: string;
}

/**
 * A subject's statutory obligations, derived from its public chain and the time now: each rule of
 * DEADLINE_RULES the chain started, whether and when it was met, and whether that was late. An
 * obligation the subject can no longer meet (it died before reporting) is void, not overdue.
 */
export function obligationsOf(
  entries: readonly Entry[],
  now: string,
  calendar: WorkingCalendar,
  rules: readonly DeadlineRule[] = DEADLINE_RULES,
): Obligation[] {
  const chain: ChainContext = {
    entries,
    facts: effectiveFacts(entries),
    status: deriveStatus(entries[0]?.subjectRef ?? '', entries),
    now,
    calendar,
  };
  const obligations: Obligation[] = [];
  for (const rule of rules.filter((r) => !r.untracked)) {
    for (const [index, start] of entries.entries()) {
      const obligation = obligationStartedBy(rule, index, start, chain);
      if (obligation) obligations.push(obligation);
    }
  }
  return obligations.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}

/** The subject's chain as obligations read it: entries, their facts as amended, the status, and the time now. */
interface ChainContext {
  readonly entries: readonly Entry[];
  readonly facts: ReadonlyMap<string, Facts>;
  readonly status: SubjectStatus;
  readonly now: string;
  readonly calendar: WorkingCalendar;
}

/** The obligation a rule puts on the subject from the entry at `index`, if that entry starts its clock. */
function obligationStartedBy(rule: DeadlineRule, index: number, start: Entry, chain: ChainContext): Obligation | undefined {
  const startFacts = chain.facts.get(start.id) ?? start.facts;
  const clock = startOf(rule, start, startFacts, chain.status);
  const amount = allowedAmount(rule, startFacts);
  if (!clock || amount === undefined) return undefined;
  const due = dueAt(clock, amount, rule.unit, chain.calendar);
  const meeting = firstMeeting(rule, index, start, chain);
  const agency = obligatedAgency(rule.due, chain.status, startFacts);
  return {
    rule: rule.id,
    event: rule.due,
    agency,
    unit: obligatedUnit(rule.due, agency, chain.status),
    startedBy: start.id,
    startedAt: start.occurredAt,
    dueAt: due,
    metBy: meeting?.id ?? null,
    metAt: meeting?.occurredAt ?? null,
    state: obligationState(rule, start, due, meeting, chain),
    basis: rule.basis,
  };
}

/**
 * The rule's limit, or its shorter one when the starting document asks for it, or the period the
 * starting entry states; undefined when the entry states none.
 */
function allowedAmount(rule: DeadlineRule, startFacts: Facts): number | undefined {
  if (rule.expedited && startFacts[rule.expedited.flag] === true) return rule.expedited.amount;
  if (typeof rule.amount === 'number') return rule.amount;
  const stated = startFacts[rule.amount.fact];
  return typeof stated === 'number' && Number.isInteger(stated) && stated >= 0 ? stated : undefined;
}

function holds(condition: FactCondition | undefined, facts: Facts): boolean {
  if (!condition) return true;
  const value = facts[condition.fact];
  return 'equals' in condition ? value === condition.equals : value !== undefined && condition.oneOf.includes(value);
}

/**
 * The first entry that meets the obligation. When an event starts the clock for its own next
 * occurrence (a change that must be repeated), the starting entry itself does not count.
 */
function firstMeeting(rule: DeadlineRule, index: number, start: Entry, chain: ChainContext): Entry | undefined {
  const from = rule.due === start.type && 'event' in rule.from ? index + 1 : index;
  return chain.entries.slice(from).find((e) => meets(rule, e, start, chain.facts));
}

function obligationState(rule: DeadlineRule, start: Entry, due: string, meeting: Entry | undefined, chain: ChainContext): ObligationState {
  if (meeting) return Date.parse(meeting.occurredAt) <= Date.parse(due) ? 'met' : 'late';
  if (cannotBeMet(rule.due, chain.status) || nothingLeftToAnswer(rule.due, start, chain.status)) return 'void';
  return Date.parse(chain.now) > Date.parse(due) ? 'overdue' : 'open';
}

/**
 * An answer (a reply, an answer to a reconsideration) is owed only while its matter is open: an
 * opinion withdrawn on reconsideration needs no reply, and a matter closed by the reply needs no
 * answer to a reconsideration still pending.
 */
function nothingLeftToAnswer(event: EventType, start: Entry, status: SubjectStatus): boolean {
  return EVENT_CATALOG[event].publicFields.includes('answers') && matterAnswered(status, start.id) === undefined;
}

/** Where a rule's clock starts for this entry, or undefined when the entry does not start it. */
function startOf(rule: DeadlineRule, start: Entry, facts: Facts, status: SubjectStatus): string | undefined {
  if (!holds(rule.when, facts)) return undefined;
  if ('event' in rule.from) return start.type === rule.from.event ? start.occurredAt : undefined;
  // Date facts belong to the handover; the term end is the current one (commutations, amendments).
  if (start.type !== 'SENTENCE_HANDOVER') return undefined;
  if (rule.from.fact === 'termEnd') return status.termEnd ?? undefined;
  const value = facts[rule.from.fact];
  return typeof value === 'string' ? value : undefined;
}

function meets(rule: DeadlineRule, candidate: Entry, start: Entry, facts: ReadonlyMap<string, Facts>): boolean {
  if (candidate.type !== rule.due) return false;
  if (Date.parse(candidate.recordedAt) < Date.parse(start.recordedAt)) return false;
  const candidateFacts = facts.get(candidate.id) ?? candidate.facts;
  // An answer (a reply, an answer to a reconsideration) meets only what the entry it answers started.
  if (candidateFacts['answers'] !== undefined) return candidateFacts['answers'] === start.id;
  if (rule.due === 'HANDOVER_RECEIPT' && start.type === 'DOCUMENTS_SERVED') return candidateFacts['acknowledges'] === start.id;
  return true;
}

/** The due event can no longer be recorded in the subject's state. */
function cannotBeMet(event: EventType, status: SubjectStatus): boolean {
  const from = EVENT_CATALOG[event].from;
  return from !== 'RECORDED' && !from.includes(status.state) && ['RELEASED', 'COMMITTED', 'DECEASED', 'REVOKED'].includes(status.state);
}

function obligatedAgency(event: EventType, status: SubjectStatus, startFacts: Facts): Agency | null {
  const definition = EVENT_CATALOG[event];
  switch (definition.recorderRule) {
    case 'DECISION_ORGAN':
    case 'HANDOVER_ORGAN':
    case 'REVOKING_ORGAN':
      return status.decisionOrgan ?? definition.recordedBy[0] ?? null;
    case 'COMMITTING_ORGAN':
      return committingOrgan(status);
    case 'ADDRESSED_AGENCY':
      return (startFacts['addressedTo'] as Agency | undefined) ?? null;
    default:
      return definition.recordedBy[0] ?? null;
  }
}

/**
 * The unit that must meet an obligation: the organ that decided answers as its deciding unit
 * (a handover, a ruling, a committal of its own 收监), every other body as the unit of the place of
 * execution, where the subject is now.
 */
function obligatedUnit(event: EventType, agency: Agency | null, status: SubjectStatus): string | null {
  if (agency === null) return null;
  const ofThePlace = EVENT_CATALOG[event].jurisdiction === 'EXECUTION_PLACE';
  return agency === status.decisionOrgan && !ofThePlace ? status.decisionUnit : status.executionPlace;
}
