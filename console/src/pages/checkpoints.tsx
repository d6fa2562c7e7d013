import { useEffect, useState } from 'preact/hooks';
import type { Check, TrustFile } from 'correction-verifier';
import { call } from '../api.js';
import { useApp } from '../app.js';
import { ChecksTable } from '../checks-table.js';
import { codeName } from '../i18n.js';
import { loadVerifier, readCheckpointNote, storedTrust, type NoteReading, type Verifier } from '../verifier.js';

/** A final checkpoint as GET /v1/log/checkpoints lists it. */
interface SignedCheckpoint {
  readonly treeSize: number;
  readonly root: string;
  readonly note: string;
  readonly finalAt: string;
}

interface CheckpointPage {
  readonly checkpoints: readonly SignedCheckpoint[];
  /** The `before` of the next (older) page, when there is one. */
  readonly next?: number;
}

/** Checkpoints one page shows. */
const CHECKPOINTS_PER_PAGE = 10;

interface Loaded {
  readonly verifier: Verifier;
  readonly trust: TrustFile | undefined;
  readonly page: CheckpointPage;
}

/**
 * The history of final checkpoints, largest first, a page at a time: each one's size, root, when it
 * became final and who cosigned it — verified here against the trust file when the auditor brought
 * one — and a consistency proof between two of them verified here with the project's verifier.
 */
export function Checkpoints() {
  const { t } = useApp();
  // The `before` of each page shown so far: the last is the page on screen (undefined: the newest).
  const [pages, setPages] = useState<readonly (number | undefined)[]>([undefined]);
  const before = pages[pages.length - 1];
  const { loaded, error } = useCheckpointPage(before);
  return (
    <>
      <section class="card">
        <h1>{t.checkpointsTitle}</h1>
        <PageBody loaded={loaded} error={error} />
        <Pager pages={pages} next={loaded?.page.next} onPages={setPages} />
      </section>
      {loaded && loaded.page.checkpoints.length > 1 && <Consistency key={before ?? 0} loaded={loaded} />}
    </>
  );
}

/** What the trust file lets the page say, then the page's checkpoints (or why there are none). */
function PageBody({ loaded, error }: { readonly loaded: Loaded | undefined; readonly error: string | undefined }) {
  const { t } = useApp();
  if (error) return <p role="alert" class="error">{error}</p>;
  if (!loaded) return <p>{t.loading}</p>;
  return (
    <>
      <p class="hint">{loaded.trust ? t.checkpointsIntro : t.checkpointsNoTrust}</p>
      <CheckpointTable loaded={loaded} />
    </>
  );
}

/** One page of final checkpoints (older than `before`), with the verifier and the trust file to read them. */
function useCheckpointPage(before: number | undefined): { loaded: Loaded | undefined; error: string | undefined } {
  const { session } = useApp();
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    setLoaded(undefined);
    const query = `limit=${String(CHECKPOINTS_PER_PAGE)}${before === undefined ? '' : `&before=${String(before)}`}`;
    void Promise.all([loadVerifier(), call<CheckpointPage>(`/v1/log/checkpoints?${query}`, { token: session?.token })])
      .then(([verifier, page]) => { setLoaded({ verifier, trust: storedTrust(verifier), page }); })
      .catch((caught: unknown) => { setError(caught instanceof Error ? caught.message : String(caught)); });
  }, [before, session]);
  return { loaded, error };
}

/** Newer and older pages: the `before` of each page shown so far is kept, so newer goes back exactly. */
function Pager({ pages, next, onPages }: { readonly pages: readonly (number | undefined)[]; readonly next: number | undefined; readonly onPages: (pages: readonly (number | undefined)[]) => void }) {
  const { t } = useApp();
  return (
    <nav aria-label={t.pages} class="pager">
      <button type="button" class="ghost" disabled={pages.length === 1} onClick={() => { onPages(pages.slice(0, -1)); }}>{t.newer}</button>
      <span data-testid="page-number">{t.page.replace('{n}', String(pages.length))}</span>
      <button type="button" class="ghost" disabled={next === undefined} onClick={() => { onPages([...pages, next]); }}>{t.older}</button>
    </nav>
  );
}

function Cosigners({ reading }: { readonly reading: NoteReading }) {
  const { t, lang } = useApp();
  if (!reading.verified) return <span>{reading.signers.join(', ')} <small class="hint">({t.unverified})</small></span>;
  return (
    <span class={reading.ok ? '' : 'error'}>
      {reading.agencies.map((a) => codeName(lang, a)).join('、') || '—'}
      {reading.witnesses.length > 0 && <> · {t.witnesses}: {reading.witnesses.join('、')}</>}
      {!reading.ok && <> · {t.fail}</>}
    </span>
  );
}

