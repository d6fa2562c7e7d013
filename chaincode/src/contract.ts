import contractApi from 'fabric-contract-api';
import type { Iterators, StateQueryResponse } from 'fabric-shim-api';
import {
  ACTING_PRINCIPAL,
  actingPrincipalProblem,
  agencyOfMsp,
  canonicalJson,
  decideRead,
  minimalStatus,
  PURPOSE,
  readsFully,
  READ_FUNCTIONS,
  TRANSIENT_ACTOR,
  trailRefusal,
  UNITS_ATTRIBUTE,
  withinUnits,
  CHECKPOINT_CONFLICT_EVENT,
  CHECKPOINT_EVENT,
  checkpointState,
  DomainError,
  ENTRY_EVENT,
  ENTRY_ID_PATTERN,
  entryHash,
  GENESIS_HASH,
  isCollectionMember,
  checkKeyHash,
  checkReplay,
  documentHash,
  recordEntry,
  requestHash,
  statusAfter,
  SUBJECT_REF_PATTERN,
  digestReadRefusal,
  parseDigestQuery,
  sha256Hex,
  type StateDigest,
  type StateDigestPage,
  type AccessEntry,
  type AccessTrail,
  type Actor,
  type Agency,
  parseAnchors,
  type CheckpointAnchor,
  type CheckpointCosignature,
  type CheckpointEventPayload,
  type CheckpointState,
  type Entry,
  type IdempotencyRecord,
  type MinimalStatus,
  type Purpose,
  type ReadDecision,
  type ReadFunction,
  type RecordCommand,
  type RecordOutcome,
  type SubjectStatus,
  type WriterRecord,
} from './domain/index.js';
import { accessKey, entryIndexKey, entryKey, idempotencyRecordKey, subjectKey, writerKey, type EntryLocation } from './keys.js';

export { CHECKPOINT_CONFLICT_EVENT, CHECKPOINT_EVENT, ENTRY_EVENT, READ_FUNCTIONS, TRANSIENT_ACTOR, UNITS_ATTRIBUTE, type ReadFunction } from './domain/index.js';
/** Transient-map key carrying the private document of RecordEvent. */
export const TRANSIENT_DOCUMENT = 'document';


/**
 * What RecordEvent returns: the entry and the status after it, as the recorder may read it (a unit
 * outside the jurisdiction, a detaining police station elsewhere, gets the minimal status);
 * `replayed` when the key was used before.
 */
export interface RecordReply {
  readonly entry: Entry;
  readonly status: SubjectStatus | MinimalStatus;
  readonly replayed: boolean;
}

export interface VerifyResult {
  readonly valid: boolean;
  readonly entry: Entry;
  readonly checks: { readonly docHash: boolean; readonly chainLink: boolean; readonly entryHash: boolean };
}

// fabric-contract-api is CommonJS without named ESM exports.
const { Contract, Info, Returns, Transaction } = contractApi;
/**
 * Transaction methods annotate their context as `contractApi.Context`: decorator metadata then
 * names the real Context class, which is how the contract API tells the context parameter apart
 * from the transaction's arguments (a type-only import or alias would emit `Object`/`Function`).
 */
type Context = contractApi.Context;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The correction-event contract: a thin adapter from the transaction context to the domain.
 * Every decision is made by the domain's pure functions; this class loads and stores state.
 */
@Info({ title: 'CorrectionContract', description: 'Community-correction events of the four agencies' })
export class CorrectionContract extends Contract {
  constructor() {
    super('correction');
  }

