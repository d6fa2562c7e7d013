import { useState } from 'preact/hooks';
import { useApp } from './app.js';
import { mediaTypeOf, sha256Hex } from './file-hash.js';

/** A file a document lists: title, SHA-256, size and type, as the document schema's `attachments` takes them. */
export interface Attachment {
  readonly title: string;
  readonly hash: string;
  readonly size: number;
  readonly mediaType: string;
}

/** Uploads a file to the gateway's store (POST /v1/documents, the file as the body). */
async function uploadFile(file: File, mediaType: string, token: string): Promise<{ hash: string }> {
  const answer = await fetch('/v1/documents', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': mediaType }, body: file });
  const body = (await answer.json()) as { hash?: string; detail?: string };
  if (!answer.ok || body.hash === undefined) throw new Error(body.detail ?? `upload answered ${String(answer.status)}`);
  return { hash: body.hash };
}

/**
 * The document's files, dropped or chosen, each hashed here in the browser and uploaded; the document lists
 * them and the entry pins their hashes. Titles start from the files the catalog expects.
 */
export function Attachments(props: { readonly expected: readonly string[]; readonly value: readonly Attachment[]; readonly onChange: (value: readonly Attachment[]) => void }) {
  const { t, session } = useApp();
  const token = session?.token ?? '';
  const [over, setOver] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const add = async (files: readonly File[]) => {
    setProblem(undefined);
    const added: Attachment[] = [];
    for (const file of files) {
      const mediaType = mediaTypeOf(file);
      if (!mediaType || file.size === 0) {
        setProblem(`${file.name}: ${t.attachmentTypes}`);
        continue;
      }
      const title = props.expected[props.value.length + added.length] ?? file.name.replace(/\.[^.]*$/, '');
      const hash = await sha256Hex(file);
      // The gateway keeps the file under its SHA-256; the entry lists it only once it is held there.
      const kept = await uploadFile(file, mediaType, token);
      if (kept.hash !== hash) {
        setProblem(`${file.name}: ${t.error}`);
        continue;
      }
      added.push({ title, hash, size: file.size, mediaType });
    }
    props.onChange([...props.value, ...added]);
  };
  const addAll = (files: readonly File[]) => {
    add(files).catch((caught: unknown) => { setProblem(caught instanceof Error ? caught.message : String(caught)); });
  };
  return (
    <fieldset
      class={`drop ${over ? 'over' : ''}`}
      data-testid="drop-attachments"
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => { setOver(false); }}
      onDrop={(e) => { e.preventDefault(); setOver(false); addAll([...(e.dataTransfer?.files ?? [])]); }}
    >
      <legend>{t.attachments}</legend>
      <label for="attachment-files">{t.dropHere}</label>
      <input id="attachment-files" type="file" multiple accept=".pdf,.ofd,.jpg,.jpeg,.png" onChange={(e) => { addAll([...(e.currentTarget.files ?? [])]); }} />
      {props.expected.length > 0 && <p class="hint">{t.expectedFiles}: {props.expected.join('、')}</p>}
      {problem && <p role="alert" class="error">{problem}</p>}
      <ul>
        {props.value.map((a, i) => (
          <li key={a.hash} data-testid="attachment">
            <label for={`attachment-title-${String(i)}`} class="visually-hidden">{t.attachmentTitle} {i + 1}</label>
            <input id={`attachment-title-${String(i)}`} value={a.title} maxLength={100} onInput={(e) => {
              const title = e.currentTarget.value;
              props.onChange(props.value.map((b, j) => (j === i ? { ...b, title } : b)));
            }} />{' '}
            <code>{a.hash.slice(0, 16)}…</code> {a.mediaType} {a.size} B
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
