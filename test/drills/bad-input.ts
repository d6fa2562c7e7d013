import { residentId } from '../support/ids.js';
import { sampleDocument } from '../support/documents.js';
import { disguisedFiles, samplePdf, sha256 } from '../support/sample-files.js';
import { raw, type RawRequest } from '../support/raw-http.js';
import { measured, type Drill, type DrillContext, type DrillOutcome, type Measurement } from './drill.js';
import type { DrillGateway } from './gateways.js';
import { StatusTally } from './statuses.js';
import { bearer, setUpSubject, type Subject } from './subjects.js';

/** One hostile request and the answer the edge owes it. */
interface Case {
  readonly name: string;
  readonly request: RawRequest;
  readonly expected: number;
  /** What the answer must say, where the status alone could come from another fault. */
  readonly because?: RegExp;
}

interface Answered extends Case {
  readonly status: number | 'socket error';
  readonly asExpected: boolean;
}

const OCCURRED = '2024-01-10T09:00:00+08:00';
const SUBJECT_REF = 'a'.repeat(64);

/** A JSON object nested `depth` levels deep, written by hand (JSON.stringify would recurse). */
const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** A handover body for a subject never seen, its document changed by `extra` (or given as raw JSON text). */
function handover(document: Record<string, unknown> | string, occurredAt = OCCURRED, n = 7001): string {
  const text = typeof document === 'string' ? document : JSON.stringify(sampleDocument('SENTENCE_HANDOVER', document));
  return `{"type":"SENTENCE_HANDOVER","subject":{"idNumber":"${residentId(n)}"},"occurredAt":"${occurredAt}","document":${text}}`;
}

const field = (path: string): RegExp => new RegExp(`"path":"${path.replaceAll('.', '\\.')}"`);

/** The same body with its judgment's text replaced by raw bytes. */
function withBytes(bytes: readonly number[]): Buffer {
  const body = Buffer.from(handover({ judgment: 'XX' }));
  const at = body.indexOf('XX');
  const out = Buffer.concat([body.subarray(0, at), Buffer.from(bytes), body.subarray(at + 2)]);
  return out;
}

/** Bodies the edge must refuse before any schema, or that the schemas must refuse naming the field. */
function bodyCases(post: (body: string | Buffer, headers?: Record<string, string>, path?: string) => RawRequest, entryId: string): Case[] {
  const manyKeys = Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, i]));
  return [
    { name: 'lone surrogate in an event document', request: post(handover({ judgment: '\ud800' })), expected: 400, because: field('document.judgment') },
    { name: 'lone surrogate in a verify document', request: post(JSON.stringify({ entryId, document: { subjectName: '\udc00x' } }), {}, '/v1/verify'), expected: 400, because: field('document.subjectName') },
    { name: 'Content-Type charset=latin1', request: post(handover({}), { 'content-type': 'application/json; charset=latin1' }), expected: 415 },
    { name: 'Content-Type charset=gbk', request: post(handover({}), { 'content-type': 'application/json; charset=gbk' }), expected: 415 },
    { name: 'Content-Encoding: br', request: post(handover({}), { 'content-encoding': 'br' }), expected: 415 },
    { name: 'Content-Encoding: gzip, body not gzip', request: post(handover({}), { 'content-encoding': 'gzip' }), expected: 415 },
    { name: 'Content-Type text/plain', request: post(handover({}), { 'content-type': 'text/plain' }), expected: 415 },
    { name: 'a field nested 10,000 levels', request: post(handover(JSON.stringify(sampleDocument('SENTENCE_HANDOVER')).replace('"判决书全文"', nested(10_000)))), expected: 400, because: /deeper than 32/ },
    { name: 'a document of 10,000 levels', request: post(handover(nested(10_000))), expected: 400, because: /deeper than 32/ },
    { name: 'over 1,000 keys', request: post(JSON.stringify({ entryId, document: manyKeys }), {}, '/v1/verify'), expected: 400, because: /1000 keys/ },
    { name: 'a name of 101 characters', request: post(handover({ subjectName: '张'.repeat(101) })), expected: 400, because: field('document.subjectName') },
    { name: 'a text of 20,001 characters', request: post(handover({ judgment: '文'.repeat(20_001) })), expected: 400, because: field('document.judgment') },
    { name: 'a null character in a document string', request: post(handover({ subjectName: 'a\u0000b' })), expected: 400, because: field('document.subjectName') },
    { name: 'invalid UTF-8 (ff fe)', request: post(withBytes([0xff, 0xfe])), expected: 400, because: /UTF-8/ },
    { name: 'overlong UTF-8 (c0 af)', request: post(withBytes([0xc0, 0xaf])), expected: 400, because: /UTF-8/ },
    { name: 'an unknown document field', request: post(handover({ favouriteColour: 'red' })), expected: 400, because: field('document.favouriteColour') },
    { name: 'termEnd before termStart', request: post(handover({ termEnd: '2023-01-01' })), expected: 400, because: field('document.termEnd') },
    { name: 'occurredAt in the year 0001', request: post(handover({}, '0001-01-01T00:00:00Z')), expected: 400, because: field('occurredAt') },
    { name: 'an unknown event type', request: post(handover({}).replace('SENTENCE_HANDOVER', 'COFFEE_SERVED')), expected: 400 },
    { name: 'a body that is not JSON', request: post('{"type":'), expected: 400 },
    { name: 'a JSON array as the body', request: post('[1,2,3]'), expected: 400 },
    { name: 'an empty body', request: post(''), expected: 400 },
    { name: 'a body over 1 MB', request: post(handover({ judgment: 'x'.repeat(1_100_000) })), expected: 413 },
    { name: 'an Idempotency-Key of 201 characters', request: post(handover({}), { 'idempotency-key': 'k'.repeat(201) }), expected: 400 },
    { name: 'an ID number with a wrong check digit', request: post(JSON.stringify({ idNumber: residentId(7002).slice(0, 17) + (residentId(7002).endsWith('0') ? '1' : '0') }), {}, '/v1/subjects/lookup'), expected: 400, because: field('idNumber') },
    // Controls: the bodies above differ from these by the one fault each names.
    { name: 'control: an unmodified handover', request: post(handover({}, OCCURRED, 7003)), expected: 201 },
    { name: 'control: verify with a well-formed document', request: post(JSON.stringify({ entryId, document: { subjectName: 'x' } }), {}, '/v1/verify'), expected: 200 },
  ];
}

