import { useState } from 'preact/hooks';
import { ApiProblem, call } from '../api.js';
import { useApp } from '../app.js';
import { AttachmentList } from '../attachment-list.js';
import { useCatalog, type RecordedEntry } from '../event-form.js';
import { messageIn } from '../fields.js';
import { codeName } from '../i18n.js';
import { ObligationBars, type TimedObligation } from '../obligation-bars.js';

interface ChainEntry extends RecordedEntry {
  readonly seq: number;
  readonly unit: string;
  readonly amends: string | null;
}

/** The entry a later one answers: an acknowledgement, a reply, or an amendment. */
function answered(entry: ChainEntry): string | undefined {
  const { acknowledges, answers } = entry.facts;
  if (typeof acknowledges === 'string') return acknowledges;
  if (typeof answers === 'string') return answers;
  return entry.amends ?? undefined;
}

/**
 * A subject's timeline: its chain of entries in order — who recorded each, when, how each hash
 * links to the one before, which entry answers which — and its obligations as due-date bars. The
 * subject is found by ID number, sent in a POST body; only its reference is kept on the page.
 */
export function Timeline() {
  const { t, lang, session } = useApp();
  const catalog = useCatalog();
  const [idNumber, setIdNumber] = useState('');
  const [chain, setChain] = useState<readonly ChainEntry[] | undefined>();
  const [obligations, setObligations] = useState<readonly TimedObligation[]>([]);
  const [error, setError] = useState<string | undefined>();
  const show = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const token = session?.token;
      const { ref } = await call<{ ref: string }>('/v1/subjects/lookup', { token, body: { idNumber } });
      setIdNumber('');
      const [entries, due] = await Promise.all([
        call<ChainEntry[]>(`/v1/subjects/${ref}/entries`, { token }),
        call<{ obligations: TimedObligation[] }>(`/v1/subjects/${ref}/obligations`, { token }),
      ]);
      setChain(entries);
      setObligations(due.obligations);
    } catch (caught) {
      const field = caught instanceof ApiProblem ? caught.problem.errors?.[0] : undefined;
      setError(field ? messageIn(lang, field.message) : caught instanceof Error ? caught.message : String(caught));
    }
  };
  const name = (code: string) => (lang === 'zh' ? (catalog?.find((c) => c.code === code)?.name ?? code) : code);
  const seqOf = new Map(chain?.map((entry) => [entry.id, entry.seq]));
  return (
    <>
      <section class="card">
        <h1>{t.timeline}</h1>
        <form onSubmit={(e) => void show(e)} autocomplete="off" class="inline-form">
          <label for="timeline-id">{t.idNumber}</label>
          <input id="timeline-id" autocomplete="off" spellcheck={false} maxLength={18} value={idNumber} aria-describedby="timeline-hint" onInput={(e) => { setIdNumber(e.currentTarget.value); }} />
          <p id="timeline-hint" class="hint">{t.idNumberHint}</p>
          <button type="submit">{t.showTimeline}</button>
          {error && <p role="alert" class="error">{error}</p>}
        </form>
      </section>
      {chain && (
        <section class="card">
          <h2>{t.timelineTitle}</h2>
          <ol class="timeline" data-testid="timeline">
            {chain.map((entry, i) => <TimelineEntry key={entry.id} entry={entry} previous={chain[i - 1]} answersSeq={seqOf.get(answered(entry) ?? '')} name={name} />)}
          </ol>
          <h2>{t.obligationsBars}</h2>
          <ObligationBars obligations={obligations} name={name} />
        </section>
      )}
    </>
  );
}

interface TimelineEntryProps {
  readonly entry: ChainEntry;
  readonly previous: ChainEntry | undefined;
  /** The seq of the entry this one answers, if any. */
  readonly answersSeq: number | undefined;
  readonly name: (code: string) => string;
}

/** One entry on the timeline: what, who, when, its hash and whether it links to the one before. */
function TimelineEntry({ entry, previous, answersSeq, name }: TimelineEntryProps) {
  const { t, lang } = useApp();
  const linked = entry.prevHash === (previous?.hash ?? '0'.repeat(64));
  return (
    <li data-testid="timeline-entry">
      <p class="event">
        <strong>#{entry.seq} {name(entry.type)}</strong> · {codeName(lang, entry.agency)}{entry.unit === '*' ? '' : ` ${entry.unit}`}
      </p>
      <p class="hint">
        {t.occurred} {entry.occurredAt} · {t.recorded2} {new Date(entry.recordedAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB')}
      </p>
      <p class="hashes">
        {t.hash} <code>{entry.hash.slice(0, 16)}…</code> · {t.prevHash} <code>{entry.prevHash.slice(0, 16)}…</code>{' '}
        <span class={linked ? 'ok' : 'error'} data-testid="link">
          {linked ? '✓' : '✗'} {t.linksTo} {previous ? `#${String(previous.seq)}` : t.genesis}
        </span>
      </p>
      {answersSeq !== undefined && <p class="answers" data-testid="answers">↩ {t.answers} #{answersSeq}</p>}
      <AttachmentList entryId={entry.id} facts={entry.facts} />
    </li>
  );
}
