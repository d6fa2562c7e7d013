import { createServer } from 'node:net';

/**
 * Free loopback ports, one per name, for servers that must know each other's addresses before
 * they start (gateways that send each other cosignatures). Each port is taken and released here;
 * the servers bind them right after.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => { resolve(server); });
    })),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
