import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useApp } from '../app.js';
import { AGENCIES } from '../domain.js';
import { useCatalog } from '../event-form.js';
import { codeName } from '../i18n.js';
import { ObligationChart } from '../obligation-chart.js';

/** An obligation as GET /v1/obligations lists it. */
export interface Obligation {
  readonly subjectRef?: string;
  readonly rule: string;
  readonly event: string;
  readonly agency: string | null;
  readonly dueAt: string;
  readonly metAt: string | null;
  readonly state: 'open' | 'overdue' | 'met' | 'late' | 'void';
  readonly basis: string;
}

const COUNTED = ['open', 'overdue', 'met', 'late'] as const;

/**
 * The prosecutor's board: obligations open and overdue by agency, a chart of obligations falling
 * due over time, the overdue ones listed, and procuratorial opinions with whether they were answered.
 */
export function Prosecutor() {
  const { t, lang, session } = useApp();
  const catalog = useCatalog();
  const [list, setList] = useState<{ asOf: string; obligations: readonly Obligation[] } | undefined>();
  useEffect(() => {
    void call<{ asOf: string; obligations: Obligation[] }>('/v1/obligations', { token: session?.token }).then(setList);
  }, [session]);
  if (!list) return <p>{t.loading}</p>;
  const name = (code: string) => (lang === 'zh' ? (catalog?.find((e) => e.code === code)?.name ?? code) : code);
  const count = (agency: string, state: string) => list.obligations.filter((o) => o.agency === agency && o.state === state).length;
  const overdue = list.obligations.filter((o) => o.state === 'overdue');
  const opinions = list.obligations.filter((o) => o.rule === 'PROCURATORIAL_REPLY');
  const stateWord = { open: t.openCount, overdue: t.overdueCount, met: t.metCount, late: t.lateCount };
  return (
    <>
      <section class="card">
        <h1>{t.obligationsTitle}</h1>
        <p class="hint">{t.asOf}: {new Date(list.asOf).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB')}</p>
        <h2>{t.byAgency}</h2>
        <table data-testid="by-agency">
          <thead>
            <tr><th scope="col">{t.agency}</th>{COUNTED.map((s) => <th scope="col" key={s}>{stateWord[s]}</th>)}</tr>
          </thead>
          <tbody>
            {AGENCIES.map((agency) => (
              <tr key={agency} data-testid={`agency-${agency}`}>
                <th scope="row">{codeName(lang, agency)}</th>
                {COUNTED.map((s) => <td key={s} data-state={s} class={s === 'overdue' && count(agency, s) > 0 ? 'error' : ''}>{count(agency, s)}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
        <ObligationChart obligations={list.obligations} labels={stateWord} />
      </section>
      <div class="columns">
        <section class="card">
          <h2>{t.overdueList}</h2>
          {overdue.length === 0 ? <p>{t.noOverdue}</p> : (
            <table>
              <thead>
                <tr><th scope="col">{t.obligation}</th><th scope="col">{t.agency}</th><th scope="col">{t.dueAt}</th><th scope="col">{t.subjectRef}</th></tr>
              </thead>
              <tbody>
                {overdue.map((o) => (
                  <tr key={`${o.subjectRef ?? ''}-${o.rule}-${o.dueAt}`} data-testid="overdue">
                    <td>{name(o.event)}</td>
                    <td>{o.agency ? codeName(lang, o.agency) : '—'}</td>
                    <td>{new Date(o.dueAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB')}</td>
                    <td><code>{(o.subjectRef ?? '').slice(0, 12)}…</code></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section class="card">
          <h2>{t.opinions}</h2>
          {opinions.length === 0 ? <p>{t.noOpinions}</p> : (
            <ul>
              {opinions.map((o) => (
                <li key={`${o.subjectRef ?? ''}-${o.dueAt}`}>
                  {codeName(lang, o.agency ?? '')}: {o.metAt ? `${t.replied} ${o.metAt}` : `${t.awaitingReply} (${t.dueAt} ${o.dueAt})`}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}
