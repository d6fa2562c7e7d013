import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, call } from './api.js';
import { useApp } from './app.js';
import { fieldLabel, messageIn } from './fields.js';
import { Attachments, type Attachment } from './attachments.js';
import { documentOf, SchemaField, type FormValues, type JsonSchema } from './schema-form.js';

/** An event of the catalog (GET /v1/catalog), as far as the console builds forms and choices from it. */
export interface CatalogEvent {
  readonly code: string;
  readonly name: string;
  readonly recordedBy: readonly string[];
  readonly from: readonly string[];
  readonly document: JsonSchema;
  /** Titles of the files the event is expected to come with. */
  readonly expectedAttachments?: readonly string[];
}

export interface RecordedEntry {
  readonly id: string;
  readonly hash: string;
  readonly subjectRef: string;
  readonly type: string;
  readonly agency: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly prevHash: string;
  readonly facts: Readonly<Record<string, unknown>>;
}

/** What POST /v1/events answers with 201. */
export interface Recorded {
  readonly entry: RecordedEntry;
  readonly status: { readonly state: string };
  readonly receipt: string;
}

export type FieldErrors = Readonly<Record<string, string>>;

/** Now, as an ISO time with the browser's offset (the API wants the offset). */
export function localNow(): string {
  const now = new Date();
  const offset = -now.getTimezoneOffset();
  const shifted = new Date(now.getTime() + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset >= 0 ? '+' : '-';
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${shifted}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

/** The event catalog, fetched once per session. */
export function useCatalog(): readonly CatalogEvent[] | undefined {
  const { session } = useApp();
  const [events, setEvents] = useState<readonly CatalogEvent[] | undefined>();
  useEffect(() => {
    void call<{ events: CatalogEvent[] }>('/v1/catalog', { token: session?.token }).then((catalog) => {
      setEvents(catalog.events);
    });
  }, [session]);
  return events;
}

interface EventFormProps {
  readonly event: CatalogEvent;
  /** The subject as the API takes it: by ID number or by reference. */
  readonly subject: Readonly<Record<string, string>>;
  /** Fields shown before the document's (the clerk's ID number), given the API's messages by field. */
  readonly lead?: (errors: FieldErrors) => ComponentChildren;
  /** Document members the form sets itself, not shown. */
  readonly fixed?: Readonly<Record<string, unknown>>;
  readonly onRecorded: (recorded: Recorded) => void;
}

/** The API's field errors keyed by the form's names: document.x → x, subject.idNumber → idNumber. */
function fieldErrorsOf(caught: unknown): FieldErrors {
  if (!(caught instanceof ApiProblem) || !caught.problem.errors) return {};
  return Object.fromEntries(caught.problem.errors.map((error) => [error.path.replace(/^(document|subject)\./, ''), error.message]));
}

/**
 * A form for one event, built from its document schema in the catalog. It is sent with an
 * Idempotency-Key kept until it is recorded: a double click or a retry records the event once.
 */
export function EventForm(props: EventFormProps) {
  const { t, session } = useApp();
  const { event, fixed } = props;
  const [values, setValues] = useState<FormValues>({});
  const [occurredAt, setOccurredAt] = useState(localNow);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const [attachments, setAttachments] = useState<readonly Attachment[]>([]);
  const schema = event.document;
  const required = new Set(schema.required ?? []);
  const shown = Object.entries(schema.properties ?? {}).filter(([name]) => !(fixed && name in fixed));
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setErrors({});
    setFailure(undefined);
    try {
      const files = attachments.length > 0 ? { attachments } : {};
      const body = { type: event.code, subject: props.subject, occurredAt, document: { ...documentOf(schema, values), ...files, ...fixed } };
      props.onRecorded(await call<Recorded>('/v1/events', { token: session?.token, body, idempotencyKey }));
      setValues({});
      setAttachments([]);
      setIdempotencyKey(crypto.randomUUID());
    } catch (caught) {
      setErrors(fieldErrorsOf(caught));
      setFailure(caught instanceof ApiProblem ? caught.problem.detail : String(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      {props.lead?.(errors)}
      <div class="field">
        <label for="field-occurredAt">{t.occurredAt}</label>
        <input id="field-occurredAt" value={occurredAt} onInput={(e) => { setOccurredAt(e.currentTarget.value); }} />
        <FieldError name="occurredAt" errors={errors} />
      </div>
      {shown.map(([name, field]) => (
        <SchemaField key={name} name={name} schema={field} required={required.has(name)} value={values[name]} error={errors[name]} onChange={(value) => { setValues({ ...values, [name]: value }); }} />
      ))}
      {schema.properties?.['attachments'] && <Attachments expected={event.expectedAttachments ?? []} value={attachments} onChange={setAttachments} />}
      {failure && <Problems failure={failure} errors={errors} />}
      <button type="submit" disabled={busy}>{busy ? t.submitting : t.submit}</button>
    </form>
  );
}

/** The API's message for one field, in the user's language. */
export function FieldError({ name, errors }: { readonly name: string; readonly errors: FieldErrors }) {
  const { lang } = useApp();
  const message = errors[name];
  return message ? <p class="error">{messageIn(lang, message)}</p> : null;
}

/** Why the API refused the event: each field named, in the user's language. */
function Problems({ failure, errors }: { readonly failure: string; readonly errors: FieldErrors }) {
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
