import { useState } from 'preact/hooks';
import type { Verdict } from 'correction-verifier';
import { Link, useApp } from '../app.js';
import { ChecksTable } from '../checks-table.js';
import { FileCheckCard } from '../file-check.js';
import { FileDrop } from '../file-drop.js';
import { sha256Hex } from '../file-hash.js';
import { loadVerifier, storedTrustText, storeTrustText } from '../verifier.js';

/**
 * The auditor's evidence check: the bundle is verified here, in the browser, with the project's
 * verifier against the consortium trust file the auditor brings. The gateway is not asked. Beside
 * it, a file checked against an entry of the chain, and the way to the history of final checkpoints.
 */
export function Auditor() {
  const { t } = useApp();
  const [trustText, setTrustText] = useState<string | undefined>(storedTrustText);
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
      const { parseTrustFileText, verifyEvidence } = await loadVerifier();
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
    <>
      <section class="card">
        <h1>{t.evidenceTitle}</h1>
        <p><Link href="/checkpoints">{t.checkpointsTitle}</Link></p>
        <div class="columns">
          <FileDrop id="trust-file" label={t.trustFile} accept=".json,application/json" onFile={(file) => {
            void file.text().then((text) => { storeTrustText(text); setTrustText(text); });
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
        {verdict && <ChecksTable ok={verdict.ok} checks={verdict.checks} verdict={verdict.ok ? t.verdictOk : t.verdictFail} />}
      </section>
      <FileCheckCard />
    </>
  );
}
