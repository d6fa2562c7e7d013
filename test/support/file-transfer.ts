import type { Agency } from 'correction-chaincode/domain';
import type { Role } from '../../gateway/src/keys.js';
import type { Target } from './target.js';

/** An answer whose body is bytes (a file) or, for a problem, JSON. */
export interface FileAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: Buffer;
  /** The body parsed as JSON, when it is JSON. */
  readonly json: { code?: string; errors?: Array<{ path: string; message: string }> } & Record<string, unknown>;
}

async function answerOf(response: Response): Promise<FileAnswer> {
  const bytes = Buffer.from(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  const json = /json/.test(type) && bytes.length > 0 ? (JSON.parse(bytes.toString('utf8')) as FileAnswer['json']) : {};
  return { status: response.status, headers: response.headers, bytes, json };
}

/** Sends bytes as the body of a request of an agency's user, over real HTTP. */
export async function sendBytes(target: Target, agency: Agency, path: string, body: Buffer | undefined, headers: Record<string, string> = {}, role: Role = 'clerk', method = 'POST'): Promise<FileAnswer> {
  const token = await target.token(agency, role);
  const response = await fetch(`${target.url(agency)}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...headers }, ...(body ? { body } : {}) });
  return answerOf(response);
}

/** Uploads a file to POST /v1/documents as `mediaType`. */
export const uploadFile = (target: Target, agency: Agency, bytes: Buffer, mediaType = 'application/pdf', role: Role = 'clerk'): Promise<FileAnswer> =>
  sendBytes(target, agency, '/v1/documents', bytes, { 'content-type': mediaType }, role);

/** GET of a path with the agency's token, the body read as bytes. */
export const getBytes = (target: Target, agency: Agency, path: string, headers: Record<string, string> = {}, role: Role = 'clerk'): Promise<FileAnswer> =>
  sendBytes(target, agency, path, undefined, headers, role, 'GET');
