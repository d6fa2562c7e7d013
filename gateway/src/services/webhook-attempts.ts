import type { Webhook } from '../store/webhook-store.js';

/** The longest wait between two attempts at one notice. */
export const MAX_RETRY_DELAY_MS = 60_000;

/** The wait after a failed attempt: the base delay, doubling with each attempt at the same notice, up to a minute. */
export function retryDelay(attempt: number, baseMs: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.min(attempt - 1, 30));
}

/**
 * The webhook after an attempt at a notice. An acknowledged notice moves the cursor past it and ends
 * any failure streak; a failed one starts or continues the streak, and once the streak has lasted
 * the give-up time the webhook turns `failing` and its deliveries pause.
 */
export function afterAttempt(webhook: Webhook, noticeId: number, ok: boolean, at: Date, giveUpMs: number): Webhook {
  const attempts = webhook.attempts + 1;
  if (ok) return { ...webhook, cursor: noticeId, attempts, failingSince: null };
  const failingSince = webhook.failingSince ?? at.toISOString();
  if (at.getTime() - Date.parse(failingSince) < giveUpMs) return { ...webhook, attempts, failingSince };
  return { ...webhook, attempts, failingSince, state: 'failing', pausedAt: at.toISOString() };
}

/** The webhook when a clerk resumes it: deliveries go on from its cursor, with a fresh give-up time. */
export function resumed(webhook: Webhook): Webhook {
  return { ...webhook, state: 'active', failingSince: null, pausedAt: null };
}
