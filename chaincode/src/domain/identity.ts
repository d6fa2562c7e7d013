import { createHmac } from 'node:crypto';

/** GB 11643-1999 weights for the first 17 digits of a resident identity number. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';
const SHAPE = /^\d{17}[\dX]$/;

/** Why an ID number was refused, or undefined when it is well formed. */
export function residentIdProblem(raw: string): string | undefined {
  const id = normaliseResidentId(raw);
  if (!SHAPE.test(id)) return 'must be 18 characters: 17 digits and a check digit (0-9 or X)';
  if (!isPlausibleBirthDate(id.slice(6, 14))) return 'birth date in the ID number is not a valid date';
  if (id[17] !== checkDigit(id.slice(0, 17))) return 'check digit does not match (GB 11643)';
  return undefined;
}

export function normaliseResidentId(raw: string): string {
  return raw.trim().toUpperCase();
}

/** The GB 11643 check character for 17 digits. */
export function checkDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS[sum % 11] ?? '?';
}

function isPlausibleBirthDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * The subject's pseudonym: HMAC-SHA256 under the consortium subject key of the normalised ID.
 * ID numbers are guessable, so a plain hash would not be a pseudonym; the chain never sees the key.
 * Throws on a malformed ID: it is never silently hashed.
 */
export function subjectRefFor(subjectKey: Uint8Array, rawId: string): string {
  const problem = residentIdProblem(rawId);
  if (problem) throw new Error(`malformed resident ID: ${problem}`);
  return createHmac('sha256', subjectKey).update(normaliseResidentId(rawId), 'utf8').digest('hex');
}

export const SUBJECT_REF_PATTERN = /^[0-9a-f]{64}$/;
