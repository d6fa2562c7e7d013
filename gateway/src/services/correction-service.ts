import {
  documentHash,
  isCollectionMember,
  subjectRefFor,
  auditChain,
  obligationsOf,
  type Agency,
  type DeadlineRule,
  type Obligation,
  type WorkingCalendar,
  type AccessTrail,
  type ChainProblem,
  type Entry,
  type MinimalStatus,
  type Purpose,
  type SubjectStatus,
} from 'correction-chaincode/domain';
import type { VerifyResult } from 'correction-chaincode';
import { ApiError } from '../errors.js';
import type { Principal } from '../http/auth.js';
import type { VerifyBody } from '../http/schemas.js';
import type { Caller } from '../ledger/port.js';
import { callerOf } from './caller.js';
import type { CorrectionClient } from './correction-client.js';

/** A later entry that answers an earlier one. */
export interface Answer {
  readonly entryId: string;
  readonly type: string;
  readonly agency: Agency;
  readonly occurredAt: string;
  readonly recordedAt: string;
}

/** An integrity report: what was checked, and every problem found, each naming where. */
export interface AuditReport {
  readonly ok: boolean;
  readonly scope: 'ledger' | 'subject';
  readonly blocks?: number;
  readonly subjects: number;
  readonly entries: number;
  readonly problems: readonly AuditProblem[];
  /** A whole-channel audit on Fabric: each check's verdict, naming its first failure. */
  readonly checks?: readonly AuditCheckResult[];
  /** False when the audit stopped before the end (its checkpoint saved: the next one continues). */
  readonly complete?: boolean;
  /** The block this run started from (0 unless it continued an earlier one). */
  readonly resumedFromBlock?: number;
  /** The SHA-256 of the genesis block's header: the channel the audit trusts, to compare with the published one. */
  readonly genesisHash?: string;
}

/** One check of a whole-channel audit. */
export interface AuditCheckResult {
  readonly name: string;
  readonly status: 'PASS' | 'FAIL';
  readonly failures: number;
  readonly detail: string;
  readonly firstFailure?: AuditProblem;
}

/** One integrity problem, naming the block, subject or entry where it was found. */
export interface AuditProblem {
  readonly kind: string;
  readonly detail: string;
  readonly block?: number;
  readonly subjectRef?: string;
  readonly entryId?: string;
  readonly seq?: number;
  /** The transaction where it was found (Fabric). */
  readonly txId?: string;
}

/** Audits the whole ledger, block by block; only ledgers that hold their blocks locally offer it. */
export interface LedgerAuditor {
  auditLedger(onProgress?: (done: number, total: number) => void): Promise<AuditReport>;
}

export interface CorrectionServiceDeps {
  readonly client: CorrectionClient;
  readonly subjectKey: Uint8Array;
  /** On Fabric a gateway holds one agency's identity and serves that agency only. */
  readonly servesAgency?: Agency | undefined;
  readonly auditor?: LedgerAuditor | undefined;
  /** Public holidays and weekend workdays for deadlines in working days. */
  readonly calendar: WorkingCalendar;
  /** The deadline rules in force. */
  readonly deadlineRules: readonly DeadlineRule[];
  /** The time now: injectable, so that tests can move it. */
  readonly clock: () => Date;
}

/** The use cases of the REST API that read: authorize, call the contract. Recording is EventRecorder's. */
export class CorrectionService {
  readonly #deps: CorrectionServiceDeps;

  constructor(deps: Readonly<CorrectionServiceDeps>) {
    this.#deps = deps;
  }

  /**
   * The subject's status: in full within the principal's jurisdiction, the minimal status
   * elsewhere. A sealed record is read for the purpose stated, and the read is recorded.
   */
  async subjectStatus(principal: Principal, subjectRef: string, purpose: Purpose | null = null): Promise<SubjectStatus | MinimalStatus> {
    return this.#deps.client.status(this.#callerFor(principal), subjectRef, purpose);
  }

