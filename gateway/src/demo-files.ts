import PDFDocument from 'pdfkit';

/** What POST /v1/documents answers, and what a document's `attachments` lists beside a title. */
export interface UploadedFile {
  readonly hash: string;
  readonly size: number;
  readonly mediaType: string;
}

/**
 * A small, valid PDF standing in for a legal document (判决书, 执行通知书 …) of the demo: its title
 * in the document's metadata, and a page of plain text that says it is demonstration data. The
 * standard fonts carry no Chinese glyphs, so the page is in English.
 */
export async function demoPdf(title: string, lines: readonly string[]): Promise<Buffer> {
  const pdf = new PDFDocument({ size: 'A4', info: { Title: title, Author: 'correction-ledger demo', CreationDate: new Date(Date.UTC(2024, 0, 1)) } });
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    pdf.on('end', resolve);
    pdf.on('error', reject);
  });
  pdf.fontSize(18).text('Demonstration document (synthetic data)');
  pdf.moveDown().fontSize(12);
  for (const line of lines) pdf.text(line);
  pdf.end();
  await done;
  return Buffer.concat(chunks);
}

/** Uploads a file to a gateway (POST /v1/documents) and returns what it answered. */
export async function uploadFile(url: string, token: string, bytes: Uint8Array, mediaType: string): Promise<UploadedFile> {
  const response = await fetch(new URL('/v1/documents', url), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': mediaType },
    body: bytes,
  });
  const body = (await response.json()) as Partial<UploadedFile> & { code?: string; detail?: string };
  if (response.status !== 201 || typeof body.hash !== 'string' || typeof body.size !== 'number' || typeof body.mediaType !== 'string') {
    throw new Error(`upload of a ${mediaType} file failed: ${response.status} ${body.code ?? ''} ${body.detail ?? ''}`);
  }
  return { hash: body.hash, size: body.size, mediaType: body.mediaType };
}
