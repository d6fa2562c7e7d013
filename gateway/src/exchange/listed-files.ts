import type { Entry } from 'correction-chaincode/domain';

/** A file an entry lists in its public facts (`facts.attachments`): its hash, size and media type. */
export interface ListedFile {
  readonly hash: string;
  readonly size: number;
  readonly mediaType: string;
}

const isListedFile = (value: unknown): value is ListedFile => {
  const file = value as Partial<ListedFile> | null;
  return typeof file === 'object' && file !== null && typeof file.hash === 'string' && typeof file.size === 'number' && typeof file.mediaType === 'string';
};

/** The files an entry lists; none for an entry without attachments. */
export function listedFiles(entry: Entry): readonly ListedFile[] {
  const listed = entry.facts['attachments'];
  return Array.isArray(listed) ? listed.filter(isListedFile) : [];
}

/** The file of this hash among those the entry lists. */
export const listedFile = (entry: Entry, hash: string): ListedFile | undefined => listedFiles(entry).find((file) => file.hash === hash);