  /** The reference and status for an ID number: the ID number itself goes no further than this. */
  async lookup(principal: Principal, idNumber: string, purpose: Purpose | null = null): Promise<{ ref: string; status: SubjectStatus | MinimalStatus }> {
    const ref = subjectRefFor(this.#deps.subjectKey, idNumber);
    return { ref, status: await this.#deps.client.status(this.#callerFor(principal), ref, purpose) };
  }

  /** The subject's statutory obligations, open, overdue, met, late or void as of now. */
  async obligations(principal: Principal, subjectRef: string, purpose: Purpose | null = null): Promise<{ subjectRef: string; asOf: string; obligations: Obligation[] }> {
    const entries = await this.#deps.client.entries(this.#callerFor(principal), subjectRef, purpose);
    const asOf = this.#deps.clock().toISOString();
    return { subjectRef, asOf, obligations: obligationsOf(entries, asOf, this.#deps.calendar, this.#deps.deadlineRules) };
  }

  async subjectEntries(principal: Principal, subjectRef: string, purpose: Purpose | null = null): Promise<Entry[]> {
    return this.#deps.client.entries(this.#callerFor(principal), subjectRef, purpose);
  }

  /** Every recorded read of the subject's record, and who wrote each entry: for the procuratorate and auditors. */
  async accessTrail(principal: Principal, subjectRef: string): Promise<AccessTrail> {
    return this.#deps.client.accessTrail(this.#callerFor(principal), subjectRef);
  }

  /**
   * An entry, with its document when the caller's agency is entitled to it, and the later entries
   * that answer it (a handover receipt acknowledging documents, a reply to an opinion), so that
   * an agency sees "received by the justice bureau at …".
   */
  async entry(principal: Principal, entryId: string, purpose: Purpose | null = null): Promise<{ entry: Entry; document?: unknown; answeredBy: Answer[] }> {
    const caller = this.#callerFor(principal);
    const entry = await this.#deps.client.entry(caller, entryId, purpose);
    const chain = await this.#deps.client.entries(caller, entry.subjectRef, purpose);
    const answeredBy = chain
      .filter((e) => e.seq > entry.seq && (e.facts['acknowledges'] === entry.id || e.facts['answers'] === entry.id || e.amends === entry.id))
      .map((e) => ({ entryId: e.id, type: e.type, agency: e.agency, occurredAt: e.occurredAt, recordedAt: e.recordedAt }));
    if (!isCollectionMember(entry.collection, caller.agency)) return { entry, answeredBy };
    return { entry, document: await this.#deps.client.document(caller, entryId, purpose), answeredBy };
  }

  /**
   * The entry, with its document when the caller's agency is entitled to it (a recorded read), and
   * nothing else read: what serving one of its files needs.
   */
  async entryWithDocument(principal: Principal, entryId: string, purpose: Purpose | null = null): Promise<{ entry: Entry; document?: unknown }> {
    const caller = this.#callerFor(principal);
    const entry = await this.#deps.client.entry(caller, entryId, purpose);
    if (!isCollectionMember(entry.collection, caller.agency)) return { entry };
    return { entry, document: await this.#deps.client.document(caller, entryId, purpose) };
  }

  /** The entry alone, as the caller may read it: no document, no answers. */
  async entryAlone(principal: Principal, entryId: string, purpose: Purpose | null = null): Promise<Entry> {
    return this.#deps.client.entry(this.#callerFor(principal), entryId, purpose);
  }

  async verify(principal: Principal, body: VerifyBody): Promise<VerifyResult> {
    const docHash = 'docHash' in body ? body.docHash : documentHash(body.document);
    return this.#deps.client.verify(this.#callerFor(principal), body.entryId, docHash, body.purpose ?? null);
  }

  /** The integrity report of one subject's chain, or of the whole ledger. */
  async audit(principal: Principal, subjectRef?: string, purpose: Purpose | null = null): Promise<AuditReport> {
    if (principal.role !== 'auditor' && principal.agency !== 'PROCURATORATE') {
      throw new ApiError('FORBIDDEN', 'audits are for auditors and the procuratorate');
    }
    const caller = this.#callerFor(principal);
    if (subjectRef) {
      const [entries, status] = await Promise.all([
        this.#deps.client.entries(caller, subjectRef, purpose),
        this.#deps.client.status(caller, subjectRef, purpose),
      ]);
      // Whoever may read the chain reads the status in full; a minimal one has nothing to compare.
      const problems: ChainProblem[] = auditChain(subjectRef, entries, 'view' in status ? undefined : status);
      return { ok: problems.length === 0, scope: 'subject', subjects: 1, entries: entries.length, problems };
    }
    if (!this.#deps.auditor) {
      throw new ApiError('VALIDATION_FAILED', 'this ledger audits one subject at a time', {
        errors: [{ path: 'subject', message: 'is required on this ledger' }],
      });
    }
    return this.#deps.auditor.auditLedger();
  }

  #callerFor(principal: Principal): Caller {
    return callerOf(principal, this.#deps.servesAgency);
  }
}
