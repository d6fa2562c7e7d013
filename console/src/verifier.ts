import type { TrustFile } from 'correction-verifier';

/** The project's verifier (zod, jose, noble), loaded when a page first verifies, not with the first page. */
export const loadVerifier = () => import('correction-verifier');
export type Verifier = Awaited<ReturnType<typeof loadVerifier>>;

const TRUST_KEY = 'correction-ledger/trust-file';

/** The consortium trust file the auditor brought (public: keys and policy), kept so it is brought once. */
export function storedTrustText(): string | undefined {
  return localStorage.getItem(TRUST_KEY) ?? undefined;
}

export function storeTrustText(text: string): void {
  localStorage.setItem(TRUST_KEY, text);
}

/** The stored trust file, parsed; undefined when none was brought (or it no longer parses). */
export function storedTrust(verifier: Verifier): TrustFile | undefined {
  const text = storedTrustText();
  if (text === undefined) return undefined;
  try {
    return verifier.parseTrustFileText(text);
  } catch {
    return undefined;
  }
}

/** A final checkpoint's note as read here: its size and root, and who cosigned it. */
export interface NoteReading {
  /** Parsed and, with a trust file, cosigned as the consortium's policy asks. */
  readonly ok: boolean;
  /** Whether the cosignatures were verified against a trust file (else the names are the note's own say). */
  readonly verified: boolean;
  readonly size?: number;
  readonly root?: Uint8Array;
  /** Agencies and witnesses whose cosignatures verified (with a trust file). */
  readonly agencies: readonly string[];
  readonly witnesses: readonly string[];
  /** Without a trust file: the key names on the note's signature lines, as the note states them. */
  readonly signers: readonly string[];
  readonly detail: string;
}

/**
 * Reads a checkpoint note. With the trust file, every cosignature is verified and counted under the
 * policy (the verifier's verifyCheckpoint); without one, the note is parsed and the names on its
 * signature lines are shown as the note states them, unverified.
 */
export function readCheckpointNote(verifier: Verifier, note: string, trust: TrustFile | undefined): NoteReading {
  if (trust) {
    const verdict = verifier.verifyCheckpoint(note, trust);
    return { ok: verdict.ok, verified: true, ...(verdict.checkpoint ? { size: verdict.checkpoint.size, root: verdict.checkpoint.root } : {}), agencies: verdict.agencies, witnesses: verdict.witnesses, signers: [], detail: verdict.detail };
  }
  try {
    const signed = verifier.parseNote(note);
    const checkpoint = verifier.parseCheckpointText(signed.text);
    const names = signed.signatures.map((s) => s.name);
    return { ok: true, verified: false, size: checkpoint.size, root: checkpoint.root, agencies: [], witnesses: [], signers: names, detail: `size ${String(checkpoint.size)}, signed by ${names.join(', ')} (unverified: no trust file)` };
  } catch (caught) {
    return { ok: false, verified: false, agencies: [], witnesses: [], signers: [], detail: caught instanceof Error ? caught.message : String(caught) };
  }
}
