import { z } from 'zod';
import { AGENCIES, ALL_UNIT_KINDS, ATTACHMENT_MEDIA_TYPES, COLLECTIONS, CORRECTION_TYPES, DETENTION_GROUNDS, EVENT_TYPES, READ_REASONS, READ_TARGETS, ROLES, STATES } from 'correction-chaincode/domain';
import { PROBLEMS } from '../errors.js';

/** Response shapes of the API, as zod schemas: the OpenAPI document is generated from them and tests parse real answers with them. */
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const agency = z.enum(AGENCIES);
const date = z.iso.date();
const unit = z.string().meta({ description: 'A GB/T 2260 division code (2, 4, 6 or 9 digits), or * for the whole agency' });
const unitKind = z.enum(ALL_UNIT_KINDS);
const address = z.object({ agency, unit });

export const EntrySchema = z
  .object({
    id: z.string().regex(/^[0-9a-f]{32}$/),
    subjectRef: hex64,
    seq: z.number().int().min(1),
    type: z.enum(EVENT_TYPES as [string, ...string[]]),
    agency,
    unit: unit.meta({ description: 'The recording unit' }),
    occurredAt: z.string(),
    recordedAt: z.iso.datetime(),
    facts: z.record(z.string(), z.unknown()),
    notify: z.array(agency),
    to: z.array(address).meta({ description: 'The units the entry is addressed to: of the place of execution (old and new on a change), the deciding unit' }),
    collection: z.enum(Object.keys(COLLECTIONS) as [string, ...string[]]),
    docHash: hex64,
    amends: z.string().nullable(),
    prevHash: hex64,
    txId: z.string().min(1),
    hash: hex64,
  })
  .meta({ id: 'Entry' });

export const SubjectStatusSchema = z
  .object({
    subjectRef: hex64,
    state: z.enum(STATES),
    correctionType: z.enum(CORRECTION_TYPES).nullable(),
    decisionOrgan: agency.nullable(),
    decisionUnit: z.string().nullable(),
    commissionedBy: agency.nullable(),
    commissioningUnit: z.string().nullable(),
    effectiveDate: date.nullable(),
    termStart: date.nullable(),
    termEnd: date.nullable(),
    executionPlace: z.string().nullable().meta({ description: "The subject's jurisdiction: a 6- or 9-digit division code" }),
    sealed: z.boolean().meta({ description: 'A juvenile record: read in full by the justice bureau and procuratorate of the jurisdiction and the deciding court only, every read recorded' }),
    flags: z.object({
      absconded: z.boolean(),
      detained: z.boolean(),
      revocationPending: z.boolean(),
      electronicMonitoring: z.boolean(),
    }),
    detention: z.enum(DETENTION_GROUNDS).nullable().meta({ description: 'Why the subject is held: ARREST pending a revocation ruling (L47), OTHER restrictions of liberty (L32)' }),
    leave: z.object({ from: date, to: date }).nullable(),
    warningCount: z.number().int().meta({ description: 'Warnings issued; revocation for warnings also needs continued non-compliance (SPCI543), which the court weighs' }),
    reprimandCount: z.number().int(),
    commendationCount: z.number().int(),
    openMatters: z.array(
      z.object({
        opinionEntryId: z.string(),
        addressedTo: agency,
        openedAt: z.string(),
        reconsideration: z.object({ requestEntryId: z.string(), state: z.enum(['REQUESTED', 'UPHELD']) }).nullable(),
      }),
    ),
    mayLeaveCountry: z.boolean().meta({ description: 'False for defendants and for convicts with unfinished sentences (Exit-Entry Administration Law 12(二))' }),
    entryCount: z.number().int(),
    lastEntryId: z.string().nullable(),
    lastHash: hex64,
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'SubjectStatus' });

