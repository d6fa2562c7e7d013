import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useApp } from '../app.js';
import { AttachmentList } from '../attachment-list.js';
import { download } from '../download.js';
import { EventForm, FieldError, useCatalog, type Recorded } from '../event-form.js';
import { myHandovers, rememberHandover, type HandoverRecord } from '../handovers.js';
import { codeName } from '../i18n.js';

/** The court clerk's handover: a form built from the catalog's SENTENCE_HANDOVER document schema. */
export function Clerk() {
  const { t, lang } = useApp();
  const catalog = useCatalog();
  const event = catalog?.find((e) => e.code === 'SENTENCE_HANDOVER');
  const eventName = (code: string) => (lang === 'zh' ? (catalog?.find((e) => e.code === code)?.name ?? code) : code);
  const [idNumber, setIdNumber] = useState('');
  const [recorded, setRecorded] = useState<Recorded | undefined>();
  const [mine, setMine] = useState(myHandovers);
  if (!event) return <p>{t.loading}</p>;
  const onRecorded = (answer: Recorded) => {
    setRecorded(answer);
    const type = answer.entry.facts['correctionType'];
    rememberHandover({ entryId: answer.entry.id, subjectRef: answer.entry.subjectRef, recordedAt: answer.entry.recordedAt, correctionType: typeof type === 'string' ? type : '' });
    setMine(myHandovers());
    setIdNumber('');
  };
  return (
    <div class="columns">
      <section class="card">
        <h1>
          {t.handoverTitle} <small>{event.code}</small>
        </h1>
        <EventForm
          event={event}
          subject={{ idNumber }}
          onRecorded={onRecorded}
          lead={(errors) => (
            <div class="field">
              <label for="field-idNumber">
                {t.idNumber} <span class="required">({t.required})</span>
              </label>
              <input id="field-idNumber" name="idNumber" autocomplete="off" spellcheck={false} maxLength={18} value={idNumber} aria-describedby="id-hint" onInput={(e) => { setIdNumber(e.currentTarget.value); }} />
              <p id="id-hint" class="hint">{t.idNumberHint}</p>
              <FieldError name="idNumber" errors={errors} />
            </div>
          )}
        />
      </section>
      <aside class="card">
        {recorded && <ReceiptPanel recorded={recorded} />}
        <MyHandovers handovers={mine} eventName={eventName} />
      </aside>
    </div>
  );
}

/** The signed receipt of a handover just recorded, to read or save. */
function ReceiptPanel({ recorded }: { readonly recorded: Recorded }) {
  const { t, lang } = useApp();
  return (
    <section aria-live="polite" class="receipt">
      <h2>{t.recorded}</h2>
      <dl>
        <dt>{t.entryId}</dt>
        <dd><code data-testid="entry-id">{recorded.entry.id}</code></dd>
        <dt>{t.entryHash}</dt>
        <dd><code>{recorded.entry.hash}</code></dd>
        <dt>{t.state}</dt>
        <dd>{codeName(lang, recorded.status.state)}</dd>
      </dl>
      <label for="receipt">{t.receipt}</label>
      <textarea id="receipt" readOnly rows={4} value={recorded.receipt} />
      <button type="button" class="ghost" onClick={() => { download(`receipt-${recorded.entry.id}.jws`, recorded.receipt, 'application/jose'); }}>
        {t.downloadReceipt}
      </button>
    </section>
  );
}

/** Handovers recorded from this browser. */
function MyHandovers({ handovers: mine, eventName }: { readonly handovers: readonly HandoverRecord[]; readonly eventName: (code: string) => string }) {
  const { t } = useApp();
  return (
    <>
      <h2>{t.myHandovers}</h2>
      {mine.length === 0 ? (
        <p>{t.noHandovers}</p>
      ) : (
        <table>
          <thead>
            <tr><th scope="col">{t.entryId}</th><th scope="col">{t.correctionType}</th><th scope="col">{t.recordedAt}</th><th scope="col">{t.acknowledged}</th><th scope="col">{t.dueAt}</th><th scope="col">{t.files}</th></tr>
          </thead>
          <tbody>
            {mine.slice(0, ROWS_FOLLOWED).map((h) => <HandoverRow key={h.entryId} handover={h} eventName={eventName} />)}
          </tbody>
        </table>
      )}
    </>
  );
}

/** Handovers whose acknowledgement and deadlines the page reads (each read is on the subject's access trail). */
const ROWS_FOLLOWED = 10;

interface Followed {
  readonly facts: Readonly<Record<string, unknown>>;
  readonly acknowledgedAt: string | undefined;
  readonly due: readonly { readonly event: string; readonly dueAt: string; readonly state: string }[];
}

/** One handover: whether the justice bureau acknowledged it, and the obligations still open or overdue. */
function HandoverRow({ handover, eventName }: { readonly handover: HandoverRecord; readonly eventName: (code: string) => string }) {
  const { t, lang, session } = useApp();
  const [followed, setFollowed] = useState<Followed | undefined>();
  useEffect(() => {
    const token = session?.token;
    void Promise.all([
      call<{ entry: { facts: Record<string, unknown> }; answeredBy: { type: string; recordedAt: string }[] }>(`/v1/entries/${handover.entryId}`, { token }),
      call<{ obligations: { event: string; dueAt: string; state: string }[] }>(`/v1/subjects/${handover.subjectRef}/obligations`, { token }),
    ]).then(([entry, obligations]) => {
      setFollowed({
        facts: entry.entry.facts,
        acknowledgedAt: entry.answeredBy.find((a) => a.type === 'HANDOVER_RECEIPT')?.recordedAt,
        due: obligations.obligations.filter((o) => o.state === 'open' || o.state === 'overdue'),
      });
    });
  }, [handover.entryId, handover.subjectRef, session]);
  const when = (iso: string) => new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB');
  return (
    <tr data-testid="my-handover">
      <td><code>{handover.entryId.slice(0, 12)}…</code></td>
      <td>{codeName(lang, handover.correctionType)}</td>
      <td>{when(handover.recordedAt)}</td>
      <td data-testid="acknowledged-at">{followed?.acknowledgedAt ? when(followed.acknowledgedAt) : t.no}</td>
      <td>
        {followed?.due.map((o) => (
          <div key={`${o.event}-${o.dueAt}`} class={o.state === 'overdue' ? 'error' : ''}>{eventName(o.event)} {o.dueAt.slice(0, 10)}{o.state === 'overdue' ? ` (${t.overdueCount})` : ''}</div>
        ))}
      </td>
      <td>{followed && <AttachmentList entryId={handover.entryId} facts={followed.facts} />}</td>
    </tr>
  );
}
