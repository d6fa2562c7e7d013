import { useState } from 'preact/hooks';
import type { Verdict } from 'correction-verifier';
import { useApp } from '../app.js';
import { FileDrop } from '../file-drop.js';
import { sha256Hex } from '../file-hash.js';

const TRUST_KEY = 'correction-ledger/trust-file';

/**
 * The auditor's evidence check: the bundle is verified here, in the browser, with the project's
 * verifier against the consortium trust file the auditor brings. The gateway is not asked.
 */
export function Auditor() {
  const { t, lang } = useApp();
  // The trust file is public (keys and policy): kept so the auditor brings it once.
  const [trustText, setTrustText] = useState<string | undefined>(() => localStorage.getItem(TRUST_KEY) ?? undefined);
  const [bundleText, setBundleText] = useState<string | undefined>();
  // A file to check against the entry: only its hash, computed here, is used.
  const [fileHash, setFileHash] = useState<string | undefined>();
  const [verdict, setVerdict] = useState<Verdict | undefined>();
  const [error, setError] = useState<string | undefined>();
  const run = async () => {
    setVerdict(undefined);
    setError(undefined);
    if (!trustText || !bundleText) return;
    try {
      // The verifier (zod, jose, noble) is loaded when an auditor first verifies, not with the first page.
      const { parseTrustFileText, verifyEvidence } = await import('correction-verifier');
      const trust = parseTrustFileText(trustText);
      let bundle: unknown;
      try {
        bundle = JSON.parse(bundleText);
      } catch {
        throw new Error(`${t.evidenceFile}: ${t.notJson}`);
      }
      setVerdict(await verifyEvidence(bundle, trust, fileHash === undefined ? {} : { attachment: fileHash }));
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };
  return (
    <section class="card">
      <h1>{t.evidenceTitle}</h1>
      <div class="columns">
        <FileDrop id="trust-file" label={t.trustFile} accept=".json,application/json" onFile={(file) => {
          void file.text().then((text) => { localStorage.setItem(TRUST_KEY, text); setTrustText(text); });
        }} />
        <FileDrop id="bundle-file" label={t.evidenceFile} accept=".json,application/json" onFile={(file) => {
          void file.text().then(setBundleText);
        }} />
        <FileDrop id="checked-file" label={t.fileToCheck} onFile={(file) => {
          void sha256Hex(file).then(setFileHash);
        }} />
      </div>
      <button type="button" disabled={!trustText || !bundleText} onClick={() => void run()}>{t.verify}</button>
      {error && <p role="alert" class="error">{error}</p>}
      {verdict && (
        <section aria-live="polite">
          <p class={`verdict ${verdict.ok ? 'ok' : 'bad'}`} data-testid="verdict">{verdict.ok ? t.verdictOk : t.verdictFail}</p>
          <table>
            <tbody>
              {verdict.checks.map((check) => (
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
      )}
    </section>
  );
}
