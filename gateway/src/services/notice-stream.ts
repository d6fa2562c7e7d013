import type { Agency } from 'correction-chaincode/domain';
import type { MerkleLog, NumberedNotice } from '../log/merkle-log.js';

/** An agency's notices: those already numbered after a given id, then new ones as they come. */
export interface NoticeSource {
  after(id: number, agency: Agency): Promise<NumberedNotice[]>;
  subscribe(listener: (notice: NumberedNotice) => void): () => void;
}

export function noticeSource(log: MerkleLog): NoticeSource {
  return {
    after: (id, agency) => log.noticesAfter(id, agency),
    subscribe(listener) {
      log.on('notice', listener);
      return () => log.off('notice', listener);
    },
  };
}

/**
 * Streams an agency's notices as server-sent events from `lastEventId` on: the backlog first,
 * then live ones, each exactly once and in order. Live notices that arrive during the replay wait.
 */
export async function streamNotices(
  source: NoticeSource,
  agency: Agency,
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
    if (!notice.agencies.includes(agency)) return;
    if (replaying) waiting.push(notice);
    else send(notice);
  });
  const heartbeat = setInterval(() => {
    write(': keep-alive\n\n');
  }, 15_000);
  try {
    for (let batch = await source.after(cursor, agency); batch.length > 0; batch = await source.after(cursor, agency)) {
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
