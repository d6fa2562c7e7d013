import { useState } from 'preact/hooks';
import { useApp } from '../app.js';
import { download } from '../download.js';
import { EventForm, FieldError, useCatalog, type Recorded } from '../event-form.js';
import { myHandovers, rememberHandover, type HandoverRecord } from '../handovers.js';
import { codeName } from '../i18n.js';

/** The court clerk's handover: a form built from the catalog's SENTENCE_HANDOVER document schema. */
export function Clerk() {
  const { t } = useApp();
  const event = useCatalog()?.find((e) => e.code === 'SENTENCE_HANDOVER');
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
        <MyHandovers handovers={mine} />
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
function MyHandovers({ handovers: mine }: { readonly handovers: readonly HandoverRecord[] }) {
  const { t, lang } = useApp();
  return (
    <>
      <h2>{t.myHandovers}</h2>
      {mine.length === 0 ? (
        <p>{t.noHandovers}</p>
      ) : (
        <table>
          <thead>
            <tr><th scope="col">{t.entryId}</th><th scope="col">{t.correctionType}</th><th scope="col">{t.recordedAt}</th></tr>
          </thead>
          <tbody>
            {mine.map((h) => (
              <tr key={h.entryId} data-testid="my-handover">
                <td><code>{h.entryId.slice(0, 12)}…</code></td>
                <td>{codeName(lang, h.correctionType)}</td>
                <td>{new Date(h.recordedAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
