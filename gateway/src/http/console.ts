import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import { CONSOLE_PAGES } from './console-pages.js';

/** Where `npm run build` writes the console: dist/console beside dist/gateway. */
export const CONSOLE_DIR = join(import.meta.dirname, '..', '..', '..', 'console');

/**
 * Serves the agency console: its assets (content-hashed names, cached for a year) under /assets,
 * and its index.html (always revalidated) at each of its pages. Nothing else: /v1, /docs and the
 * operations routes never fall back to the app. Without a built console, serves nothing.
 */
export function consoleRouter(dir: string = CONSOLE_DIR): express.Router {
  const router = express.Router();
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return router;
  router.use(
    '/assets',
    express.static(join(dir, 'assets'), { index: false, immutable: true, maxAge: '365d', fallthrough: true, redirect: false }),
  );
  router.get([...CONSOLE_PAGES], (_req, res) => {
    res.set('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
