import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { raw } from '../support/raw-http.js';
import type { DrillGateway } from './gateways.js';
import { bearer, postJson, record, setUpSubject, warningBody, type Subject } from './subjects.js';

/** Values of records that exist, for the fuzzer to use beside the ones it makes up. */
export interface FuzzSeeds {
  readonly subjectRefs: readonly string[];
  readonly idNumbers: readonly string[];
  readonly entryIds: readonly string[];
  readonly receipts: readonly string[];
  readonly webhookIds: readonly string[];
}

/**
 * Sizes of the log with a final checkpoint after seeding, for consistency proofs: schemathesis.toml
 * lists them (a dictionary file holds strings only, and these are integers), and seeding checks it
 * made exactly these.
 */
export const SEEDED_CHECKPOINTS = [8, 9] as const;

/** Waits until the log's latest final checkpoint covers every entry recorded so far; resolves its size. */
async function checkpointed(gateway: DrillGateway, token: string, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = (await raw(gateway.url, { path: '/v1/log', headers: bearer(token) })).json as { size?: number; latestFinal?: { treeSize?: number } | null } | undefined;
    const size = state?.size ?? 0;
    if (size > 0 && state?.latestFinal?.treeSize === size) return size;
    if (Date.now() > deadline) throw new Error(`no final checkpoint of the log's ${size} entries within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Registered by a clerk of the agency: only clerks manage webhooks. */
async function webhook(gateway: DrillGateway, agency: 'COURT' | 'JUSTICE'): Promise<string> {
  const token = await gateway.token(agency, 'clerk', `fuzz-${agency.toLowerCase()}-webhooks`);
  // Port 9 (discard) on loopback, which the fuzzed gateway allows: deliveries fail and are retried, and nothing leaves the machine.
  const answer = await postJson(gateway.url, '/v1/webhooks', token, { url: `http://127.0.0.1:9/${agency.toLowerCase()}-notices`, events: ['*'] });
  const id = (answer.json as { id?: unknown } | undefined)?.id;
  if (answer.status !== 201 || typeof id !== 'string') throw new Error(`registering a webhook answered ${answer.status}: ${answer.text.slice(0, 200)}`);
  return id;
}

/**
 * Records what the fuzzer's identities can find: three subjects under correction (one with
 * warnings), one awaiting its reception, a webhook of each identity's agency, and two final
 * checkpoints, so that lookups, reads, proofs, evidence and consistency proofs can answer 200.
 */
export async function seedForFuzzing(gateway: DrillGateway, tokens: { readonly court: string; readonly justice: string }): Promise<FuzzSeeds> {
  const subjects: Subject[] = [];
  for (const n of [1, 2, 3]) subjects.push(await setUpSubject(gateway.url, tokens, n));
  const first = subjects[0];
  const warnings = first ? [await record(gateway.url, tokens.justice, warningBody(first, 'WN-1')), await record(gateway.url, tokens.justice, warningBody(first, 'WN-2'))] : [];
  const before = await checkpointed(gateway, tokens.court);
  subjects.push(await setUpSubject(gateway.url, tokens, 4, false));
  const after = await checkpointed(gateway, tokens.court);
  if (before !== SEEDED_CHECKPOINTS[0] || after !== SEEDED_CHECKPOINTS[1]) {
    throw new Error(`seeding made final checkpoints at ${before} and ${after}, not at ${SEEDED_CHECKPOINTS.join(' and ')} as schemathesis.toml says`);
  }
  return {
    subjectRefs: subjects.map((s) => s.ref),
    idNumbers: subjects.map((s) => s.idNumber),
    entryIds: [...subjects.flatMap((s) => s.entryIds), ...warnings.map((w) => w.entryId)],
    receipts: [...subjects.flatMap((s) => s.receipts), ...warnings.map((w) => w.receipt)],
    webhookIds: [await webhook(gateway, 'COURT'), await webhook(gateway, 'JUSTICE')],
  };
}

/** One libFuzzer-style dictionary file per kind of value, as schemathesis.toml names them. */
export async function writeDictionaries(dir: string, seeds: FuzzSeeds): Promise<void> {
  await mkdir(dir, { recursive: true });
  const files: Record<string, readonly string[]> = {
    'subject-refs': seeds.subjectRefs,
    'id-numbers': seeds.idNumbers,
    'entry-ids': seeds.entryIds,
    receipts: seeds.receipts,
    'webhook-ids': seeds.webhookIds,
  };
  for (const [name, values] of Object.entries(files)) {
    await writeFile(join(dir, `${name}.dict`), `# written by npm run schemathesis for one run\n${values.map((v) => JSON.stringify(v)).join('\n')}\n`);
  }
}
