import type { Entry } from 'correction-chaincode/domain';
import type { StoredObligation } from '../../gateway/src/log/records.js';

/** What a notice carries: the entry that concerns the agency, or the obligation gone overdue. */
export interface NoticeData {
  readonly entry?: Entry;
  readonly obligation?: StoredObligation;
}

/** One server-sent event as a client sees it. */
export interface ServerEvent {
  readonly id: string;
  readonly event: string;
  readonly data: NoticeData;
  readonly receivedAt: number;
}

/** A real SSE client over fetch: collects events until closed. */
export function subscribe(url: string, token: string, lastEventId?: string): { events: ServerEvent[]; ready: Promise<void>; close: () => void } {
  const abort = new AbortController();
  const events: ServerEvent[] = [];
  let ready!: () => void;
  const opened = new Promise<void>((resolve) => (ready = resolve));
  void (async () => {
    try {
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
        signal: abort.signal,
      });
      ready();
      if (!response.body) return;
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
          if (fields['data'] !== undefined) events.push({ id: fields['id'] ?? '', event: fields['event'] ?? 'message', data: JSON.parse(fields['data']) as NoticeData, receivedAt: Date.now() });
        }
      }
    } catch {
      ready();
    }
  })();
  return {
    events,
    ready: opened,
    close: () => {
      abort.abort();
    },
  };
}

/** Waits, up to a deadline, until a check (which may ask over the network) finds something. */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
