import { useState } from 'preact/hooks';
import { ApiProblem, call } from './api.js';
import { useApp } from './app.js';
import { ChecksTable } from './checks-table.js';
import { checkFileAgainstEntry, type FileCheck } from './entry-file-check.js';
import { FileDrop } from './file-drop.js';
import { sha256Hex } from './file-hash.js';
import type { Words } from './i18n.js';
import { loadVerifier } from './verifier.js';

const ENTRY_ID = /^[0-9a-f]{32}$/;

/** Why the gateway would not give the entry, said plainly. */
function refusal(caught: unknown, t: Words): string {
  if (!(caught instanceof ApiProblem)) return caught instanceof Error ? caught.message : String(caught);
  if (caught.problem.status === 404) return t.entryNotFound;
  if (caught.problem.status === 403) return `${t.entryForbidden} (${caught.problem.detail})`;
  return `${t.error}: ${caught.problem.detail}`;
}

/**
 * The auditor drops a file and names an entry: the file is hashed here (SHA-256, read as a stream)
 * and checked against the entry on the chain. Only the entry and its proof are fetched; the file
 * never leaves the browser.
 */
export function FileCheckCard() {
  const { t, session } = useApp();
  const [entryId, setEntryId] = useState('');
  const [file, setFile] = useState<File | undefined>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<FileCheck | undefined>();
  const [error, setError] = useState<string | undefined>();
  const run = async (e: Event) => {
    e.preventDefault();
    setResult(undefined);
    setError(undefined);
    const id = entryId.trim().toLowerCase();
    if (!ENTRY_ID.test(id)) {
      setError(t.entryIdFormat);
      return;
    }
    if (!file) return;
    setBusy(true);
    try {
      const [verifier, hash] = await Promise.all([loadVerifier(), sha256Hex(file)]);
      setResult(await checkFileAgainstEntry(verifier, hash, id, (path) => call(path, { token: session?.token }), t));
    } catch (caught) {
      setError(refusal(caught, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="file-check-title" data-testid="file-check">
      <h2 id="file-check-title">{t.fileCheckTitle}</h2>
      <p class="hint">{t.fileCheckIntro}</p>
      <form onSubmit={(e) => void run(e)} autocomplete="off">
        <div class="field">
          <label for="file-check-entry">{t.entryId}</label>
          <input id="file-check-entry" spellcheck={false} maxLength={64} value={entryId} aria-describedby="file-check-entry-hint" onInput={(e) => { setEntryId(e.currentTarget.value); }} />
          <p id="file-check-entry-hint" class="hint">{t.entryIdHint}</p>
        </div>
        <FileDrop id="file-check-file" label={t.fileToMatch} onFile={setFile} />
        <button type="submit" disabled={busy || !file || entryId.trim() === ''}>{busy ? t.checking : t.checkFile}</button>
      </form>
      {error && <p role="alert" class="error" data-testid="file-check-error">{error}</p>}
      {result && <FileCheckResult result={result} />}
    </section>
  );
}

/** The checks, and the attachment the file is (title, size, type), or that it is none. */
function FileCheckResult({ result }: { readonly result: FileCheck }) {
  const { t } = useApp();
  const { match } = result;
  const verdict = result.ok ? t.fileMatchOk : match ? t.fileMatchUnproven : t.fileMatchNone;
  return (
    <>
      <ChecksTable ok={result.ok} checks={result.checks} verdict={verdict} />
      {match && (
        <dl data-testid="matched-attachment">
          <dt>{t.attachmentTitle}</dt>
          <dd>{match.attachment.title ?? t.sealedTitle}</dd>
          <dt>{t.size}</dt>
          <dd>{match.attachment.size === undefined ? '—' : `${String(match.attachment.size)} B`}</dd>
          <dt>{t.mediaType}</dt>
          <dd>{match.attachment.mediaType ?? '—'}</dd>
          <dt>{t.position}</dt>
          <dd>{match.position} / {match.of}</dd>
        </dl>
      )}
    </>
  );
}
