import { EventSourceParserStream } from 'eventsource-parser/stream';

/** A notice of GET /v1/stream: its number, kind (entry, obligation-overdue, submission-refused) and data. */
export interface StreamedNotice {
  readonly id: number;
  readonly kind: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** First wait before following the stream again after it broke; it doubles up to the longest. */
const RETRY_FIRST_MS = 500;
const RETRY_LONGEST_MS = 15_000;

/** Reads one connection of the stream to its end; returns the number of the last notice seen. */
async function readStream(response: Response, after: number, onNotice: (notice: StreamedNotice) => void): Promise<number> {
  if (!response.ok || !response.body) throw new Error(`stream answered ${String(response.status)}`);
  let last = after;
  const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  for (let read = await events.read(); !read.done; read = await events.read()) {
    const id = Number(read.value.id);
    if (!Number.isSafeInteger(id) || id <= last) continue;
    last = id;
    onNotice({ id, kind: read.value.event ?? 'message', data: JSON.parse(read.value.data) as Record<string, unknown> });
  }
  return last;
}

/**
 * Follows the caller's notice stream (server-sent events read with fetch, since EventSource cannot
 * send a bearer token), resuming after the last notice seen whenever it breaks, until `signal`
 * aborts. `onState` says whether the stream is connected.
 */
export async function followNotices(token: string, onNotice: (notice: StreamedNotice) => void, onState: (live: boolean) => void, signal: AbortSignal): Promise<void> {
  let last = 0;
  let wait = RETRY_FIRST_MS;
  const seen = (notice: StreamedNotice) => {
    last = notice.id;
    wait = RETRY_FIRST_MS;
    onNotice(notice);
  };
  for (;;) {
    try {
      const response = await fetch(`/v1/stream${last > 0 ? `?lastEventId=${String(last)}` : ''}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal, cache: 'no-store' });
      onState(response.ok);
      await readStream(response, last, seen);
    } catch {
      // Broken or refused: tried again below, unless the page went away.
    }
    onState(false);
    if (signal.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, RETRY_LONGEST_MS);
  }
}