  /**
   * Records one correction event. The document arrives in the transient map (key `document`) so
   * that it never appears in the proposal; only its hash and public facts reach the ledger.
   *
   * Every call carries the hash of an idempotency key, recorded per agency in the same write as
   * the entry: the same key and request again returns the first entry and writes nothing, a
   * different request with the key is refused. The key is read before anything else, so on
   * Fabric two transactions with one key cannot both commit (the second fails MVCC on the key).
   */
  @Transaction()
  @Returns('string')
  async RecordEvent(
    ctx: contractApi.Context,
    subjectRef: string,
    type: string,
    occurredAt: string,
    amends: string,
    idempotencyKeyHash: string,
  ): Promise<string> {
    return guarded(async () => {
      const actor = actorOf(ctx);
      const { agency } = actor;
      const document = transientDocument(ctx);
      checkKeyHash(idempotencyKeyHash);
      const keyState = idempotencyRecordKey(ctx.stub, agency, idempotencyKeyHash);
      const request = requestHash({ subjectRef, type, occurredAt, amends: amends || null, docHash: documentHash(document) });
      const used = await readJson<IdempotencyRecord>(ctx, keyState);
      if (used) return replay(ctx, used, request, actor);
      const outcome = await decide(ctx, { subjectRef, type, actor, occurredAt, document, amends: amends || null });
      const { entry } = outcome;
      await ctx.stub.putState(writerKey(ctx.stub, subjectRef, entry.seq), json(writerRecord(entry, actor)));
      await ctx.stub.putState(entryKey(ctx.stub, subjectRef, entry.seq), json(entry));
      await ctx.stub.putState(entryIndexKey(ctx.stub, entry.id), json({ subjectRef, seq: entry.seq }));
      await ctx.stub.putState(subjectKey(ctx.stub, subjectRef), json(outcome.status));
      await ctx.stub.putState(keyState, json({ entryId: entry.id, requestHash: request } satisfies IdempotencyRecord));
      await ctx.stub.putPrivateData(outcome.collection, entry.id, encoder.encode(canonicalJson(document)));
      ctx.stub.setEvent(ENTRY_EVENT, json(entry));
      return JSON.stringify({ entry, status: statusFor(actor, outcome.status), replayed: false } satisfies RecordReply);
    });
  }

  /** The subject's status: in full within its jurisdiction, the minimal status elsewhere. */
  @Transaction(false)
  @Returns('string')
  async GetSubjectStatus(ctx: contractApi.Context, subjectRef: string): Promise<string> {
    return guarded(() => performRead(ctx, 'GetSubjectStatus', [subjectRef], UNRECORDED));
  }

  /** The subject's chain, in order. */
  @Transaction(false)
  @Returns('string')
  async GetSubjectEntries(ctx: contractApi.Context, subjectRef: string): Promise<string> {
    return guarded(() => performRead(ctx, 'GetSubjectEntries', [subjectRef], UNRECORDED));
  }

  @Transaction(false)
  @Returns('string')
  async GetEntry(ctx: contractApi.Context, entryId: string): Promise<string> {
    return guarded(() => performRead(ctx, 'GetEntry', [entryId], UNRECORDED));
  }

  /**
   * The entry's private document, for callers whose agency is a member of its collection. Every
   * read of a document is recorded: this read-only transaction answers ACCESS_MUST_BE_RECORDED,
   * and the caller submits ReadRecorded.
   */
  @Transaction(false)
  @Returns('string')
  async GetDocument(ctx: contractApi.Context, entryId: string): Promise<string> {
    return guarded(() => performRead(ctx, 'GetDocument', [entryId], UNRECORDED));
  }

  /**
   * A read that must leave an access entry (any read of a sealed record, any read of a document),
   * submitted as a transaction: `fn` names the read-only transaction, `args` its arguments (a JSON
   * array of strings), `purpose` the reader's purpose (JSON: caseNumber and reason) or empty. It
   * writes who read what, when and why under the subject — never what was read — and answers as
   * the read-only transaction would.
   */
  @Transaction()
  @Returns('string')
  async ReadRecorded(ctx: contractApi.Context, fn: string, args: string, purpose: string): Promise<string> {
    return guarded(() => performRead(ctx, readFunctionOf(fn), readArgumentsOf(args), { recording: true, purpose: purposeOf(purpose) }));
  }

