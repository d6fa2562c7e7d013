import {
  COLLECTIONS,
  documentJsonSchema,
  EVENT_CATALOG,
  EXPECTED_ATTACHMENTS,
  EVENT_TYPES,
  JURISDICTION_RULE_TEXT,
  NOTIFY_ROLE_TEXT,
  ORDER_RULES,
  RECORDER_RULE_TEXT,
  defaultUnitKind,
  type Agency,
  type CollectionTarget,
  type DeadlineRule,
  type EventType,
  type JsonSchema,
  type NotifyTarget,
  type OrderRule,
  type State,
  type UnitKind,
} from 'correction-chaincode/domain';

/** A deadline rule as published: every optional mark spelled out. */
export interface PublishedDeadline {
  readonly id: string;
  readonly from: DeadlineRule['from'];
  readonly amount: DeadlineRule['amount'];
  readonly unit: DeadlineRule['unit'];
  readonly expedited: DeadlineRule['expedited'] | null;
  readonly when: DeadlineRule['when'] | null;
  readonly basis: string;
  readonly unverified: boolean;
  readonly untracked: boolean;
}

/** One event of the catalog, as a client or a console needs it to build a form and to know who acts. */
export interface PublishedEvent {
  readonly code: EventType;
  readonly name: string;
  readonly recordedBy: readonly Agency[];
  readonly recorderRule: { readonly rule: string; readonly text: string } | null;
  /** Which units of those agencies may record it for a subject. */
  readonly jurisdiction: { readonly rule: string; readonly text: string };
  /** The kinds of unit of each recording agency that record it. */
  readonly unitKinds: Readonly<Partial<Record<Agency, readonly UnitKind[]>>>;
  readonly from: readonly State[] | 'RECORDED';
  readonly to: State | null;
  readonly notify: readonly NotifyTarget[];
  readonly collection: CollectionTarget;
  readonly publicFields: readonly string[];
  /** Titles of the files the event is expected to come with (its document's `attachments`). */
  readonly expectedAttachments: readonly string[];
  /** JSON Schema (draft 2020-12) of the document as a client sends it. */
  readonly document: JsonSchema;
  /** Date fields that must not come before others: what the JSON Schema cannot say. */
  readonly orderRules: readonly OrderRule[];
  /** The deadline rules in force that this event meets. */
  readonly deadlines: readonly PublishedDeadline[];
  readonly basis: string;
}

export interface PublishedCatalog {
  readonly events: readonly PublishedEvent[];
  /** What the role names in `notify` stand for. */
  readonly notifyRoles: Readonly<Record<string, string>>;
  /** The agencies of each private data collection. */
  readonly collections: Readonly<Record<string, readonly Agency[]>>;
}

function publishedDeadline(rule: DeadlineRule): PublishedDeadline {
  return {
    id: rule.id,
    from: rule.from,
    amount: rule.amount,
    unit: rule.unit,
    expedited: rule.expedited ?? null,
    when: rule.when ?? null,
    basis: rule.basis,
    unverified: rule.unverified === true,
    untracked: rule.untracked === true,
  };
}

function publishedEvent(code: EventType, rules: readonly DeadlineRule[]): PublishedEvent {
  const definition = EVENT_CATALOG[code];
  const rule = definition.recorderRule;
  return {
    code,
    name: definition.name,
    recordedBy: definition.recordedBy,
    recorderRule: rule ? { rule, text: RECORDER_RULE_TEXT[rule] } : null,
    jurisdiction: { rule: definition.jurisdiction, text: JURISDICTION_RULE_TEXT[definition.jurisdiction] },
    unitKinds: Object.fromEntries(definition.recordedBy.map((agency) => [agency, definition.unitKinds?.[agency] ?? [defaultUnitKind(agency)]])),
    from: definition.from,
    to: definition.to ?? null,
    notify: definition.notify,
    collection: definition.collection,
    publicFields: definition.publicFields,
    expectedAttachments: EXPECTED_ATTACHMENTS[code] ?? [],
    document: documentJsonSchema(code),
    orderRules: ORDER_RULES[code] ?? [],
    deadlines: rules.filter((r) => r.due === code).map(publishedDeadline),
    basis: definition.basis,
  };
}

/**
 * The event catalog as this gateway applies it — the contract's catalog and the deadline rules in
 * force — built once: it changes only with the code or the configuration.
 */
export function publishCatalog(rules: readonly DeadlineRule[]): PublishedCatalog {
  return {
    events: EVENT_TYPES.map((code) => publishedEvent(code, rules)),
    notifyRoles: NOTIFY_ROLE_TEXT,
    collections: COLLECTIONS,
  };
}
