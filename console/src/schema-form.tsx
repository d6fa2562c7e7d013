import { useApp } from './app.js';
import { fieldLabel, messageIn } from './fields.js';
import { codeName } from './i18n.js';

/** The part of a JSON Schema (draft 2020-12, as the catalog publishes) that a form is built from. */
export interface JsonSchema {
  readonly type?: string;
  readonly enum?: readonly string[];
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly allOf?: readonly JsonSchema[];
  readonly items?: JsonSchema;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
}

export type FieldKind = 'select' | 'date' | 'date-time' | 'checkbox' | 'lines' | 'text' | 'long-text' | 'none';

const patternsOf = (schema: JsonSchema): string[] => [schema.pattern, ...(schema.allOf ?? []).map((s) => s.pattern)].filter((p): p is string => p !== undefined);
/** The catalog's calendar dates (with the leap-year rule), and date-times (a date, then T and a time with its offset). */
function stringKind(schema: JsonSchema): FieldKind {
  const calendar = patternsOf(schema).find((p) => p.includes('-02-29'));
  if (calendar !== undefined) return calendar.includes('T(?:') ? 'date-time' : 'date';
  return (schema.maxLength ?? 0) > 1000 ? 'long-text' : 'text';
}

export function fieldKind(schema: JsonSchema): FieldKind {
  if (schema.enum) return 'select';
  if (schema.type === 'boolean') return 'checkbox';
  if (schema.type === 'array' && schema.items?.type === 'string') return 'lines';
  return schema.type === 'string' ? stringKind(schema) : 'none';
}

export type FormValues = Readonly<Record<string, string | boolean>>;

/** The document the API takes, from the form's values: empty fields are left out. */
export function documentOf(schema: JsonSchema, values: FormValues): Record<string, unknown> {
  const document: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const value = values[name];
    const kind = fieldKind(field);
    if (kind === 'checkbox') {
      if (value === true) document[name] = true;
    } else if (kind === 'lines') {
      const lines = String(value ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
      if (lines.length > 0) document[name] = lines;
    } else if (typeof value === 'string' && value !== '') {
      document[name] = value;
    }
  }
  return document;
}

interface FieldProps {
  readonly name: string;
  readonly schema: JsonSchema;
  readonly required: boolean;
  readonly value: string | boolean | undefined;
  readonly error: string | undefined;
  readonly onChange: (value: string | boolean) => void;
}

type ControlProps = FieldProps & { readonly id: string; readonly kind: FieldKind };

function commonAttributes(props: ControlProps) {
  return { id: props.id, name: props.name, required: props.required, 'aria-invalid': props.error ? true : undefined, 'aria-describedby': props.error ? `${props.id}-error` : undefined };
}

function Choice(props: ControlProps) {
  const { lang } = useApp();
  return (
    <select {...commonAttributes(props)} value={String(props.value ?? '')} onChange={(e) => { props.onChange(e.currentTarget.value); }}>
      <option value="">—</option>
      {(props.schema.enum ?? []).map((option) => <option key={option} value={option}>{codeName(lang, option)}</option>)}
    </select>
  );
}

function Control(props: ControlProps) {
  const { kind, schema, value, onChange } = props;
  const common = commonAttributes(props);
  const text = String(value ?? '');
  switch (kind) {
    case 'select':
      return <Choice {...props} />;
    case 'checkbox':
      return <input {...common} required={false} type="checkbox" checked={value === true} onChange={(e) => { onChange(e.currentTarget.checked); }} />;
    case 'lines':
    case 'long-text':
      return <textarea {...common} rows={3} maxLength={kind === 'long-text' ? schema.maxLength : undefined} value={text} onInput={(e) => { onChange(e.currentTarget.value); }} />;
    case 'date':
      return <input {...common} type="date" value={text} onInput={(e) => { onChange(e.currentTarget.value); }} />;
    case 'date-time':
      return <input {...common} type="text" placeholder="2026-01-10T09:00:00+08:00" value={text} onInput={(e) => { onChange(e.currentTarget.value); }} />;
    default:
      return <input {...common} type="text" maxLength={schema.maxLength} value={text} onInput={(e) => { onChange(e.currentTarget.value); }} />;
  }
}

/** One field of a document, labelled in the user's language, with the API's message for it. */
export function SchemaField(props: FieldProps) {
  const { lang, t } = useApp();
  const kind = fieldKind(props.schema);
  if (kind === 'none') return null;
  const id = `field-${props.name}`;
  return (
    <div class={`field ${kind === 'checkbox' ? 'inline' : ''}`}>
      <label for={id}>
        {fieldLabel(lang, props.name)}
        {props.required && <span class="required"> ({t.required})</span>}
      </label>
      <Control {...props} id={id} kind={kind} />
      {props.error && (
        <p id={`${id}-error`} class="error">
          {messageIn(lang, props.error)}
        </p>
      )}
    </div>
  );
}