  /** Who read the subject's record (every recorded read) and who wrote each entry: for the procuratorate and auditors. */
  @Transaction(false)
  @Returns('string')
  async GetAccessTrail(ctx: contractApi.Context, subjectRef: string): Promise<string> {
    return guarded(async () => {
      const actor = actorOf(ctx);
      const status = await requireStatus(ctx, subjectRef);
      const refused = trailRefusal(actor, status);
      if (refused) throw new DomainError('FORBIDDEN', refused, { agency: actor.agency, unit: actor.unit });
      const reads = await collect(await ctx.stub.getStateByPartialCompositeKey('access', [subjectRef]), (bytes) => JSON.parse(decoder.decode(bytes)) as AccessEntry);
      const writes = await collect(await ctx.stub.getStateByPartialCompositeKey('writer', [subjectRef]), (bytes) => JSON.parse(decoder.decode(bytes)) as WriterRecord);
      reads.sort((a, b) => a.at.localeCompare(b.at) || a.txId.localeCompare(b.txId));
      return JSON.stringify({ subjectRef, reads, writes } satisfies AccessTrail);
    });
  }

  /**
   * The hash of an entry's private document as this peer holds it (readable by every agency, as
   * Fabric keeps private-data hashes for non-members too); empty if the peer holds nothing.
   */
  @Transaction(false)
  @Returns('string')
  async GetDocumentHash(ctx: contractApi.Context, entryId: string): Promise<string> {
    return guarded(async () => {
      const entry = await requireEntry(ctx, entryId);
      const hash = await ctx.stub.getPrivateDataHash(entry.collection, entryId);
      return JSON.stringify({ entryId, collection: entry.collection, hash: Buffer.from(hash).toString('hex') });
    });
  }

  /** Checks a document hash against an entry, the entry's own hash, and its link to the previous entry. */
  @Transaction(false)
  @Returns('string')
  async VerifyDocument(ctx: contractApi.Context, entryId: string, docHash: string): Promise<string> {
    return guarded(() => performRead(ctx, 'VerifyDocument', [entryId, docHash], UNRECORDED));
  }

  /**
   * Anchors the caller agency's cosignatures of the Merkle log at one or more sizes (a JSON array
   * of `{treeSize, root, signature}`), so that an agency catching up needs one transaction, not
   * one per size. The agency is the caller's MSP; one agency alone can never make a checkpoint
   * final. A root that differs from another agency's for the same size is recorded as a conflict,
   * and the transaction's one event is then the conflict alert.
   */
  @Transaction()
  @Returns('string')
  async AnchorCheckpoint(ctx: contractApi.Context, anchors: string): Promise<string> {
    return guarded(async () => {
      const agency = callerAgency(ctx);
      const parsed = parseAnchors(anchors);
      if ('issues' in parsed) throw new DomainError('INVALID_INPUT', 'invalid checkpoint', { issues: parsed.issues });
      const anchored: CheckpointCosignature[] = [];
      const conflicts: Array<CheckpointEventPayload['conflicts'][number]> = [];
      const states: CheckpointState[] = [];
      for (const anchor of parsed.anchors) {
        const { state, cosignature } = await anchorOne(ctx, agency, anchor);
        states.push(state);
        if (!cosignature) continue;
        anchored.push(cosignature);
        if (state.conflict) conflicts.push({ treeSize: anchor.treeSize, roots: Object.fromEntries(state.cosignatures.map((c) => [c.agency, c.root])) });
      }
      if (anchored.length > 0) {
        const payload: CheckpointEventPayload = { cosignatures: anchored, conflicts };
        ctx.stub.setEvent(conflicts.length > 0 ? CHECKPOINT_CONFLICT_EVENT : CHECKPOINT_EVENT, json(payload));
      }
      return JSON.stringify(states);
    });
  }

