#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Check, VerifyOptions } from './evidence.js';
import { verifyEvidence } from './evidence.js';
import { hashFile } from './file-hash.js';
import { parseTrustFileText, TrustFileError } from './trust.js';

const USAGE = 'usage: correction-verify BUNDLE [DOCUMENT] --trust TRUST_FILE [--attachment FILE] [--json]';

/**
 * correction-verify: checks an evidence bundle offline against the consortium trust file and
 * prints one line per check (PASS, WARN or FAIL); exits 0 only if none fails. The Fabric block
 * check needs the optional @hyperledger/fabric-protos; without it a bundle with a block fails.
 */
async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { trust: { type: 'string' }, attachment: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  const [bundlePath, documentPath, ...extra] = positionals;
  if (values.help || !bundlePath || !values.trust || extra.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const trust = parseTrustFileText(await readFile(values.trust, 'utf8'));
  const bundle = JSON.parse(await readFile(bundlePath, 'utf8')) as unknown;
  const options: VerifyOptions = {
    ...(documentPath ? { document: JSON.parse(await readFile(documentPath, 'utf8')) as unknown } : {}),
    ...(values.attachment ? { attachment: await hashFile(values.attachment) } : {}),
    ...(await fabricCheck()),
  };
  const verdict = await verifyEvidence(bundle, trust, options);
  if (values.json) process.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
  else process.stdout.write(report(verdict.checks, verdict.ok));
  return verdict.ok ? 0 : 1;
}

/** The Fabric block check, when its optional dependency is installed. */
async function fabricCheck(): Promise<Pick<VerifyOptions, 'fabricCheck'>> {
  try {
    const { verifyFabricBlock } = await import('./fabric.js');
    return { fabricCheck: verifyFabricBlock };
  } catch {
    return {};
  }
}

function report(checks: readonly Check[], ok: boolean): string {
  const lines = checks.map((c) => `${c.status}  ${c.name}: ${c.detail}\n`);
  return `${lines.join('')}${ok ? 'evidence verified' : 'evidence NOT verified'}\n`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof TrustFileError || error instanceof SyntaxError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`correction-verify: ${message}\n`);
    process.exitCode = 2;
  },
);
