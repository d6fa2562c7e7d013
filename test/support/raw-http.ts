import { request } from 'node:http';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The body parsed as JSON, when it is JSON. */
  readonly json: unknown;
}

export interface RawRequest {
  readonly method?: string;
  /** Sent as written: no normalisation, no percent-encoding of our own. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** The source address to send from (any of 127.0.0.0/8 on loopback), as another client would. */
  readonly localAddress?: string;
}

/**
 * One HTTP request with exactly the bytes given: paths, headers and bodies a browser or fetch
 * would refuse or repair (bad percent-encoding, invalid UTF-8, lying Content-Encoding).
 */
export function raw(base: string, spec: RawRequest): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: spec.method ?? 'GET',
        path: spec.path,
        headers: { ...spec.headers },
        ...(spec.localAddress === undefined ? {} : { localAddress: spec.localAddress }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (spec.body !== undefined) req.end(spec.body);
    else req.end();
  });
}
