import type { Agency } from './agencies.js';
import type { Entry } from './entry.js';
import type { SubjectStatus } from './status.js';
import { covers, defaultUnitKind, type Actor, type UnitKind } from './units.js';

/**
 * Where a unit may record an event: the law makes each step the business of the bodies of the
 * place where correction is carried out (L8, L9), of the organ that decided it, or of any organ of
 * a kind (any court hands over; any authority that detains says so). A unit covers its own place
 * and every place below it.
 */
export type JurisdictionRule =
  /** Any unit of an agency that may record the event. */
  | 'ANY'
  /** A unit covering the subject's place of execution (its jurisdiction). */
  | 'EXECUTION_PLACE'
  /** A unit covering the unit that decided the correction (recorded the handover). */
  | 'DECISION_UNIT'
  /** The organ that decided the correction, or the body of the place of execution. */
  | 'DECISION_OR_PLACE'
  /** A ruling on revocation: any court trying a new crime (L46 ¶2); otherwise as DECISION_OR_PLACE. */
  | 'RULING'
  /** 收监: the police of the place (L48 ¶3); the prison administration where it decided (L49 ¶4). */
  | 'COMMITTAL'
  /** An answer of the addressed agency: a court of the decision or the place; the others of the place. */
  | 'ANSWER'
  /** Only the unit that recorded the amended entry, or one above it. */
  | 'AMENDED_UNIT';

/** What each jurisdiction rule means, as the published catalog explains it. */
export const JURISDICTION_RULE_TEXT: Readonly<Record<JurisdictionRule, string>> = {
  ANY: 'any unit of the agencies that record it',
  EXECUTION_PLACE: "a unit covering the subject's place of execution",
  DECISION_UNIT: 'a unit covering the unit that decided the correction',
  DECISION_OR_PLACE: 'a unit covering the deciding unit or the place of execution',
  RULING: 'with newCrime any court; otherwise a court covering the deciding unit or the place of execution',
  COMMITTAL: 'the police covering the place of execution; the prison administration covering the deciding unit',
  ANSWER: 'a court covering the deciding unit or the place of execution; other agencies covering the place of execution',
  AMENDED_UNIT: 'a unit covering the unit that recorded the amended entry',
};

/** The facts a jurisdiction rule looks at: who acts, where the subject stands, what the entry says. */
export interface JurisdictionContext {
  readonly actor: Actor;
  readonly status: SubjectStatus;
  readonly facts: Readonly<Record<string, unknown>>;
  readonly amended: Entry | undefined;
}

type Rule = (context: JurisdictionContext) => string | undefined;

const place: Rule = ({ actor, status }) =>
  covers(actor.unit, status.executionPlace) ? undefined : `the place of execution is ${status.executionPlace ?? 'unknown'}`;

const decision: Rule = ({ actor, status }) =>
  covers(actor.unit, status.decisionUnit) ? undefined : `the deciding unit is ${status.decisionUnit ?? 'unknown'}`;

const decisionOrPlace: Rule = (context) => {
  if (decision(context) === undefined || place(context) === undefined) return undefined;
  const { status } = context;
  return `neither the deciding unit (${status.decisionUnit ?? 'unknown'}) nor the place of execution (${status.executionPlace ?? 'unknown'})`;
};

/** Each rule returns why the actor's unit may not record the event, or undefined if it may. */
const RULES: Readonly<Record<JurisdictionRule, Rule>> = {
  ANY: () => undefined,
  EXECUTION_PLACE: place,
  DECISION_UNIT: decision,
  DECISION_OR_PLACE: decisionOrPlace,
  RULING: (context) => (context.facts['newCrime'] === true ? undefined : decisionOrPlace(context)),
  COMMITTAL: (context) => (context.actor.agency === 'POLICE' ? place(context) : decision(context)),
  ANSWER: (context) => (context.actor.agency === 'COURT' ? decisionOrPlace(context) : place(context)),
  AMENDED_UNIT: ({ actor, amended }) =>
    amended && !covers(actor.unit, amended.unit) ? `the amended entry was recorded by unit ${amended.unit}` : undefined,
};

/** Why the actor's unit is outside the event's jurisdiction over this subject, or undefined. */
export function jurisdictionRefusal(rule: JurisdictionRule, context: JurisdictionContext): string | undefined {
  return RULES[rule](context);
}

/**
 * Why the actor's kind of unit may not record an event, or undefined. An event names the kinds of
 * each agency that record it; an agency it does not name records it with its default kind (a
 * justice bureau, public security). An agency-wide principal acts as every kind of its agency.
 */
export function unitKindRefusal(actor: Actor, kinds: Partial<Readonly<Record<Agency, readonly UnitKind[]>>> | undefined): string | undefined {
  if (actor.unitKind === null) return undefined;
  const allowed = kinds?.[actor.agency] ?? [defaultUnitKind(actor.agency)];
  return allowed.includes(actor.unitKind) ? undefined : `only ${allowed.join(' or ')} units of ${actor.agency} record it`;
}