export const MinimalStatusSchema = z
  .object({
    subjectRef: hex64,
    view: z.literal('minimal'),
    state: z.enum(STATES),
    correctionType: z.enum(CORRECTION_TYPES).nullable(),
    mayLeaveCountry: z.boolean(),
    absconded: z.boolean(),
    sealed: z.boolean(),
  })
  .meta({ id: 'MinimalStatus', description: 'What a unit outside the jurisdiction reads, and a reader of a sealed record with a purpose' });

/** A status as the caller may read it. */
export const StatusViewSchema = z.union([SubjectStatusSchema, MinimalStatusSchema]).meta({ id: 'StatusView' });

export const RecordedSchema = z
  .object({ entry: EntrySchema, status: StatusViewSchema, receipt: z.string().meta({ description: 'JWS (ES256) by the gateway over the entry hash, tx id and time' }) })
  .meta({ id: 'Recorded' });

const ProblemFields = z.looseObject({ code: z.string(), status: z.number().int(), detail: z.string() });

export const SubmissionSchema = z
  .object({
    id: z.uuid(),
    state: z.enum(['pending', 'committed', 'refused']).meta({ description: 'pending until the ledger commits or refuses it' }),
    subjectRef: hex64,
    type: z.enum(EVENT_TYPES as [string, ...string[]]),
    acceptedAt: z.iso.datetime(),
    settledAt: z.iso.datetime().optional(),
    entry: EntrySchema.optional().meta({ description: 'committed: the entry' }),
    status: StatusViewSchema.optional().meta({ description: 'committed: the subject status after the entry' }),
    receipt: z.string().optional().meta({ description: 'committed: the receipt, as for 201' }),
    problem: ProblemFields.optional().meta({ description: 'refused: the problem the ledger answered, as it would have been answered at once' }),
  })
  .meta({ id: 'Submission' });

export const LookupResultSchema = z.object({ ref: hex64, status: StatusViewSchema }).meta({ id: 'LookupResult' });

const actorFields = { agency, unit, unitKind: unitKind.nullable(), role: z.enum(ROLES), sub: z.string() };

export const AccessTrailSchema = z
  .object({
    subjectRef: hex64,
    reads: z.array(
      z.object({
        subjectRef: hex64,
        txId: z.string(),
        at: z.iso.datetime(),
        ...actorFields,
        purpose: z.object({ caseNumber: z.string(), reason: z.enum(READ_REASONS) }).nullable(),
        what: z.enum(READ_TARGETS),
        entryId: z.string().nullable(),
        view: z.enum(['full', 'minimal']),
      }),
    ).meta({ description: 'Every recorded read: who, unit, role, purpose, what, when — never what was read' }),
    writes: z.array(
      z.object({ subjectRef: hex64, entryId: z.string(), seq: z.number().int(), type: z.string(), txId: z.string(), at: z.iso.datetime(), ...actorFields }),
    ).meta({ description: 'Who wrote each entry, as its gateway asserted' }),
  })
  .meta({ id: 'AccessTrail' });

export const EntryWithDocumentSchema = z
  .object({
    entry: EntrySchema,
    document: z.record(z.string(), z.unknown()).optional(),
    answeredBy: z.array(z.object({ entryId: z.string(), type: z.string(), agency, occurredAt: z.string(), recordedAt: z.string() })),
  })
  .meta({ id: 'EntryWithDocument' });

export const VerifyResultSchema = z
  .object({
    valid: z.boolean(),
    entry: EntrySchema,
    checks: z.object({ docHash: z.boolean(), chainLink: z.boolean(), entryHash: z.boolean() }),
  })
  .meta({ id: 'VerifyResult' });

export const StoredFileSchema = z
  .object({ hash: hex64, size: z.number().int().min(1), mediaType: z.enum(ATTACHMENT_MEDIA_TYPES) })
  .meta({ id: 'StoredFile', description: 'A file the gateway keeps: its SHA-256, size in bytes and media type (told by its leading bytes)' });

