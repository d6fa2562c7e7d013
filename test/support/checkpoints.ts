import { AGENCIES, type Agency } from 'correction-chaincode/domain';
import { checkpointText, formatNote, type EvidenceBundle } from 'correction-verifier';
import { devKeyPaths } from '../../gateway/src/keys.js';
import { readNoteSigner, type NoteSigner } from '../../gateway/src/note-keys.js';
import type { Api } from './api.js';

/** The dev note keys of every agency, from a dev key directory. */
export async function devCosigners(keysDir: string): Promise<Map<Agency, NoteSigner>> {
  const signers = new Map<Agency, NoteSigner>();
  for (const agency of AGENCIES) signers.set(agency, await readNoteSigner(devKeyPaths(keysDir).noteKey(agency)));
  return signers;
}

/** A checkpoint note of a size and root, cosigned by each signer at a time (POSIX seconds, now by default). */
export function cosignedNote(origin: string, size: number, root: Uint8Array, signers: readonly NoteSigner[], timestamp = Math.floor(Date.now() / 1000)): string {
  const text = checkpointText({ origin, size, root });
  return formatNote(text, signers.map((s) => s.cosign(text, timestamp)));
}

/** Waits, with a deadline, until the gateway hands out an evidence bundle for the entry (a final checkpoint covers it). */
export async function bundleOnceFinal(api: Api, entryId: string, minSize = 1, deadlineMs = 20_000): Promise<EvidenceBundle> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const answer = await api.get<EvidenceBundle>(`/v1/entries/${entryId}/evidence`);
    if (answer.status === 200 && answer.body.inclusion.treeSize >= minSize) return answer.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no final checkpoint of at least ${minSize} covered entry ${entryId} in ${deadlineMs} ms`);
}