  /**
   * A page of digests of stored entries or subject statuses (`kind`), from `bookmark` on, for an
   * auditor to compare with what the channel's blocks wrote. A read-only query: Fabric pages
   * state only outside update transactions.
   */
  @Transaction(false)
  @Returns('string')
  async GetStateDigests(ctx: contractApi.Context, kind: string, bookmark: string, pageSize: string): Promise<string> {
    return guarded(async () => {
      const actor = actorOf(ctx);
      const refused = digestReadRefusal(actor);
      if (refused) throw new DomainError('FORBIDDEN', refused, { agency: actor.agency, unit: actor.unit });
      const query = parseDigestQuery(kind, bookmark, pageSize, (k) => ctx.stub.createCompositeKey(k, []));
      const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(query.kind, [], query.pageSize, query.bookmark);
      const digests: StateDigest[] = [];
      try {
        for (let result = await iterator.next(); !result.done; result = await iterator.next()) {
          digests.push({ key: ctx.stub.splitCompositeKey(result.value.key).attributes, digest: sha256Hex(result.value.value) });
        }
      } finally {
        await iterator.close();
      }
      // The shim leaves metadata out when the peer's is empty: no rows, and no next page.
      const next = (metadata as StateQueryResponse<unknown>['metadata'] | undefined)?.bookmark ?? '';
      return JSON.stringify({ digests, bookmark: next } satisfies StateDigestPage);
    });
  }

  /** The cosignatures anchored for a log size, and whether they make it final. */
  @Transaction(false)
  @Returns('string')
  async GetCheckpoint(ctx: contractApi.Context, treeSize: string): Promise<string> {
    return guarded(async () => {
      const size = Number(treeSize);
      if (!Number.isSafeInteger(size) || size <= 0) {
        throw new DomainError('INVALID_INPUT', 'invalid size', { issues: [{ path: 'treeSize', message: 'must be a positive integer' }] });
      }
      return JSON.stringify(checkpointState(size, await readCosignatures(ctx, size)));
    });
  }

  /** Liveness probe through the whole endorsement path. */
  @Transaction(false)
  @Returns('string')
  Ping(ctx: contractApi.Context): Promise<string> {
    return Promise.resolve(JSON.stringify({ ok: true, mspId: ctx.clientIdentity.getMSPID() }));
  }
}

/** Domain errors leave the contract in their wire form, so both ledgers hand the gateway a typed error. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) throw new Error(error.toWire(), { cause: error });
    throw error;
  }
}

/** Loads what the domain needs to decide on a new entry, and lets it decide. */
async function decide(ctx: Context, cmd: RecordCommand): Promise<RecordOutcome> {
  const status = await readStatus(ctx, cmd.subjectRef);
  const amended = cmd.amends ? await readEntry(ctx, cmd.amends) : undefined;
  const acknowledges = (cmd.document as { acknowledges?: unknown } | null)?.acknowledges;
  const acknowledged = cmd.type === 'HANDOVER_RECEIPT' && typeof acknowledges === 'string' && ENTRY_ID_PATTERN.test(acknowledges)
    ? await readEntry(ctx, acknowledges)
    : undefined;
  const history = cmd.type === 'AMENDMENT' && status ? await readChain(ctx, cmd.subjectRef) : undefined;
  return recordEntry(cmd, { txId: ctx.stub.getTxID(), recordedAt: transactionTime(ctx) }, { status, amended, acknowledged, history });
}

/** The first answer to a key used before, read back from the ledger; nothing is written. */
async function replay(ctx: Context, record: IdempotencyRecord, request: string, actor: Actor): Promise<string> {
  checkReplay(record, request);
  const entry = await requireEntry(ctx, record.entryId);
  const status = statusAfter(await readChain(ctx, entry.subjectRef), entry);
  return JSON.stringify({ entry, status: statusFor(actor, status), replayed: true } satisfies RecordReply);
}

function callerAgency(ctx: Context): Agency {
  const mspId = ctx.clientIdentity.getMSPID();
  const agency = agencyOfMsp(mspId);
  if (!agency) throw new DomainError('FORBIDDEN', `MSP ${mspId} is not an agency of the consortium`);
  return agency;
}

/**
 * Who acts: the agency from the caller's MSP, the unit, kind, role and staff id as its gateway
 * asserts them in the transient map — within the units its certificate names, if it names any.
 */
