import { isAddressedTo, type NoticeRecipient, type NumberedNotice } from '../log/records.js';
import type { NoticeReader } from './notice-reader.js';

/** A unit's notices: those already numbered after a given id, then new ones as they come. */
export interface NoticeSource {
  after(id: number, reader: NoticeRecipient): Promise<NumberedNotice[]>;
  subscribe(listener: (notice: NumberedNotice) => void): () => void;
}

export function noticeSource(notices: NoticeReader): NoticeSource {
  return {
    after: (id, recipient) => notices.noticesAfter(id, recipient),
    subscribe(listener) {
      notices.on('notice', listener);
      return () => notices.off('notice', listener);
    },
  };
}

/**
 * Streams a unit's notices — those addressed to it and to the units below it — as server-sent
 * events from `lastEventId` on: the backlog first, then live ones, each exactly once and in order.
 * Live notices that arrive during the replay wait.
 */
export async function streamNotices(
  source: NoticeSource,
  reader: NoticeRecipient,
  lastEventId: number,
  write: (chunk: string) => void,
  closed: Promise<void>,
): Promise<void> {
  let cursor = lastEventId;
  let replaying = true;
  const waiting: NumberedNotice[] = [];
  const send = (notice: NumberedNotice) => {
    if (notice.id <= cursor) return;
    cursor = notice.id;
    write(`id: ${notice.id}\nevent: ${notice.kind}\ndata: ${JSON.stringify(notice.data)}\n\n`);
  };
  const unsubscribe = source.subscribe((notice) => {
    if (!isAddressedTo(notice, reader)) return;
    if (replaying) waiting.push(notice);
    else send(notice);
  });
  const heartbeat = setInterval(() => {
    write(': keep-alive\n\n');
  }, 15_000);
  try {
    for (let batch = await source.after(cursor, reader); batch.length > 0; batch = await source.after(cursor, reader)) {
      for (const notice of batch) send(notice);
    }
    replaying = false;
    for (const notice of waiting.splice(0)) send(notice);
    await closed;
  } finally {
    clearInterval(heartbeat);
    unsubscribe();
  }
}
