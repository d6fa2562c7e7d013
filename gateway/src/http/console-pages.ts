/**
 * The console's pages: the paths the browser app routes itself. The gateway answers each with the
 * app's index.html; nothing else falls back to it (an unknown path stays 404, /v1 stays the API).
 */
export const CONSOLE_PAGES = ['/', '/login', '/key', '/clerk', '/officer', '/police', '/prosecutor', '/auditor', '/checkpoints', '/timeline'] as const;
export type ConsolePage = (typeof CONSOLE_PAGES)[number];
