import { listedAttachments, type Entry } from 'correction-chaincode/domain';

/** A file an entry lists in its public facts: its hash, size and media type (the title stays off a sealed record). */
export type ListedFile = ReturnType<typeof listedAttachments>[number];

/** The files an entry lists; none for an entry without attachments. */
export const listedFiles = (entry: Entry): readonly ListedFile[] => listedAttachments(entry.facts);

/** The file of this hash among those the entry lists. */
export const listedFile = (entry: Entry, hash: string): ListedFile | undefined => listedFiles(entry).find((file) => file.hash === hash);