function actorOf(ctx: Context): Actor {
  const agency = callerAgency(ctx);
  const bytes = ctx.stub.getTransient().get(TRANSIENT_ACTOR);
  if (!bytes) throw new DomainError('FORBIDDEN', 'no acting principal: the gateway asserts who acts (transient "actor")', { agency });
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new DomainError('FORBIDDEN', 'the acting principal is not JSON', { agency });
  }
  const principal = ACTING_PRINCIPAL.safeParse(parsed);
  const problem = principal.success ? actingPrincipalProblem(agency, principal.data) : principal.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  if (!principal.success || problem) throw new DomainError('FORBIDDEN', `the acting principal is not one of ${agency}: ${problem ?? ''}`, { agency });
  const bound = ctx.clientIdentity.getAttributeValue(UNITS_ATTRIBUTE);
  if (!withinUnits(principal.data.unit, bound)) {
    throw new DomainError('FORBIDDEN', `this identity of ${agency} acts for units ${bound ?? ''} only, not ${principal.data.unit}`, { agency, unit: principal.data.unit });
  }
  return { agency, ...principal.data };
}

/** The status as the actor may read it: in full within its jurisdiction (for a sealed record, that of its readers), minimal elsewhere. */
function statusFor(actor: Actor, status: SubjectStatus): SubjectStatus | MinimalStatus {
  return readsFully(actor, status) ? status : minimalStatus(status);
}

function writerRecord(entry: Entry, actor: Actor): WriterRecord {
  const { unit, unitKind, role, sub } = actor;
  return { subjectRef: entry.subjectRef, entryId: entry.id, seq: entry.seq, type: entry.type, txId: entry.txId, at: entry.recordedAt, agency: actor.agency, unit, unitKind, role, sub };
}

/** How a read is asked: as a read-only transaction, or submitted so that it is recorded, with the reader's purpose. */
interface ReadMode {
  readonly recording: boolean;
  readonly purpose: Purpose | null;
}
const UNRECORDED: ReadMode = { recording: false, purpose: null };

/** What a read concerns: the subject, and the entry when it reads one. */
interface Located {
  readonly status: SubjectStatus;
  readonly entry?: Entry;
}

/** Each read-only transaction: what it loads, and how it answers once the read is allowed. */
interface ReadHandler {
  locate(ctx: Context, args: readonly string[]): Promise<Located>;
  answer(ctx: Context, args: readonly string[], located: Located, decision: ReadDecision, actor: Actor): Promise<unknown>;
}

const bySubject = async (ctx: Context, args: readonly string[]): Promise<Located> => ({ status: await requireStatus(ctx, args[0] ?? '') });
const byEntry = async (ctx: Context, args: readonly string[]): Promise<Located> => {
  const entry = await requireEntry(ctx, args[0] ?? '');
  return { status: await requireStatus(ctx, entry.subjectRef), entry };
};
const entryOf = (located: Located): Entry => {
  if (!located.entry) throw new Error('an entry read located no entry');
  return located.entry;
};

const READ_HANDLERS: Readonly<Record<ReadFunction, ReadHandler>> = {
  GetSubjectStatus: {
    locate: bySubject,
    answer: (_ctx, _args, { status }, decision) => Promise.resolve(decision.view === 'full' ? status : minimalStatus(status)),
  },
  GetSubjectEntries: { locate: bySubject, answer: (ctx, _args, { status }) => readChain(ctx, status.subjectRef) },
  GetEntry: { locate: byEntry, answer: (_ctx, _args, located) => Promise.resolve(entryOf(located)) },
  GetDocument: { locate: byEntry, answer: (ctx, _args, located, _decision, actor) => readDocument(ctx, entryOf(located), actor.agency) },
  VerifyDocument: { locate: byEntry, answer: (ctx, args, located) => verifyAgainst(ctx, entryOf(located), args[1] ?? '') },
};

/**
 * One read, decided by the domain: loaded, allowed (or refused), answered, and — when it must be
 * recorded and is asked as a recording read — written to the subject's access trail.
 */
