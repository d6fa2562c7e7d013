import type { Check } from 'correction-verifier';
import { useApp } from './app.js';

/** Checks made in this browser, each PASS, WARN or FAIL (with the word in Chinese too), under a verdict. */
export function ChecksTable({ ok, checks, verdict }: { readonly ok: boolean; readonly checks: readonly Check[]; readonly verdict: string }) {
  const { t, lang } = useApp();
  return (
    <section aria-live="polite">
      <p class={`verdict ${ok ? 'ok' : 'bad'}`} data-testid="verdict">{verdict}</p>
      <table>
        <tbody>
          {checks.map((check) => (
            <tr key={check.name} data-testid="check">
              <td class={`mark ${check.status.toLowerCase()}`}>{check.status}
                {lang === 'zh' && check.status !== 'WARN' && <span class="word"> {check.status === 'PASS' ? t.pass : t.fail}</span>}</td>
              <th scope="row">{check.name}</th>
              <td class="detail">{check.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
