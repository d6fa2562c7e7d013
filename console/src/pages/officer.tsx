import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useApp } from '../app.js';
import { AttachmentList } from '../attachment-list.js';
import { EventForm, useCatalog, type CatalogEvent, type RecordedEntry } from '../event-form.js';
import { fieldLabel } from '../fields.js';
import { codeName } from '../i18n.js';
import { followNotices, type StreamedNotice } from '../notices.js';

const READ_KEY = 'correction-ledger/read-notices';
/** Notice numbers remembered as read (numbers only, nothing of their contents). */
const READ_KEPT = 1000;

function readNotices(): Set<number> {
  try {
    const parsed = JSON.parse(localStorage.getItem(READ_KEY) ?? '[]') as unknown;
    return new Set(Array.isArray(parsed) ? parsed.filter((n): n is number => typeof n === 'number') : []);
  } catch {
    return new Set();
  }
}

const entryOf = (notice: StreamedNotice): RecordedEntry | undefined => (notice.kind === 'entry' ? (notice.data['entry'] as RecordedEntry) : undefined);

/**
 * The justice officer's inbox: the notice stream of the officer's unit, unread ones counted; a
 * handover acknowledged in one action; the next events the catalog allows for the subject's state
 * and the officer's agency, each with its form.
 */
export function Officer() {
  const { t, lang, session } = useApp();
  const [notices, setNotices] = useState<readonly StreamedNotice[]>([]);
  const [read, setRead] = useState(readNotices);
  const [live, setLive] = useState(false);
  const [open, setOpen] = useState<StreamedNotice | undefined>();
  const catalog = useCatalog();
  useEffect(() => {
    if (!session) return undefined;
    const stop = new AbortController();
    void followNotices(session.token, (notice) => { setNotices((all) => [notice, ...all]); }, setLive, stop.signal);
    return () => { stop.abort(); };
  }, [session]);
  const markRead = (notice: StreamedNotice) => {
    const next = new Set(read).add(notice.id);
    localStorage.setItem(READ_KEY, JSON.stringify([...next].slice(-READ_KEPT)));
    setRead(next);
    setOpen(notice);
  };
  const unread = notices.filter((n) => !read.has(n.id)).length;
  const name = (code: string) => (lang === 'zh' ? (catalog?.find((e) => e.code === code)?.name ?? code) : code);
  return (
    <div class="columns">
      <section class="card">
        <h1>
          {t.inbox} <span class="badge" data-testid="unread">{unread}</span> <small>{t.unreadCount}</small>
        </h1>
        <p class="hint" role="status">{live ? t.streamLive : t.streamDown}</p>
        {notices.length === 0 ? <p>{t.noNotices}</p> : (
          <table>
            <thead>
              <tr><th scope="col">{t.notice}</th><th scope="col">{t.event}</th><th scope="col">{t.recordedBy}</th><th scope="col"><span class="visually-hidden">{t.open}</span></th></tr>
            </thead>
            <tbody>
              {notices.map((notice) => {
                const entry = entryOf(notice);
                const isUnread = !read.has(notice.id);
                return (
                  <tr key={notice.id} class={isUnread ? 'unread' : ''} data-testid="notice">
                    <td>#{notice.id} {isUnread && <span class="tag">{t.unread}</span>}</td>
                    <td>{entry ? name(entry.type) : codeName(lang, notice.kind)}</td>
                    <td>{entry ? codeName(lang, entry.agency) : '—'}</td>
                    <td><button type="button" class="ghost small" onClick={() => { markRead(notice); }}>{t.open} #{notice.id}</button></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      {open && catalog && <NoticeDetail key={open.id} notice={open} catalog={catalog} />}
    </div>
  );
}

interface EntryView {
  readonly entry: RecordedEntry;
  readonly document?: Readonly<Record<string, unknown>>;
  readonly answeredBy: readonly { readonly entryId: string; readonly type: string; readonly agency: string; readonly recordedAt: string }[];
}

/** A notice that is not an entry's: an overdue obligation or a refused submission. */
function OtherNotice({ notice }: { readonly notice: StreamedNotice }) {
  const { t, lang } = useApp();
  return (
    <section class="card" aria-labelledby="notice-title">
      <h2 id="notice-title">{codeName(lang, notice.kind)}</h2>
      {notice.kind === 'obligation-overdue' && <p class="alert">{t.overdueNotice}</p>}
      <pre class="detail">{JSON.stringify(notice.data, null, 2)}</pre>
    </section>
  );
}

/** One notice opened. */
function NoticeDetail({ notice, catalog }: { readonly notice: StreamedNotice; readonly catalog: readonly CatalogEvent[] }) {
  const entry = entryOf(notice);
  return entry ? <EntryDetail id={notice.id} entry={entry} catalog={catalog} /> : <OtherNotice notice={notice} />;
}

/** An entry's notice: the entry with its document, what answered it, and what may be recorded next. */
function EntryDetail({ id, entry, catalog }: { readonly id: number; readonly entry: RecordedEntry; readonly catalog: readonly CatalogEvent[] }) {
  const { t, lang, session } = useApp();
  const [view, setView] = useState<EntryView | undefined>();
  const [state, setState] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const refresh = () => {
    void call<EntryView>(`/v1/entries/${entry.id}`, { token: session?.token }).then(setView);
    void call<{ state: string }>(`/v1/subjects/${entry.subjectRef}`, { token: session?.token }).then((status) => { setState(status.state); });
  };
  useEffect(refresh, [entry.id]);
  const recorded = (type: string) => {
    setDone(type);
    refresh();
  };
  const eventName = (code: string) => (lang === 'zh' ? (catalog.find((e) => e.code === code)?.name ?? code) : code);
  return (
    <section class="card" aria-labelledby="notice-title" data-testid="notice-detail">
      <h2 id="notice-title">#{id} {eventName(entry.type)}</h2>
      <dl>
        <dt>{t.subjectRef}</dt>
        <dd><code>{entry.subjectRef.slice(0, 16)}…</code></dd>
        <dt>{t.recordedBy}</dt>
        <dd>{codeName(lang, entry.agency)}</dd>
        <dt>{t.state}</dt>
        <dd data-testid="subject-state">{state ? codeName(lang, state) : '…'}</dd>
        <Facts facts={view?.document ?? entry.facts} />
      </dl>
      <AttachmentList entryId={entry.id} facts={entry.facts} />
      {view && view.answeredBy.length > 0 && (
        <p data-testid="answered-by">{t.answeredBy}: {view.answeredBy.map((a) => `${eventName(a.type)} (${codeName(lang, a.agency)})`).join('、')}</p>
      )}
      {entry.type === 'SENTENCE_HANDOVER' && view && <Acknowledgement entry={entry} view={view} catalog={catalog} onDone={recorded} />}
      {state && <NextEvents entry={entry} state={state} catalog={catalog} onDone={recorded} />}
      {done && <p role="status" class="verdict ok">{t.recorded}: {eventName(done)}</p>}
    </section>
  );
}

/** The document's (or the entry's public) plain fields. */
function Facts({ facts }: { readonly facts: Readonly<Record<string, unknown>> }) {
  const { lang } = useApp();
  return (
    <>
      {Object.entries(facts).filter(([, v]) => typeof v !== 'object').map(([k, v]) => (
        <Fragment key={k}>
          <dt>{fieldLabel(lang, k)}</dt>
          <dd>{typeof v === 'string' ? codeName(lang, v) : String(v)}</dd>
        </Fragment>
      ))}
    </>
  );
}

/** A handover acknowledged already, or the one action that acknowledges it (the justice bureau's). */
function Acknowledgement({ entry, view, catalog, onDone }: { readonly entry: RecordedEntry; readonly view: EntryView; readonly catalog: readonly CatalogEvent[]; readonly onDone: (type: string) => void }) {
  const { t, session } = useApp();
  const event = catalog.find((e) => e.code === 'HANDOVER_RECEIPT');
  if (view.answeredBy.some((a) => a.type === 'HANDOVER_RECEIPT')) return <p class="verdict ok" data-testid="acknowledged">{t.acknowledged}</p>;
  if (!event || !event.recordedBy.includes(session?.agency ?? '')) return null;
  return <Acknowledge entry={entry} event={event} onDone={() => { onDone(event.code); }} />;
}

/** The events the catalog lets the user's agency record from the subject's state, each with its form. */
function NextEvents({ entry, state, catalog, onDone }: { readonly entry: RecordedEntry; readonly state: string; readonly catalog: readonly CatalogEvent[]; readonly onDone: (type: string) => void }) {
  const { t, lang, session } = useApp();
  const [chosen, setChosen] = useState('');
  const agency = session?.agency ?? '';
  const next = catalog.filter((e) => e.recordedBy.includes(agency) && e.from.includes(state) && e.code !== 'HANDOVER_RECEIPT');
  const event = next.find((e) => e.code === chosen);
  return (
    <>
      <h3>{t.nextEvents}</h3>
      {next.length === 0 ? <p>{t.noNextEvents}</p> : (
        <>
          <label for="next-event">{t.chooseEvent}</label>
          <select id="next-event" value={chosen} onChange={(e) => { setChosen(e.currentTarget.value); }}>
            <option value="">—</option>
            {next.map((e) => <option key={e.code} value={e.code}>{lang === 'zh' ? e.name : e.code}</option>)}
          </select>
          {event && <EventForm key={event.code} event={event} subject={{ ref: entry.subjectRef }} onRecorded={(r) => { setChosen(''); onDone(r.entry.type); }} />}
        </>
      )}
    </>
  );
}

/**
 * Acknowledges a handover in one action: HANDOVER_RECEIPT naming the entry, received now. The
 * Idempotency-Key is the entry's, so the acknowledgement is recorded once however often it is sent.
 */
function Acknowledge({ entry, event, onDone }: { readonly entry: RecordedEntry; readonly event: CatalogEvent; readonly onDone: () => void }) {
  const { t, session } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const acknowledge = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const body = { type: event.code, subject: { ref: entry.subjectRef }, occurredAt: now, document: { acknowledges: entry.id, receivedAt: now } };
      await call('/v1/events', { token: session?.token, body, idempotencyKey: `acknowledge-${entry.id}` });
      onDone();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" disabled={busy} onClick={() => void acknowledge()}>{t.acknowledge}</button>
      {error && <p role="alert" class="error">{error}</p>}
    </>
  );
}
