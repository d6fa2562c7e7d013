import { DIGEST_KINDS, type DigestKind, type StateDigestPage } from 'correction-chaincode/domain';
import { stateKeyOf, type AuditCheckpoint, type AuditStore } from './audit-store.js';
import { addProblem, type Findings } from './findings.js';

/** Reads a page of state digests through the contract (GetStateDigests). */
export type StateDigestReader = (kind: DigestKind, bookmark: string, pageSize: number) => Promise<StateDigestPage>;

/** Digests per page: small enough that a page answers well within the 5 s evaluate deadline on a loaded peer. */
export const DIGEST_PAGE = 500;

/** The composite key of a state key, as a bookmark: a page from it starts with it. */
const compositeKey = (kind: DigestKind, attributes: readonly string[]): string => `\u0000${kind}\u0000${attributes.map((a) => `${a}\u0000`).join('')}`;

export interface StatePassContext {
  readonly read: StateDigestReader;
  readonly store: AuditStore;
  readonly checkpoint: AuditCheckpoint;
  readonly signal: AbortSignal | undefined;
  readonly onPage: (keys: number) => void;
}

/**
 * The state pass: every entry and subject status the peer's world state holds, a page of digests at
 * a time, each against the digest of what the last block that wrote it wrote. A key whose digest
 * differs, or that no block wrote, is a suspect until the blocks added meanwhile are read (state is
 * read at the peer's latest height). Returns false if stopped before the end.
 */
export async function readState(context: StatePassContext): Promise<boolean> {
  const { checkpoint } = context;
  checkpoint.state ??= { kind: DIGEST_KINDS[0], bookmark: '' };
  for (let kind = DIGEST_KINDS.indexOf(checkpoint.state.kind); kind < DIGEST_KINDS.length; kind++) {
    const current = checkpoint.state;
    do {
      if (context.signal?.aborted) return false;
      await readPage(current, context);
    } while (current.bookmark !== '');
    const next = DIGEST_KINDS[kind + 1];
    if (next) checkpoint.state = { kind: next, bookmark: '' };
  }
  return true;
}

async function readPage(position: { kind: DigestKind; bookmark: string }, context: StatePassContext): Promise<void> {
  const page = await context.read(position.kind, position.bookmark, DIGEST_PAGE);
  const seen: string[] = [];
  for (const { key, digest } of page.digests) {
    const written = context.store.writtenAt(stateKeyOf(position.kind, key));
    if (written?.digest === digest) seen.push(stateKeyOf(position.kind, key));
    else context.checkpoint.suspects.push({ kind: position.kind, attributes: [...key] });
  }
  position.bookmark = page.bookmark;
  await context.store.commit({ seen }, context.checkpoint);
  context.onPage(page.digests.length);
}

/** Each suspect read again, once the blocks are read to the peer's height: what still differs is a problem. */
export async function settleSuspects(context: StatePassContext, findings: Findings): Promise<void> {
  const { checkpoint, store } = context;
  const seen: string[] = [];
  for (const { kind, attributes } of checkpoint.suspects) {
    const key = stateKeyOf(kind, attributes);
    const stored = await storedDigest(context.read, kind, attributes);
    const written = store.writtenAt(key);
    if (stored !== undefined && written?.digest === stored) {
      seen.push(key);
      continue;
    }
    const at = { subjectRef: attributes[0] ?? '', ...(kind === 'entry' ? { seq: Number(attributes[1]) } : {}) };
    if (!written) addProblem(findings, 'world state', { kind: 'STATE_NOT_IN_ANY_BLOCK', ...at, detail: `the ${kind} in state was written by no valid transaction` });
    else if (stored !== undefined) addProblem(findings, 'world state', { kind: 'STATE_DIFFERS_FROM_BLOCK', ...at, block: written.block, txId: written.txId, detail: `the ${kind} in state is not what this transaction wrote` });
  }
  checkpoint.suspects = [];
  await store.commit({ seen }, checkpoint);
}

/** The digest state holds for one key now, if it holds the key: a page of one, from the key itself. */
async function storedDigest(read: StateDigestReader, kind: DigestKind, attributes: readonly string[]): Promise<string | undefined> {
  const [now] = (await read(kind, compositeKey(kind, attributes), 1)).digests;
  return now?.key.join('\u0000') === attributes.join('\u0000') ? now.digest : undefined;
}

/** Every entry and status a block below the state pass's height wrote that the state pass did not find. */
export async function findMissing(store: AuditStore, checkpoint: AuditCheckpoint, findings: Findings): Promise<void> {
  for await (const [key, raw] of store.written.iterator()) {
    const written = JSON.parse(raw) as { block: number; digest: string; txId: string };
    if (written.block >= checkpoint.stateHeight || written.digest === 'deleted' || store.seen.getSync(key) !== undefined) continue;
    const [kind = '', subjectRef = '', seq] = key.split('\u0000');
    addProblem(findings, 'world state', {
      kind: 'STATE_MISSING',
      block: written.block,
      txId: written.txId,
      subjectRef,
      ...(seq === undefined ? {} : { seq: Number(seq) }),
      detail: `the ${kind} this transaction wrote is not in state`,
    });
  }
}
