import { fromBase64, toBase64 } from './bytes.js';
import { NoteError, parseNote, verifyCosignature, type CosignerKey, type Ed25519Verify, type SignatureCache, type SignedNote } from './note.js';
import { trustedKeys, type AgencyCode, type TrustedKey, type TrustFile } from './trust.js';

/** The three lines of a C2SP checkpoint (c2sp.org/tlog-checkpoint): which log, how many leaves, which root. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  /** The RFC 9162 Merkle root of the first `size` leaves (32 bytes). */
  readonly root: Uint8Array;
}

export const RECEIPT_TYPE = 'receipt+jws';

/** `<origin>\n<size>\n<base64 root>\n`: the note text every agency and witness signs. */
export function checkpointText(checkpoint: Checkpoint): string {
  return `${checkpoint.origin}\n${checkpoint.size}\n${toBase64(checkpoint.root)}\n`;
}

/**
 * Reads checkpoint note text. The log writes no extension lines, so a checkpoint with any is
 * refused rather than carrying unsigned-for meaning past the verifier.
 */
export function parseCheckpointText(text: string): Checkpoint {
  const [origin = '', size = '', root = '', end, ...rest] = text.split('\n');
  if (end !== '' || rest.length > 0) throw new NoteError('the checkpoint is not exactly three lines');
  if (origin.length === 0) throw new NoteError('the checkpoint has no origin');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size) || !Number.isSafeInteger(Number(size))) throw new NoteError('the checkpoint size is not a decimal without leading zeroes');
  return { origin, size: Number(size), root: rootHash(root) };
}

function rootHash(base64: string): Uint8Array {
  let hash: Uint8Array;
  try {
    hash = fromBase64(base64);
  } catch {
    throw new NoteError('the checkpoint root is not base64');
  }
  if (hash.length !== 32) throw new NoteError('the checkpoint root is not 32 bytes');
  return hash;
}

/** What the signatures on a checkpoint say under a trust file. */
export interface CheckpointVerdict {
  readonly ok: boolean;
  readonly checkpoint?: Checkpoint;
  /** Agencies with at least one valid cosignature (each key counted once, whatever it is labelled). */
  readonly agencies: readonly AgencyCode[];
  /** Witnesses, by name, with a valid cosignature. */
  readonly witnesses: readonly string[];
  /** Signatures by trusted keys that do not verify: named, never counted. */
  readonly warnings: readonly string[];
  readonly detail: string;
}

export interface CheckpointOptions {
  /** The time now, POSIX seconds (tests move it). */
  readonly now?: number;
  /** How far in the future a cosignature's timestamp may lie (clock skew), seconds. */
  readonly maxFutureSeconds?: number;
  /** Signatures already verified (a gateway weighing the same checkpoint again). */
  readonly cache?: SignatureCache;
  /** A native Ed25519 verification to use instead of the portable one. */
  readonly ed25519?: Ed25519Verify;
  /** The trust file's keys, parsed once by a caller that weighs many checkpoints (`trustedKeys(trust)`). */
  readonly keys?: readonly TrustedKey[];
}

const DEFAULT_MAX_FUTURE_SECONDS = 600;

/**
 * Verifies a signed checkpoint against the trust file: its origin is the trust file's, and the
 * trust file's policy holds — enough distinct agencies' keys and enough witnesses' keys made
 * valid cosignatures. Signatures by unknown keys are ignored (c2sp.org/signed-note); a trusted
 * key's signature that fails, or is dated in the future, counts for nothing and is a warning.
 */
export function verifyCheckpoint(note: string, trust: TrustFile, options: CheckpointOptions = {}): CheckpointVerdict {
  let signed: SignedNote;
  let checkpoint: Checkpoint;
  try {
    signed = parseNote(note);
    checkpoint = parseCheckpointText(signed.text);
  } catch (error) {
    return refused(error instanceof NoteError ? error.message : 'the checkpoint is not a signed note');
  }
  if (checkpoint.origin !== trust.origin) {
    return { ...refused(`a checkpoint of another log: origin ${JSON.stringify(checkpoint.origin)}, the trust file's is ${JSON.stringify(trust.origin)}`), checkpoint };
  }
  const tally = tallyCosignatures(signed, trust, options);
  const { agencies, witnesses } = { agencies: [...tally.agencies], witnesses: [...tally.witnesses] };
  const ok = agencies.length >= trust.policy.agencies && witnesses.length >= trust.policy.witnesses;
  const detail =
    `size ${checkpoint.size}: ${agencies.length} agencies (${trust.policy.agencies} required)` +
    (agencies.length ? ` [${agencies.join(', ')}]` : '') +
    `, ${witnesses.length} witnesses (${trust.policy.witnesses} required)` +
    (witnesses.length ? ` [${witnesses.join(', ')}]` : '');
  return { ok, checkpoint, agencies, witnesses, warnings: tally.warnings, detail };
}

const refused = (detail: string): CheckpointVerdict => ({ ok: false, agencies: [], witnesses: [], warnings: [], detail });

interface Tally {
  readonly agencies: Set<AgencyCode>;
  readonly witnesses: Set<string>;
  readonly warnings: string[];
}

function tallyCosignatures(signed: SignedNote, trust: TrustFile, options: CheckpointOptions): Tally {
  const keys = options.keys ?? trustedKeys(trust);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const latest = now + (options.maxFutureSeconds ?? DEFAULT_MAX_FUTURE_SECONDS);
  const tally: Tally = { agencies: new Set(), witnesses: new Set(), warnings: [] };
  for (const signature of signed.signatures) {
    const known = keys.find(({ key }) => key.name === signature.name && key.keyId === signature.keyId);
    if (!known) continue;
    const result = verifyCosignature(signed.text, signature, known.key, options);
    if (!result.valid) {
      tally.warnings.push(`${describe(known)}: ${result.reason}`);
    } else if (result.cosignature.timestamp > latest) {
      tally.warnings.push(`${describe(known)}: a cosignature dated in the future (${result.cosignature.timestamp})`);
    } else if (known.owner.kind === 'agency') {
      tally.agencies.add(known.owner.agency);
    } else {
      tally.witnesses.add(known.owner.name);
    }
  }
  return tally;
}

const describe = ({ key, owner }: { key: CosignerKey; owner: { kind: 'agency'; agency: AgencyCode } | { kind: 'witness'; name: string } }): string =>
  owner.kind === 'agency' ? `${owner.agency} key ${key.name}` : `witness ${owner.name}`;
