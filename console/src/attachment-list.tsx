import { useState } from 'preact/hooks';
import { useApp } from './app.js';
import { downloadRefusal, fetchAttachment, fileNameOf, listedAttachments, type ListedAttachment } from './attachment-download.js';
import { saveBlob } from './download.js';

/** One attachment with its download button, and why it could not be downloaded. */
function AttachmentItem({ entryId, attachment }: { readonly entryId: string; readonly attachment: ListedAttachment }) {
  const { t, session } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const name = fileNameOf(attachment);
  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      saveBlob(name, await fetchAttachment(entryId, attachment, session?.token ?? ''));
    } catch (caught) {
      setError(downloadRefusal(caught, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li data-testid="entry-attachment">
      <span>{attachment.title ?? t.sealedTitle}</span>{' '}
      <small class="hint">{attachment.mediaType ?? ''}{attachment.size === undefined ? '' : ` · ${String(attachment.size)} B`}</small>{' '}
      <button type="button" class="ghost small" disabled={busy} aria-label={`${t.download} ${name}`} onClick={() => void save()}>{busy ? t.downloading : t.download}</button>
      {error && <p role="alert" class="error">{error}</p>}
    </li>
  );
}

/** The files an entry lists, each downloadable by a reader entitled to the entry's documents. */
export function AttachmentList({ entryId, facts }: { readonly entryId: string; readonly facts: Readonly<Record<string, unknown>> }) {
  const { t } = useApp();
  const listed = listedAttachments(facts);
  if (listed.length === 0) return null;
  return (
    <div class="files">
      <p class="label">{t.files}</p>
      <ul>
        {listed.map((a) => <AttachmentItem key={a.hash} entryId={entryId} attachment={a} />)}
      </ul>
    </div>
  );
}
