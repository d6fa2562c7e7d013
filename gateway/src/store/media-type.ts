import type { AttachmentMediaType } from 'correction-chaincode/domain';

/** The file types an attachment may have (the domain's list), told by their leading bytes. */
export { ATTACHMENT_MEDIA_TYPES, type AttachmentMediaType } from 'correction-chaincode/domain';

/** Leading bytes enough to tell every type apart: an OFD's first ZIP entry name ends at byte 37. */
export const SNIFF_BYTES = 64;

const PDF = Buffer.from('%PDF-', 'latin1');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);
const ZIP_LOCAL_FILE = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** Offsets in a ZIP local file header (APPNOTE 4.3.7): name length, extra length, then the name. */
const ZIP_NAME_LENGTH = 26;
const ZIP_NAME = 30;
const OFD_ROOT = 'OFD.xml';

const startsWith = (bytes: Buffer, prefix: Buffer): boolean => bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);

/** An OFD package (GB/T 33190) is a ZIP whose first entry is OFD.xml, its entry file. */
function isOfd(bytes: Buffer): boolean {
  if (!startsWith(bytes, ZIP_LOCAL_FILE) || bytes.length < ZIP_NAME) return false;
  const nameLength = bytes.readUInt16LE(ZIP_NAME_LENGTH);
  return nameLength === OFD_ROOT.length && bytes.subarray(ZIP_NAME, ZIP_NAME + nameLength).toString('latin1') === OFD_ROOT;
}

/** The type of a file from its first bytes (up to SNIFF_BYTES), whatever the sender declared; undefined when none fits. */
export function sniffMediaType(head: Buffer): AttachmentMediaType | undefined {
  if (startsWith(head, PDF)) return 'application/pdf';
  if (startsWith(head, PNG)) return 'image/png';
  if (startsWith(head, JPEG)) return 'image/jpeg';
  if (isOfd(head)) return 'application/ofd';
  return undefined;
}
