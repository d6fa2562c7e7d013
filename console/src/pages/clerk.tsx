import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, call } from '../api.js';
import { useApp } from '../app.js';
import { download } from '../download.js';
import { fieldLabel, messageIn } from '../fields.js';
import { myHandovers, rememberHandover, type HandoverRecord } from '../handovers.js';
import { codeName } from '../i18n.js';
import { documentOf, SchemaField, type FormValues, type JsonSchema } from '../schema-form.js';

interface CatalogEvent {
  readonly code: string;
  readonly name: string;
  readonly document: JsonSchema;
}
interface Recorded {
  readonly entry: { readonly id: string; readonly hash: string; readonly subjectRef: string; readonly recordedAt: string; readonly facts: Record<string, unknown> };
  readonly status: { readonly state: string };
  readonly receipt: string;
}

/** Now, as an ISO time with the browser's offset (the API wants the offset). */
function localNow(): string {
  const now = new Date();
  const offset = -now.getTimezoneOffset();
  const shifted = new Date(now.getTime() + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset >= 0 ? '+' : '-';
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${shifted}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

/** The court clerk's handover: a form built from the catalog's SENTENCE_HANDOVER document schema. */
export function Clerk() {
  const { t, lang, session } = useApp();
  const [event, setEvent] = useState<CatalogEvent | undefined>();
  const [values, setValues] = useState<FormValues>({});
  const [idNumber, setIdNumber] = useState('');
  const [occurredAt, setOccurredAt] = useState(localNow);
  const [errors, setErrors] = useState<Readonly<Record<string, string>>>({});
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  // One key per handover filled in: a double click or a retry records it once.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const [recorded, setRecorded] = useState<Recorded | undefined>();
  const [mine, setMine] = useState(myHandovers);
  useEffect(() => {
    void call<{ events: CatalogEvent[] }>('/v1/catalog', { token: session?.token }).then((catalog) => {
      setEvent(catalog.events.find((e) => e.code === 'SENTENCE_HANDOVER'));
    });
  }, [session]);
  if (!event) return <p>{t.loading}</p>;
  const schema = event.document;
  const required = new Set(schema.required ?? []);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setErrors({});
    setFailure(undefined);
    try {
      const body = { type: 'SENTENCE_HANDOVER', subject: { idNumber }, occurredAt, document: documentOf(schema, values) };
      const answer = await call<Recorded>('/v1/events', { token: session?.token, body, idempotencyKey });
      setRecorded(answer);
      rememberHandover({ entryId: answer.entry.id, subjectRef: answer.entry.subjectRef, recordedAt: answer.entry.recordedAt, correctionType: typeof answer.entry.facts['correctionType'] === 'string' ? answer.entry.facts['correctionType'] : '' });
      setMine(myHandovers());
      setIdNumber('');
      setValues({});
      setIdempotencyKey(crypto.randomUUID());
    } catch (caught) {
      if (caught instanceof ApiProblem && caught.problem.errors) {
        setErrors(Object.fromEntries(caught.problem.errors.map((error) => [error.path.replace(/^document\./, '').replace(/^subject\./, ''), error.message])));
      }
      setFailure(caught instanceof ApiProblem ? caught.problem.detail : String(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="columns">
      <section class="card">
        <h1>
          {t.handoverTitle} <small>{event.code}</small>
        </h1>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <div class="field">
            <label for="field-idNumber">
              {t.idNumber} <span class="required">({t.required})</span>
            </label>
            <input id="field-idNumber" name="idNumber" autocomplete="off" spellcheck={false} maxLength={18} value={idNumber} aria-describedby="id-hint" onInput={(e) => { setIdNumber(e.currentTarget.value); }} />
            <p id="id-hint" class="hint">{t.idNumberHint}</p>
            {errors['idNumber'] && <p class="error">{messageIn(lang, errors['idNumber'])}</p>}
          </div>
          <div class="field">
            <label for="field-occurredAt">{t.occurredAt}</label>
            <input id="field-occurredAt" value={occurredAt} onInput={(e) => { setOccurredAt(e.currentTarget.value); }} />
            {errors['occurredAt'] && <p class="error">{messageIn(lang, errors['occurredAt'])}</p>}
          </div>
          {Object.entries(schema.properties ?? {}).map(([name, field]) => (
            <SchemaField key={name} name={name} schema={field} required={required.has(name)} value={values[name]} error={errors[name]} onChange={(value) => { setValues({ ...values, [name]: value }); }} />
          ))}
          {failure && <Problems failure={failure} errors={errors} />}
          <button type="submit" disabled={busy}>{busy ? t.submitting : t.submit}</button>
        </form>
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

/** Why the API refused the handover: each field named, in the clerk's language. */
function Problems({ failure, errors }: { readonly failure: string; readonly errors: Readonly<Record<string, string>> }) {
  const { t, lang } = useApp();
  const fieldErrors = Object.entries(errors);
  return (
    <div role="alert" class="error box">
      <p>{fieldErrors.length > 0 ? t.fixErrors : `${t.error}: ${failure}`}</p>
      {fieldErrors.length > 0 && (
        <ul>
          {fieldErrors.map(([path, message]) => <li key={path}>{fieldLabel(lang, path)}: {messageIn(lang, message)}</li>)}
        </ul>
      )}
    </div>
  );
}