async function performRead(ctx: Context, fn: ReadFunction, args: readonly string[], mode: ReadMode): Promise<string> {
  const actor = actorOf(ctx);
  const handler = READ_HANDLERS[fn];
  const located = await handler.locate(ctx, args);
  const target = READ_FUNCTIONS[fn];
  const decision = decideRead(actor, located.status, target, mode.purpose, mode.recording);
  const answer = await handler.answer(ctx, args, located, decision, actor);
  if (mode.recording) {
    const access: AccessEntry = {
      subjectRef: located.status.subjectRef,
      txId: ctx.stub.getTxID(),
      at: transactionTime(ctx),
      agency: actor.agency,
      unit: actor.unit,
      unitKind: actor.unitKind,
      role: actor.role,
      sub: actor.sub,
      purpose: mode.purpose,
      what: target,
      entryId: located.entry?.id ?? null,
      view: decision.view,
    };
    await ctx.stub.putState(accessKey(ctx.stub, access.subjectRef, access.txId), json(access));
  }
  return typeof answer === 'string' ? answer : JSON.stringify(answer);
}

async function readDocument(ctx: Context, entry: Entry, agency: Agency): Promise<string> {
  if (!isCollectionMember(entry.collection, agency)) {
    throw new DomainError('FORBIDDEN', `${agency} is not entitled to documents of ${entry.type}`);
  }
  const bytes = await ctx.stub.getPrivateData(entry.collection, entry.id);
  if (bytes.length === 0) {
    throw new DomainError('NOT_FOUND', 'the document is not held by this peer', { entryId: entry.id });
  }
  return decoder.decode(bytes);
}

async function verifyAgainst(ctx: Context, entry: Entry, docHash: string): Promise<VerifyResult> {
  const previous = entry.seq > 1 ? await readAt(ctx, { subjectRef: entry.subjectRef, seq: entry.seq - 1 }) : undefined;
  const checks = {
    docHash: entry.docHash === docHash.toLowerCase(),
    chainLink: entry.prevHash === (previous ? previous.hash : GENESIS_HASH),
    entryHash: entryHash(entry) === entry.hash,
  };
  return { valid: checks.docHash && checks.chainLink && checks.entryHash, entry, checks };
}

function readFunctionOf(fn: string): ReadFunction {
  if (Object.hasOwn(READ_FUNCTIONS, fn)) return fn as ReadFunction;
  throw new DomainError('INVALID_INPUT', 'not a read', { issues: [{ path: 'fn', message: `must be one of ${Object.keys(READ_FUNCTIONS).join(', ')}` }] });
}

/** The arguments of a recorded read: a JSON array of at most two short strings. */
function readArgumentsOf(args: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length <= 2 && parsed.every((a) => typeof a === 'string' && a.length <= 200)) return parsed as string[];
  throw new DomainError('INVALID_INPUT', 'malformed read arguments', { issues: [{ path: 'args', message: 'must be a JSON array of at most two strings' }] });
}

function purposeOf(text: string): Purpose | null {
  if (text === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const purpose = PURPOSE.safeParse(parsed);
  if (!purpose.success) throw new DomainError('INVALID_INPUT', 'malformed purpose', { issues: purpose.error.issues.map((i) => ({ path: ['purpose', ...i.path.map(String)].join('.'), message: i.message })) });
  return purpose.data;
}

function transientDocument(ctx: Context): unknown {
  const bytes = ctx.stub.getTransient().get(TRANSIENT_DOCUMENT);
  if (!bytes) throw new DomainError('INVALID_INPUT', 'no document', { issues: [{ path: 'document', message: 'is required' }] });
  try {
    return JSON.parse(decoder.decode(bytes)) as unknown;
  } catch {
    throw new DomainError('INVALID_INPUT', 'document is not JSON', { issues: [{ path: 'document', message: 'is not JSON' }] });
  }
}

/**
 * Anchors one agency's cosignature of one size. Anchoring the same root again changes nothing; an
 * agency never cosigns two roots for one size. A root that differs from another agency's is kept,
 * with a conflict record, so that every gateway raises the alert.
 */
async function anchorOne(ctx: Context, agency: Agency, anchor: CheckpointAnchor): Promise<{ state: CheckpointState; cosignature?: CheckpointCosignature }> {
  const existing = await readCosignatures(ctx, anchor.treeSize);
  const own = existing.find((c) => c.agency === agency);
  if (own) {
    if (own.root === anchor.root) return { state: checkpointState(anchor.treeSize, existing) };
    throw new DomainError('CONFLICT', `${agency} already cosigned another root for size ${anchor.treeSize}`);
  }
  const cosignature: CheckpointCosignature = { ...anchor, agency, anchoredAt: transactionTime(ctx), txId: ctx.stub.getTxID() };
  await ctx.stub.putState(cosignatureKey(ctx, anchor.treeSize, agency), json(cosignature));
  const state = checkpointState(anchor.treeSize, [...existing, cosignature]);
  if (state.conflict) {
    const roots = Object.fromEntries(state.cosignatures.map((c) => [c.agency, c.root]));
    await ctx.stub.putState(ctx.stub.createCompositeKey('checkpointConflict', [sizeKeyPart(anchor.treeSize)]), json({ treeSize: anchor.treeSize, roots }));
  }
  return { state, cosignature };
}

function transactionTime(ctx: Context): string {
  const ts = ctx.stub.getTxTimestamp();
  const millis = Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1_000_000);
  return new Date(millis).toISOString();
}