export const FileMatchSchema = z
  .object({
    entryId: z.string(),
    hash: hex64,
    size: z.number().int().min(0),
    matches: z.boolean(),
    attachment: z
      .object({ index: z.number().int().min(0), hash: hex64, size: z.number().int(), mediaType: z.enum(ATTACHMENT_MEDIA_TYPES), title: z.string().optional() })
      .optional()
      .meta({ description: 'The attachment of the entry the file is; its title where the entry shows it (not for a sealed record)' }),
  })
  .meta({ id: 'FileMatch', description: 'Which attachment of the entry a file is, or that it matches none' });

export const VerifyAnswerSchema = z.union([VerifyResultSchema, FileMatchSchema]).meta({ id: 'VerifyAnswer' });

const AuditProblemSchema = z.object({
  kind: z.string(),
  detail: z.string(),
  block: z.number().int().optional(),
  subjectRef: z.string().optional(),
  entryId: z.string().optional(),
  seq: z.number().int().optional(),
  txId: z.string().optional(),
});

export const AuditReportSchema = z
  .object({
    ok: z.boolean(),
    scope: z.enum(['ledger', 'subject']),
    blocks: z.number().int().optional(),
    subjects: z.number().int(),
    entries: z.number().int(),
    problems: z.array(AuditProblemSchema),
    checks: z
      .array(
        z.object({
          name: z.string(),
          status: z.enum(['PASS', 'FAIL']),
          failures: z.number().int(),
          detail: z.string(),
          firstFailure: AuditProblemSchema.optional(),
        }),
      )
      .optional()
      .describe('Fabric: each check of the whole-channel audit, naming its first failure'),
    complete: z.boolean().optional(),
    resumedFromBlock: z.number().int().optional(),
    genesisHash: z.string().optional(),
  })
  .meta({ id: 'AuditReport' });

export const ProblemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(Object.keys(PROBLEMS) as [string, ...string[]]),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    currentState: z.enum(STATES).optional(),
  })
  .meta({ id: 'Problem' });

const agencyOrNull = agency.nullable();

export const ObligationSchema = z
  .object({
    subjectRef: hex64.optional(),
    rule: z.string(),
    event: z.enum(EVENT_TYPES as [string, ...string[]]),
    agency: agencyOrNull,
    unit: z.string().nullable().meta({ description: 'The obligated unit' }),
    startedBy: z.string(),
    startedAt: z.string(),
    dueAt: z.string(),
    metBy: z.string().nullable(),
    metAt: z.string().nullable(),
    state: z.enum(['open', 'overdue', 'met', 'late', 'void']),
    basis: z.string(),
  })
  .meta({ id: 'Obligation' });

export const SubjectObligationsSchema = z
  .object({ subjectRef: hex64, asOf: z.string(), obligations: z.array(ObligationSchema) })
  .meta({ id: 'SubjectObligations' });

export const ObligationListSchema = z.object({ asOf: z.string(), obligations: z.array(ObligationSchema) }).meta({ id: 'ObligationList' });

/** A C2SP checkpoint (c2sp.org/tlog-checkpoint) with its cosignature lines (c2sp.org/tlog-cosignature). */
const note = z.string().meta({ description: 'A C2SP signed note: origin, size and base64 root lines, a blank line, then cosignature/v1 lines of agencies and witnesses' });

export const SignedCheckpointSchema = z
  .object({ treeSize: z.number().int().min(1), root: hex64, note, finalAt: z.string() })
  .meta({ id: 'SignedCheckpoint' });

export const LogStateSchema = z
  .object({ origin: z.string(), size: z.number().int().min(0), root: hex64, latestFinal: SignedCheckpointSchema.nullable() })
  .meta({ id: 'LogState' });

export const CheckpointListSchema = z
  .object({ checkpoints: z.array(SignedCheckpointSchema), next: z.number().int().min(1).optional() })
  .meta({ id: 'CheckpointList' });

export const LeafRangeSchema = z
  .object({ start: z.number().int().min(0), leaves: z.array(z.object({ index: z.number().int().min(0), entryHash: hex64 })) })
  .meta({ id: 'LeafRange' });

