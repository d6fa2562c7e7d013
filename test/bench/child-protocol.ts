import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/** Messages between the bench (parent) and a server it runs in a child process (over fork's IPC). */
export type ChildMessage =
  | { readonly kind: 'ready'; readonly port: number }
  | { readonly kind: 'usage'; readonly cpuMicros: number; readonly rss: number; readonly heapUsed: number; readonly external: number; readonly arrayBuffers: number }
  | { readonly kind: 'profiled'; readonly file: string };

/** 'usage:collected' asks for the usage after a full garbage collection (a child started with --expose-gc). */
export type ParentMessage = 'stop' | 'usage' | 'usage:collected' | 'profile:start' | { readonly kind: 'profile:stop'; readonly file: string };

/**
 * Runs in the child: tells the parent the port once listening, answers usage requests, profiles
 * the CPU between 'profile:start' and 'profile:stop' (so a profile covers the measured run only),
 * and on 'stop' (or when the parent goes away) closes the server and exits.
 */
export function serveForParent(port: number, close: () => Promise<void>): void {
  const send = (message: ChildMessage) => process.send?.(message);
  let stopping = false;
  let profiler: Session | undefined;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await close().catch(() => undefined);
    process.exit(0);
  };
  const startProfile = async () => {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  };
  const stopProfile = async (file: string) => {
    if (!profiler) return;
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    profiler = undefined;
    await writeFile(file, JSON.stringify(profile));
    send({ kind: 'profiled', file });
  };
  process.on('message', (message: ParentMessage) => {
    if (message === 'stop') void stop();
    else if (message === 'profile:start') void startProfile();
    else if (message === 'usage' || message === 'usage:collected') {
      // What a leak would keep: the heap that survives a full collection.
      if (message === 'usage:collected') (globalThis as { gc?: () => void }).gc?.();
      const cpu = process.cpuUsage();
      const memory = process.memoryUsage();
      const { rss, heapUsed, external, arrayBuffers } = memory;
      send({ kind: 'usage', cpuMicros: cpu.user + cpu.system, rss, heapUsed, external, arrayBuffers });
    } else void stopProfile(message.file);
  });
  process.on('disconnect', () => void stop());
  send({ kind: 'ready', port });
}
