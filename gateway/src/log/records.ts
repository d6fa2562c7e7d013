import { covers, type Agency, type NoticeAddress, type Obligation } from 'correction-chaincode/domain';

/**
 * The records the log follower computes from the ledger and its projections keep: plain data, so
 * that a projection stores and reads whatever shape its records grow into.
 */

/** Where the log stands in the ledger: the last block it read from, and how many events of it. */
export interface LogPosition {
  readonly block: number;
  readonly eventsInBlock: number;
}

export interface LogLeaf {
  readonly entryId: string;
  /** The entry hash (hex); the leaf is H(0x00 ‖ its 32 bytes). */
  readonly entryHash: string;
  readonly block: number;
}

/**
 * Something an agency must learn: a new entry that concerns it, an obligation gone overdue, or a
 * submission of its own that the ledger refused after the gateway had accepted it (202).
 */
export interface Notice {
  readonly kind: 'entry' | 'obligation-overdue' | 'submission-refused';
  /** Agencies the notice is for. */
  readonly agencies: readonly Agency[];
  /**
   * The units it is addressed to. A notice numbered before units were known has none, and is for
   * every unit of its agencies.
   */
  readonly to?: readonly NoticeAddress[];
  readonly data: Readonly<Record<string, unknown>>;
}

/** A notice with its place in this gateway's notice sequence (the SSE event id). */
export interface NumberedNotice extends Notice {
  readonly id: number;
}

/** Who reads notices: a unit of an agency. */
export interface NoticeRecipient {
  readonly agency: Agency;
  readonly unit: string;
}

/**
 * A notice is for a recipient whose agency it addresses at a unit the recipient covers: its own, or
 * one below it. The one place that reads a notice's addressees.
 */
export function isAddressedTo(notice: Notice, recipient: NoticeRecipient): boolean {
  if (notice.to === undefined) return notice.agencies.includes(recipient.agency);
  return notice.to.some((address) => address.agency === recipient.agency && covers(recipient.unit, address.unit));
}

/** An obligation as the gateway keeps it: with its subject, and whether its overdue notice went out. */
export interface StoredObligation extends Obligation {
  readonly subjectRef: string;
  readonly overdueNoticed?: boolean;
}

/** A checkpoint that the trust file's policy makes final: its size, root and signed note. */
export interface FinalCheckpoint {
  readonly treeSize: number;
  /** The Merkle root, hex. */
  readonly root: string;
  /** The C2SP checkpoint with every valid agency and witness cosignature the gateway holds. */
  readonly note: string;
  /** When this gateway found it final. */
  readonly finalAt: string;
}
