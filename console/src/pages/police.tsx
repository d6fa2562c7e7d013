import { useState } from 'preact/hooks';
import { ApiProblem, call } from '../api.js';
import { useApp } from '../app.js';
import { messageIn } from '../fields.js';
import { codeName } from '../i18n.js';

interface Status {
  readonly view?: 'minimal';
  readonly state: string;
  readonly correctionType?: string | null;
  readonly termEnd?: string | null;
  readonly mayLeaveCountry?: boolean;
  readonly flags?: { readonly absconded: boolean; readonly detained: boolean };
  /** The minimal status says it at the top. */
  readonly absconded?: boolean;
}

/**
 * The police officer's status check: the ID number goes in a POST body, never in a URL; the field
 * is emptied once the answer comes, and the browser is told not to remember it.
 */
export function Police() {
  const { t, lang, session } = useApp();
  const [idNumber, setIdNumber] = useState('');
  const [status, setStatus] = useState<Status | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const lookup = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setStatus(undefined);
    try {
      const answer = await call<{ status: Status }>('/v1/subjects/lookup', { token: session?.token, body: { idNumber } });
      setStatus(answer.status);
      setIdNumber('');
    } catch (caught) {
      if (caught instanceof ApiProblem) {
        const field = caught.problem.errors?.[0];
        setError(field ? messageIn(lang, field.message) : caught.problem.status === 404 ? t.notFound : caught.problem.detail);
      } else setError(String(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="columns">
      <section class="card">
        <h1>{t.police}</h1>
        <form onSubmit={(e) => void lookup(e)} autocomplete="off">
          <div class="field">
            <label for="lookup-id">{t.idNumber}</label>
            <input id="lookup-id" name="lookup-id" autocomplete="off" spellcheck={false} maxLength={18} value={idNumber} aria-describedby="lookup-hint" onInput={(e) => { setIdNumber(e.currentTarget.value); }} />
            <p id="lookup-hint" class="hint">{t.idNumberHint}</p>
          </div>
          <button type="submit" disabled={busy}>{t.lookup}</button>
          {error && <p role="alert" class="error">{error}</p>}
        </form>
      </section>
      {status && <StatusCard status={status} />}
    </div>
  );
}

/** What the officer needs at a glance: state, type, term end, absconded, detained, may leave the country. */
function StatusCard({ status }: { readonly status: Status }) {
  const { t, lang } = useApp();
  const yesNo = (value: boolean | undefined) => (value ? t.yes : t.no);
  const absconded = status.flags?.absconded ?? status.absconded;
  return (
    <section class="card status" aria-live="polite" data-testid="status-card">
      <h2>{t.statusCard}</h2>
      {absconded && <p role="alert" class="alert">{t.lostContactAlert}</p>}
      {status.view === 'minimal' && <p class="hint">{t.minimalStatus}</p>}
      <dl>
        <dt>{t.state}</dt>
        <dd data-testid="status-state">{codeName(lang, status.state)}</dd>
        <dt>{t.correctionType}</dt>
        <dd>{status.correctionType ? codeName(lang, status.correctionType) : '—'}</dd>
        <dt>{t.termEnd}</dt>
        <dd>{status.termEnd ?? '—'}</dd>
        <dt>{t.absconded}</dt>
        <dd>{yesNo(absconded)}</dd>
        {status.flags && (
          <>
            <dt>{t.detained}</dt>
            <dd>{yesNo(status.flags.detained)}</dd>
          </>
        )}
        <dt>{t.mayLeaveCountry}</dt>
        <dd>{yesNo(status.mayLeaveCountry)}</dd>
      </dl>
    </section>
  );
}
