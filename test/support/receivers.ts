import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostResolver } from '../../gateway/src/services/webhook-transport.js';

/** A loopback listener that counts the TCP connections it accepts, and keeps the requests it reads. */
export interface Listener {
  readonly port: number;
  readonly connections: () => number;
  readonly requests: IncomingMessage[];
  close(): Promise<void>;
}

export async function listen(server: Server, answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<Listener> {
  let connections = 0;
  const requests: IncomingMessage[] = [];
  server.on('connection', () => connections++);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    requests.push(req);
    req.resume();
    req.on('end', () => {
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

export const receiver = (answer: (req: IncomingMessage, res: ServerResponse) => void) => listen(createServer(), answer);

/** A port that was bound and closed again: nothing listens there. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves the test's own names only; any other lookup is a test bug, never a query that leaves the machine. */
export function resolver(names: Readonly<Record<string, readonly string[] | (() => readonly string[])>>): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = (hostname: string) => {
    calls.push(hostname);
    const answer = names[hostname];
    const addresses = typeof answer === 'function' ? answer() : answer;
    if (!addresses) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
  return Object.assign(resolve, { calls });
}