/** A multipart/form-data body of the given text fields and one file, written by hand. */
function form(fields: Readonly<Record<string, string>>, file: Buffer): { body: Buffer; headers: Record<string, string> } {
  const boundary = 'drill-boundary-7f3a';
  const parts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  const head = `${parts.join('')}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.pdf"\r\nContent-Type: application/pdf\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Files the edge must refuse, by their bytes, their declared size, their type or what lists them. */
function fileCases(post: (body: string | Buffer, headers?: Record<string, string>, path?: string) => RawRequest, entryId: string): Case[] {
  const upload = (bytes: Buffer, type: string, headers: Record<string, string> = {}) => post(bytes, { 'content-type': type, ...headers }, '/v1/documents');
  const notHeld = { title: '判决书', hash: sha256(samplePdf()), size: 4_096, mediaType: 'application/pdf' };
  const document = (hash: string) => ({ ...post('', {}, `/v1/documents/${hash}`), method: 'GET', body: undefined });
  const unknownField = form({ entryId, colour: 'red' }, samplePdf());
  return [
    ...Object.entries(disguisedFiles).map(([name, bytes]): Case => ({ name: `${name} uploaded as a PDF`, request: upload(bytes, 'application/pdf'), expected: 415, because: /FILE_TYPE_NOT_ACCEPTED/ })),
    { name: 'a file uploaded as text/html', request: upload(samplePdf(), 'text/html'), expected: 415, because: /UNSUPPORTED_MEDIA_TYPE/ },
    { name: 'a file uploaded with Content-Encoding: gzip', request: upload(samplePdf(), 'application/pdf', { 'content-encoding': 'gzip' }), expected: 415 },
    {
      name: 'an upload of 60 MB declared, no token',
      request: { method: 'POST', path: '/v1/documents', headers: { 'content-type': 'application/pdf', 'content-length': String(60 * 1024 * 1024) } },
      expected: 413,
    },
    { name: 'an event listing a file never uploaded', request: post(handover({ attachments: [notHeld] }, OCCURRED, 7004)), expected: 400, because: /"path":"document\.attachments\.0"/ },
    { name: 'a document hash that is not hex', request: document(`${'z'.repeat(64)}?entry=${entryId}`), expected: 400, because: field('hash') },
    { name: 'a document without its entry', request: document(notHeld.hash), expected: 400, because: field('entry') },
    { name: 'a file to verify without its entry', request: post(samplePdf(), { 'content-type': 'application/pdf' }, '/v1/verify'), expected: 400, because: field('entry') },
    { name: 'a form to verify with an unknown field', request: post(unknownField.body, unknownField.headers, '/v1/verify'), expected: 400, because: field('colour') },
    { name: 'control: a PDF uploaded', request: upload(samplePdf(), 'application/pdf'), expected: 201 },
  ];
}

/** Paths, methods and headers the edge must refuse, with and without a token. */
function edgeCases(token: Record<string, string>): Case[] {
  const get = (path: string, method = 'GET', headers: Record<string, string> = token): Case['request'] => ({ method, path, headers });
  return [
    { name: 'GET /v1/entries/%', request: get('/v1/entries/%'), expected: 400 },
    { name: 'GET /v1/entries/%ff%fe', request: get('/v1/entries/%ff%fe'), expected: 400 },
    { name: 'GET /v1/subjects/%E0%A4%A', request: get('/v1/subjects/%E0%A4%A'), expected: 400 },
    { name: 'GET /v1/webhooks/%', request: get('/v1/webhooks/%'), expected: 400 },
    { name: 'a subject reference that is not hex', request: get(`/v1/subjects/${'z'.repeat(64)}`), expected: 400 },
    { name: 'an unknown query parameter', request: get(`/v1/obligations?agency=COURT&drop=table`), expected: 400 },
    { name: 'DELETE /v1/events', request: get('/v1/events', 'DELETE'), expected: 405 },
    { name: 'PUT /v1/subjects/{ref}', request: get(`/v1/subjects/${SUBJECT_REF}`, 'PUT'), expected: 405 },
    { name: 'PATCH /v1/entries/{id}', request: get(`/v1/entries/${'0'.repeat(32)}`, 'PATCH'), expected: 405 },
    { name: 'TRACE /v1/subjects/{ref}, no token', request: get(`/v1/subjects/${SUBJECT_REF}`, 'TRACE', {}), expected: 405 },
    { name: 'PROPFIND /v1/events', request: get('/v1/events', 'PROPFIND'), expected: 405 },
    { name: 'a method HTTP does not know (BREW)', request: get('/v1/events', 'BREW'), expected: 400 },
    { name: 'OPTIONS /v1/events, no token', request: get('/v1/events', 'OPTIONS', { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' }), expected: 204 },
    {
      name: 'Content-Length 50 MB declared, no token',
      request: { method: 'POST', path: '/v1/events', headers: { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) } },
      expected: 413,
    },
    { name: 'a URL of 20,000 characters', request: get(`/v1/subjects/${'a'.repeat(20_000)}`), expected: 431 },
    { name: 'GET /v1/nothing-here', request: get('/v1/nothing-here'), expected: 404 },
  ];
}

async function send(gateway: DrillGateway, cases: readonly Case[]): Promise<Answered[]> {
  const answered: Answered[] = [];
  for (const c of cases) {
    const answer = await raw(gateway.url, c.request).catch(() => undefined);
    const asExpected = answer?.status === c.expected && (c.because?.test(answer.text) ?? true);
    answered.push({ ...c, status: answer?.status ?? 'socket error', asExpected });
  }
  return answered;
}

/** After the hostile requests, the entries recorded before them still read back. */
async function stillReadable(gateway: DrillGateway, subject: Subject, token: Record<string, string>): Promise<number> {
  const answers = await Promise.all(subject.entryIds.map((id) => raw(gateway.url, { path: `/v1/entries/${id}`, headers: token })));
  return answers.filter((answer) => answer.status === 200).length;
}

function verdict(answered: readonly Answered[], tally: StatusTally, readable: number, subject: Subject): Measurement[] {
  const wrong = answered.filter((a) => !a.asExpected);
  return [
    measured('hostile requests answered as expected', `${answered.length - wrong.length} of ${answered.length}`, 'all', wrong.length === 0),
    measured('answers by status', tally.toString(), 'each its 4xx (controls 2xx)', wrong.length === 0),
    ...(wrong.length > 0
      ? [measured('answered otherwise', wrong.map((w) => `${w.name}: ${String(w.status)}, ${w.expected} expected${w.because ? ` naming ${w.because.source}` : ''}`).join('; '), 'none', false)]
      : []),
    measured('5xx answers', tally.serverErrors, '0', tally.serverErrors === 0),
    measured('recent entries still read (GET /v1/entries/{id})', `${readable} of ${subject.entryIds.length} 200`, 'all 200', readable === subject.entryIds.length),
  ];
}

async function run({ gateways, log }: DrillContext): Promise<DrillOutcome> {
  const gateway = await gateways.start();
  try {
    const court = await gateway.token('COURT');
    const subject = await setUpSubject(gateway.url, { court, justice: await gateway.token('JUSTICE') }, 2);
    const token = bearer(court);
    const post = (body: string | Buffer, headers: Record<string, string> = {}, path = '/v1/events'): RawRequest => ({
      method: 'POST',
      path,
      headers: { ...token, 'content-type': 'application/json', ...headers },
      body,
    });
    const answered = await send(gateway, [...bodyCases(post, subject.entryIds[0] ?? ''), ...fileCases(post, subject.entryIds[0] ?? ''), ...edgeCases(token)]);
    const tally = new StatusTally();
    for (const a of answered) {
      if (typeof a.status === 'number') tally.add(a.status);
      log(`${String(a.status).padEnd(3)} ${a.asExpected ? '  ' : '≠ '}${a.name}`);
    }
    const readable = await stillReadable(gateway, subject, token);
    return {
      measurements: verdict(answered, tally, readable, subject),
      figures: { cases: answered.map(({ name, expected, status, asExpected }) => ({ name, expected, status, asExpected })), statuses: tally.toJSON() },
    };
  } finally {
    await gateway.close();
  }
}

export const badInput: Drill = {
  name: 'bad-input',
  summary: 'every hostile input the edge refuses: bad encodings, charsets and codings, deep and wide JSON, bad paths and methods, oversized bodies, disguised and unlisted files',
  run,
};
