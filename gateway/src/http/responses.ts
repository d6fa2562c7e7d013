import { z } from 'zod';
import { AGENCIES, COLLECTIONS, CORRECTION_TYPES, EVENT_TYPES, STATES } from 'correction-chaincode/domain';
import { PROBLEMS } from '../errors.js';

/** Response shapes of the API, as zod schemas: the OpenAPI document is generated from them and tests parse real answers with them. */
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const agency = z.enum(AGENCIES);
const date = z.iso.date();

export const EntrySchema = z
  .object({
    id: z.string().regex(/^[0-9a-f]{32}$/),
    subjectRef: hex64,
    seq: z.number().int().min(1),
    type: z.enum(EVENT_TYPES as [string, ...string[]]),
    agency,
    occurredAt: z.string(),
    recordedAt: z.iso.datetime(),
    facts: z.record(z.string(), z.unknown()),
    notify: z.array(agency),
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
    commissionedBy: agency.nullable(),
    effectiveDate: date.nullable(),
    termStart: date.nullable(),
    termEnd: date.nullable(),
    executionPlace: z.string().nullable(),
    flags: z.object({
      absconded: z.boolean(),
      detained: z.boolean(),
      revocationPending: z.boolean(),
      electronicMonitoring: z.boolean(),
    }),
    leave: z.object({ from: date, to: date }).nullable(),
    warningCount: z.number().int(),
    reprimandCount: z.number().int(),
    openMatters: z.array(z.object({ opinionEntryId: z.string(), addressedTo: agency, openedAt: z.string() })),
    mayLeaveCountry: z.boolean(),
    entryCount: z.number().int(),
    lastEntryId: z.string().nullable(),
    lastHash: hex64,
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'SubjectStatus' });

export const RecordedSchema = z
  .object({ entry: EntrySchema, status: SubjectStatusSchema, receipt: z.string().meta({ description: 'JWS (ES256) by the gateway over the entry hash, tx id and time' }) })
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
    status: SubjectStatusSchema.optional().meta({ description: 'committed: the subject status after the entry' }),
    receipt: z.string().optional().meta({ description: 'committed: the receipt, as for 201' }),
    problem: ProblemFields.optional().meta({ description: 'refused: the problem the ledger answered, as it would have been answered at once' }),
  })
  .meta({ id: 'Submission' });

export const LookupResultSchema = z.object({ ref: hex64, status: SubjectStatusSchema }).meta({ id: 'LookupResult' });

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

export const AuditReportSchema = z
  .object({
    ok: z.boolean(),
    scope: z.enum(['ledger', 'subject']),
    blocks: z.number().int().optional(),
    subjects: z.number().int(),
    entries: z.number().int(),
    problems: z.array(
      z.object({
        kind: z.string(),
        detail: z.string(),
        block: z.number().int().optional(),
        subjectRef: z.string().optional(),
        entryId: z.string().optional(),
        seq: z.number().int().optional(),
      }),
    ),
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
    url: z.string(),
    events: z.array(z.string()),
    createdAt: z.string(),
    cursor: z.number().int().min(0),
  })
  .meta({ id: 'Webhook' });

export const DeliverySchema = z
  .object({
    webhookId: z.string(),
    noticeId: z.number().int(),
    attempt: z.number().int(),
    at: z.string(),
    ok: z.boolean(),
    status: z.number().int().nullable(),
    error: z.string().optional(),
  })
  .meta({ id: 'Delivery' });

export const EntryListSchema = z.array(EntrySchema).meta({ id: 'EntryList' });
export const DeliveryListSchema = z.array(DeliverySchema).meta({ id: 'DeliveryList' });