export const ConsistencyProofSchema = z
  .object({ from: SignedCheckpointSchema, to: SignedCheckpointSchema, proof: z.array(hex64) })
  .meta({ id: 'ConsistencyProof' });

const inclusionFields = {
  entryHash: hex64,
  leafIndex: z.number().int().min(0),
  treeSize: z.number().int().min(1),
  auditPath: z.array(hex64),
  checkpoint: SignedCheckpointSchema,
};

export const LeafInclusionProofSchema = z.object(inclusionFields).meta({ id: 'LeafInclusionProof' });

export const InclusionProofSchema = z.object({ entryId: z.string(), ...inclusionFields }).meta({ id: 'InclusionProof' });

export const EvidenceBundleSchema = z
  .object({
    version: z.literal(2),
    entry: EntrySchema,
    chain: z.array(EntrySchema),
    receipt: z.string().nullable(),
    inclusion: z.object({ leafIndex: z.number().int().min(0), treeSize: z.number().int().min(1), auditPath: z.array(hex64) }),
    checkpoint: note,
    fabric: z
      .object({ channel: z.string(), blockNumber: z.number().int().min(0), txId: z.string(), block: z.string() })
      .optional(),
  })
  .meta({ id: 'EvidenceBundle' });

export const HealthSchema = z.object({ status: z.string() }).meta({ id: 'Health' });

export const WebhookSchema = z
  .object({
    id: z.string(),
    agency,
    unit: z.string().optional().meta({ description: 'The unit that registered it: notices addressed to it and the units below it are delivered' }),
    url: z.string(),
    events: z.array(z.string()),
    createdAt: z.string(),
    cursor: z.number().int().min(0).meta({ description: 'The last notice the receiver acknowledged: deliveries go on after it' }),
    state: z.enum(['active', 'failing']).meta({ description: 'failing: the receiver failed for WEBHOOK_GIVE_UP_HOURS, deliveries paused until resumed' }),
    failingSince: z.string().nullable().meta({ description: 'The first failed attempt since the receiver last acknowledged a notice' }),
    pausedAt: z.string().nullable().meta({ description: 'When deliveries paused' }),
    attempts: z.number().int().min(0).meta({ description: 'Delivery attempts so far' }),
    lastAttemptAt: z.string().nullable().meta({ description: 'When the latest attempt was made' }),
  })
  .meta({ id: 'Webhook' });

export const WebhookListSchema = z
  .object({ webhooks: z.array(WebhookSchema), limit: z.number().int().min(1).meta({ description: 'Webhooks the agency may have at once' }) })
  .meta({ id: 'WebhookList' });

export const DeliverySchema = z
  .object({
    webhookId: z.string(),
    noticeId: z.number().int(),
    attempt: z.number().int().meta({ description: 'Attempt number at this notice' }),
    at: z.string(),
    ok: z.boolean(),
    status: z.number().int().nullable(),
    error: z
      .string()
      .optional()
      .meta({ description: 'Why it failed: a connection error code (ECONNREFUSED, ENOTFOUND, ETIMEDOUT, a TLS certificate code …), REFUSED_HOST, REFUSED_ADDRESS, REDIRECT, or HTTP_<status>' }),
  })
  .meta({ id: 'Delivery' });

const collectionTarget = z.union([
  z.string(),
  z.object({ firstHolding: z.enum(['RECORDER', 'COMMISSIONER']), of: z.array(z.string()) }),
]);

const factCondition = z.union([z.object({ fact: z.string(), equals: z.unknown() }), z.object({ fact: z.string(), oneOf: z.array(z.unknown()) })]);