function CheckpointTable({ loaded }: { readonly loaded: Loaded }) {
  const { t, lang } = useApp();
  const { verifier, trust, page } = loaded;
  if (page.checkpoints.length === 0) return <p>{t.noCheckpoints}</p>;
  return (
    <table data-testid="checkpoints">
      <thead>
        <tr><th scope="col">{t.treeSize}</th><th scope="col">{t.root}</th><th scope="col">{t.finalAt}</th><th scope="col">{t.cosignedBy}</th></tr>
      </thead>
      <tbody>
        {page.checkpoints.map((c) => (
          <tr key={c.treeSize} data-testid="checkpoint">
            <th scope="row" data-testid="checkpoint-size">{c.treeSize}</th>
            <td><code title={c.root}>{c.root.slice(0, 16)}…</code></td>
            <td>{new Date(c.finalAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB')}</td>
            <td data-testid="cosigners"><Cosigners reading={readCheckpointNote(verifier, c.note, trust)} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** GET /v1/log/consistency: the two checkpoints and the proof between them. */
interface ConsistencyProof {
  readonly from: SignedCheckpoint;
  readonly to: SignedCheckpoint;
  readonly proof: readonly string[];
}

/**
 * The checks of a consistency proof, made here: both checkpoints as listed read (and, with the
 * trust file, cosigned), the gateway's proof is between those very checkpoints, and it shows the
 * larger tree extends the smaller (RFC 9162, the verifier's verifyConsistency).
 */
function consistencyChecks(loaded: Loaded, from: SignedCheckpoint, to: SignedCheckpoint, answer: ConsistencyProof, t: ReturnType<typeof useApp>['t']): Check[] {
  const { verifier, trust } = loaded;
  const noteCheck = (name: string, reading: NoteReading): Check =>
    ({ name, ok: reading.ok, status: !reading.ok ? 'FAIL' : reading.verified ? 'PASS' : 'WARN', detail: reading.verified ? reading.detail : `${t.noTrustFile} ${reading.detail}` });
  const first = readCheckpointNote(verifier, from.note, trust);
  const second = readCheckpointNote(verifier, to.note, trust);
  const same = answer.from.note === from.note && answer.to.note === to.note;
  const proven = same && first.root !== undefined && second.root !== undefined &&
    verifier.verifyConsistency(from.treeSize, to.treeSize, answer.proof.map(verifier.fromHex), first.root, second.root);
  const proofCheck: Check = {
    name: t.consistencyProof,
    ok: proven,
    status: proven ? 'PASS' : 'FAIL',
    detail: proven ? `${String(from.treeSize)} → ${String(to.treeSize)}: ${String(answer.proof.length)} ${t.hashes}` : same ? t.notConsistent : t.otherCheckpoints,
  };
  return [noteCheck(`${t.checkCosignatures} ${String(from.treeSize)}`, first), noteCheck(`${t.checkCosignatures} ${String(to.treeSize)}`, second), proofCheck];
}

/** Two checkpoints of the page chosen (the newest two at first) and the proof that the later extends the earlier. */
function Consistency({ loaded }: { readonly loaded: Loaded }) {
  const { t, session } = useApp();
  const listed = loaded.page.checkpoints;
  const [fromSize, setFromSize] = useState(listed[1]?.treeSize ?? 0);
  const [toSize, setToSize] = useState(listed[0]?.treeSize ?? 0);
  const [checks, setChecks] = useState<readonly Check[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const run = async (e: Event) => {
    e.preventDefault();
    setChecks(undefined);
    setError(undefined);
    const from = listed.find((c) => c.treeSize === fromSize);
    const to = listed.find((c) => c.treeSize === toSize);
    if (!from || !to || from.treeSize >= to.treeSize) {
      setError(t.chooseOlderFirst);
      return;
    }
    try {
      const answer = await call<ConsistencyProof>(`/v1/log/consistency?from=${String(from.treeSize)}&to=${String(to.treeSize)}`, { token: session?.token });
      setChecks(consistencyChecks(loaded, from, to, answer, t));
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };
  const options = listed.map((c) => <option key={c.treeSize} value={c.treeSize}>{c.treeSize}</option>);
  return (
    <section class="card" aria-labelledby="consistency-title">
      <h2 id="consistency-title">{t.consistencyTitle}</h2>
      <form onSubmit={(e) => void run(e)} class="inline-form">
        <label for="consistency-from">{t.fromCheckpoint}</label>
        <select id="consistency-from" value={fromSize} onChange={(e) => { setFromSize(Number(e.currentTarget.value)); }}>{options}</select>
        <label for="consistency-to">{t.toCheckpoint}</label>
        <select id="consistency-to" value={toSize} onChange={(e) => { setToSize(Number(e.currentTarget.value)); }}>{options}</select>
        <button type="submit">{t.verifyConsistency}</button>
      </form>
      {error && <p role="alert" class="error">{error}</p>}
      {checks && <ChecksTable ok={checks.every((c) => c.ok)} checks={checks} verdict={checks.every((c) => c.ok) ? t.consistentOk : t.consistentFail} />}
    </section>
  );
}
