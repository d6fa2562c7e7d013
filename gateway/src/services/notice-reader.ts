import type { NoticeRecipient, NumberedNotice } from '../log/records.js';

/** The notices as the services read them: numbered in order, and announced as they are written. */
export interface NoticeReader {
  /** The id of the last notice numbered (0 before any). */
  readonly lastNoticeId: number;
  /** A unit's notices (its own and those of the units below it) after `afterId`, in order. */
  noticesAfter(afterId: number, recipient: NoticeRecipient, limit?: number): Promise<NumberedNotice[]>;
  on(event: 'notice', listener: (notice: NumberedNotice) => void): unknown;
  off(event: 'notice', listener: (notice: NumberedNotice) => void): unknown;
}