export const PublishedDeadlineSchema = z
  .object({
    id: z.string(),
    from: z.union([z.object({ event: z.enum(EVENT_TYPES as [string, ...string[]]) }), z.object({ fact: z.string() })]),
    amount: z.union([z.number().int(), z.object({ fact: z.string() })]).meta({ description: 'Units, or the public fact of the starting entry that states them' }),
    unit: z.enum(['days', 'workingDays', 'hours', 'months']),
    expedited: z.object({ flag: z.string(), amount: z.number().int() }).nullable(),
    when: factCondition.nullable(),
    basis: z.string(),
    unverified: z.boolean().meta({ description: 'The period comes from a text not yet checked (the Implementation Measures)' }),
    untracked: z.boolean().meta({ description: 'The clock starts off the public ledger: no obligation is derived' }),
  })
  .meta({ id: 'PublishedDeadline' });

export const PublishedEventSchema = z
  .object({
    code: z.enum(EVENT_TYPES as [string, ...string[]]),
    name: z.string(),
    recordedBy: z.array(agency),
    recorderRule: z.object({ rule: z.string(), text: z.string() }).nullable(),
    jurisdiction: z.object({ rule: z.string(), text: z.string() }).meta({ description: 'Which units of the recording agencies may record it for a subject' }),
    unitKinds: z.record(z.string(), z.array(unitKind)).meta({ description: 'The kinds of unit of each recording agency that record it' }),
    from: z.union([z.array(z.enum(STATES)), z.literal('RECORDED')]).meta({ description: 'States the event is allowed from; RECORDED: any state of a subject with entries' }),
    to: z.enum(STATES).nullable(),
    notify: z.array(z.string()).meta({ description: 'Agencies, or roles resolved per subject (see notifyRoles)' }),
    collection: collectionTarget.meta({
      description: 'Private data collection of the document; AS_AMENDED: the amended entry\'s; firstHolding: the first of `of` that holds the recorder or the commissioner',
    }),
    publicFields: z.array(z.string()),
    expectedAttachments: z.array(z.string()),
    document: z.record(z.string(), z.unknown()).meta({ description: 'JSON Schema (draft 2020-12) of the document, generated from the schema the contract checks' }),
    orderRules: z.array(z.object({ earlier: z.string(), later: z.string(), sameAllowed: z.boolean() })),
    deadlines: z.array(PublishedDeadlineSchema),
    basis: z.string().meta({ description: 'Articles: L (Community Correction Law), SPCI, SPPR, IM (Implementation Measures)' }),
  })
  .meta({ id: 'PublishedEvent' });

export const CatalogSchema = z
  .object({
    events: z.array(PublishedEventSchema),
    notifyRoles: z.record(z.string(), z.string()),
    collections: z.record(z.string(), z.array(agency)),
  })
  .meta({ id: 'Catalog' });

export const EntryListSchema = z.array(EntrySchema).meta({ id: 'EntryList' });
export const DeliveryListSchema = z.array(DeliverySchema).meta({ id: 'DeliveryList' });

export const DevTokenSchema = z
  .object({ token: z.string().meta({ description: 'A bearer token (ES256 JWT)' }), expiresAt: z.iso.datetime() })
  .meta({ id: 'DevToken' });

export const TokenClaimsSchema = z
  .object({
    issuer: z.string().optional().meta({ description: 'The iss a token must carry (TOKEN_ISSUER); absent when any or none is taken' }),
    audience: z.string().optional().meta({ description: 'The aud a token must name (TOKEN_AUDIENCE); absent when any or none is taken' }),
    maxLifetimeSeconds: z.number().int().min(1).meta({ description: 'The longest a token may live from iat to exp (TOKEN_MAX_LIFETIME_SECONDS)' }),
  })
  .meta({ id: 'TokenClaims', description: 'What a token this gateway accepts must claim besides who: for a console signing tokens with a user\'s own key' });

/** What a gateway answers the cosignatures another sends it. */
export const OffChainReceiptSchema = z
  .strictObject({
    kept: z.number().int().min(0).meta({ description: 'Cosignatures of sizes this log holds, kept and weighed' }),
    pending: z.number().int().min(0).meta({ description: 'Cosignatures of sizes this log has not reached yet, held until it does' }),
  })
  .meta({ id: 'OffChainReceipt' });
