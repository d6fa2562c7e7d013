/** Messages between the bench (parent) and a server it runs in a child process (over fork's IPC). */
export type ChildMessage =
  | { readonly kind: 'ready'; readonly port: number }
  | { readonly kind: 'usage'; readonly cpuMicros: number; readonly rss: number; readonly heapUsed: number };

export type ParentMessage = 'stop' | 'usage';

/**
 * Runs in the child: tells the parent the port once listening, answers usage requests, and on
 * 'stop' (or when the parent goes away) closes the server and exits normally, so that
 * --cpu-prof can write its profile.
 */
export function serveForParent(port: number, close: () => Promise<void>): void {
  const send = (message: ChildMessage) => process.send?.(message);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await close().catch(() => undefined);
    process.exit(0);
  };
  process.on('message', (message: ParentMessage) => {
    if (message === 'stop') void stop();
    if (message === 'usage') {
      const cpu = process.cpuUsage();
      const memory = process.memoryUsage();
      send({ kind: 'usage', cpuMicros: cpu.user + cpu.system, rss: memory.rss, heapUsed: memory.heapUsed });
    }
  });
  process.on('disconnect', () => void stop());
  send({ kind: 'ready', port });
}
