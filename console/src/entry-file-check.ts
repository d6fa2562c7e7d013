import type { Check, EntryLike } from 'correction-verifier';
import { ApiProblem } from './api.js';
import type { ListedAttachment } from './attachment-download.js';
import type { Words } from './i18n.js';
import { readCheckpointNote, storedTrust, type Verifier } from './verifier.js';


/** GET /v1/entries/{id}/proof: the entry's inclusion in the latest final checkpoint. */
interface InclusionProof {
  readonly entryHash: string;
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly auditPath: readonly string[];
  readonly checkpoint: { readonly treeSize: number; readonly root: string; readonly note: string; readonly finalAt: string };
}

export interface FileCheck {
  readonly ok: boolean;
  readonly checks: readonly Check[];
  /** The attachment the file is, with its place in the entry's list (1-based) and the list's length. */
  readonly match?: { readonly attachment: ListedAttachment; readonly position: number; readonly of: number };
}

export type Read = <T>(path: string) => Promise<T>;

const check = (name: string, ok: boolean, detail: string): Check => ({ name, ok, status: ok ? 'PASS' : 'FAIL', detail });

/** The entry hash leads, by the gateway's audit path, to the root of a final checkpoint whose cosignatures hold. */
async function inclusionChecks(verifier: Verifier, entry: EntryLike, read: Read, t: Words): Promise<Check[]> {
  let proof: InclusionProof;
  try {
    proof = await read<InclusionProof>(`/v1/entries/${entry.id}/proof`);
  } catch (caught) {
    if (caught instanceof ApiProblem && caught.problem.status === 409) return [check(t.checkInclusion, false, t.notYetFinal)];
    throw caught;
  }
  const trust = storedTrust(verifier);
  const note = readCheckpointNote(verifier, proof.checkpoint.note, trust);
  const cosigned: Check = trust
    ? check(t.checkCosignatures, note.ok, note.detail)
    : { name: t.checkCosignatures, ok: note.ok, status: note.ok ? 'WARN' : 'FAIL', detail: `${t.noTrustFile} ${note.detail}` };
  const leaf = verifier.leafHash(verifier.fromHex(entry.hash));
  const root = note.size === proof.treeSize ? verifier.rootFromInclusionProof(proof.leafIndex, proof.treeSize, leaf, proof.auditPath.map(verifier.fromHex)) : undefined;
  const included = root !== undefined && note.root !== undefined && verifier.equalBytes(root, note.root);
  const where = `${String(proof.leafIndex + 1)} / ${String(proof.treeSize)}`;
  return [check(t.checkInclusion, included, included ? `${t.leafOf} ${where} → ${verifier.toBase64(root)}` : t.pathDoesNotLead), cosigned];
}

/** Which of the entry's attachments a file of this hash is, or that it is none of them. */
function attachmentCheck(verifier: Verifier, entry: EntryLike, hash: string, t: Words): { check: Check; match?: FileCheck['match'] } {
  const listed = verifier.entryAttachments(entry);
  const index = listed.findIndex((a) => a.hash === hash);
  const found = listed[index];
  if (!found) return { check: check(t.checkAttachment, false, `${t.matchesNone} (${String(listed.length)}) · SHA-256 ${hash}`) };
  const match = { attachment: found, position: index + 1, of: listed.length };
  return { check: check(t.checkAttachment, true, `${String(match.position)} / ${String(match.of)}${found.title ? ` ${found.title}` : ''} · SHA-256 ${hash}`), match };
}

/**
 * Checks, here in the browser, a file (by its SHA-256, hashed here) against an entry of the chain:
 * the entry as the gateway gives it hashes to its own hash; that hash is in the latest final
 * checkpoint (inclusion proof, cosignatures under the trust file when the auditor brought one);
 * and the entry lists the file among its attachments. The file itself is not sent anywhere.
 */
export async function checkFileAgainstEntry(verifier: Verifier, hash: string, entryId: string, read: Read, t: Words): Promise<FileCheck> {
  const { entry } = await read<{ entry: EntryLike }>(`/v1/entries/${entryId}`);
  const own = verifier.recomputeEntryHash(entry);
  const entryHash = check(t.checkEntryHash, own === entry.hash, own === entry.hash ? entry.hash : `${own} ≠ ${entry.hash}`);
  const attachment = attachmentCheck(verifier, entry, hash, t);
  const checks = [attachment.check, entryHash, ...(await inclusionChecks(verifier, entry, read, t))];
  return { ok: checks.every((c) => c.ok), checks, ...(attachment.match ? { match: attachment.match } : {}) };
}