function json(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

async function readJson<T>(ctx: Context, key: string): Promise<T | undefined> {
  const bytes = await ctx.stub.getState(key);
  return bytes.length > 0 ? (JSON.parse(decoder.decode(bytes)) as T) : undefined;
}

async function readStatus(ctx: Context, subjectRef: string): Promise<SubjectStatus | undefined> {
  if (!SUBJECT_REF_PATTERN.test(subjectRef)) {
    throw new DomainError('INVALID_INPUT', 'malformed subject reference', {
      issues: [{ path: 'subjectRef', message: 'must be a subject reference (64 hex characters)' }],
    });
  }
  return readJson<SubjectStatus>(ctx, subjectKey(ctx.stub, subjectRef));
}

async function requireStatus(ctx: Context, subjectRef: string): Promise<SubjectStatus> {
  const status = await readStatus(ctx, subjectRef);
  if (!status) throw new DomainError('NOT_FOUND', 'subject has no entries on the ledger');
  return status;
}

async function readAt(ctx: Context, at: EntryLocation): Promise<Entry | undefined> {
  return readJson<Entry>(ctx, entryKey(ctx.stub, at.subjectRef, at.seq));
}

async function readEntry(ctx: Context, entryId: string): Promise<Entry | undefined> {
  if (!ENTRY_ID_PATTERN.test(entryId)) {
    throw new DomainError('INVALID_INPUT', 'malformed entry id', {
      issues: [{ path: 'entryId', message: 'must be an entry id (32 hex characters)' }],
    });
  }
  const location = await readJson<EntryLocation>(ctx, entryIndexKey(ctx.stub, entryId));
  return location ? readAt(ctx, location) : undefined;
}

async function requireEntry(ctx: Context, entryId: string): Promise<Entry> {
  const entry = await readEntry(ctx, entryId);
  if (!entry) throw new DomainError('NOT_FOUND', 'no entry with that id', { entryId });
  return entry;
}

const sizeKeyPart = (size: number): string => String(size).padStart(16, '0');

function cosignatureKey(ctx: Context, size: number, agency: Agency): string {
  return ctx.stub.createCompositeKey('checkpoint', [sizeKeyPart(size), agency]);
}

async function readCosignatures(ctx: Context, size: number): Promise<CheckpointCosignature[]> {
  const iterator = await ctx.stub.getStateByPartialCompositeKey('checkpoint', [sizeKeyPart(size)]);
  return collect(iterator, (bytes) => JSON.parse(decoder.decode(bytes)) as CheckpointCosignature);
}

async function readChain(ctx: Context, subjectRef: string): Promise<Entry[]> {
  const iterator = await ctx.stub.getStateByPartialCompositeKey('entry', [subjectRef]);
  return collect(iterator, (bytes) => JSON.parse(decoder.decode(bytes)) as Entry);
}

async function collect<T>(iterator: Iterators.StateQueryIterator, parse: (value: Uint8Array) => T): Promise<T[]> {
  const items: T[] = [];
  try {
    for (let result = await iterator.next(); !result.done; result = await iterator.next()) {
      items.push(parse(result.value.value));
    }
  } finally {
    await iterator.close();
  }
  return items;
}
