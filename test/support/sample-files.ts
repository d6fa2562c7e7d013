import { createHash, randomBytes } from 'node:crypto';

/** The SHA-256 of bytes, hex. */
export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A small valid-looking PDF of about `bytes` bytes: a header, filler in a stream, a trailer. */
export function samplePdf(bytes = 4_096, text = 'judgment'): Buffer {
  const head = Buffer.from(`%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj <<>> stream\n${text}\n`, 'latin1');
  const tail = Buffer.from('\nendstream endobj\ntrailer <<>>\n%%EOF\n', 'latin1');
  return Buffer.concat([head, randomBytes(Math.max(0, bytes - head.length - tail.length)), tail]);
}

/** PNG: the signature and an IHDR chunk, then filler. */
export function samplePng(bytes = 2_048): Buffer {
  const head = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  return Buffer.concat([head, randomBytes(Math.max(0, bytes - head.length))]);
}

/** JPEG: SOI and an APP0 (JFIF) marker, then filler. */
export function sampleJpeg(bytes = 2_048): Buffer {
  const head = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
  return Buffer.concat([head, randomBytes(Math.max(0, bytes - head.length))]);
}

/** A ZIP local file header (APPNOTE 4.3.7) for a stored entry named `name`, followed by its data. */
export function zipEntry(name: string, data: Buffer): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt32LE(data.length, 18);
  header.writeUInt32LE(data.length, 22);
  header.writeUInt16LE(Buffer.byteLength(name, 'latin1'), 26);
  return Buffer.concat([header, Buffer.from(name, 'latin1'), data]);
}

/** OFD (GB/T 33190): a ZIP whose first entry is OFD.xml. */
export function sampleOfd(): Buffer {
  return Buffer.concat([zipEntry('OFD.xml', Buffer.from('<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>')), zipEntry('Doc_0/Document.xml', randomBytes(512))]);
}

/** Files that claim a type they are not: each must be refused. */
export const disguisedFiles: Readonly<Record<string, Buffer>> = {
  'a Windows executable': Buffer.concat([Buffer.from('MZ\u0090\u0000', 'latin1'), randomBytes(1_000)]),
  'a ZIP whose first entry is not OFD.xml': zipEntry('word/document.xml', randomBytes(500)),
  'HTML': Buffer.from('<!doctype html><script>alert(1)</script>'.padEnd(200, ' ')),
  'a PDF header not at the start': Buffer.concat([Buffer.from(' %PDF-1.7\n'), randomBytes(300)]),
  'an empty file': Buffer.alloc(0),
};
