import type { Webhook } from '../store/webhook-store.js';

/** The longest wait between two attempts at one notice. */
export const MAX_RETRY_DELAY_MS = 60_000;

/**
 * The wait after a failed attempt: as long as the receiver has been failing, at least the base
 * delay and at most a minute. The waits double as the failure streak goes on, and since the streak
 * starts at `failingSince`, kept with the webhook, a restart does not start them over: a thousand
 * webhooks deep in their backoff do not all retry every few hundred milliseconds again.
 */
export function retryDelay(webhook: Webhook, now: Date, baseMs: number): number {
  const failingFor = webhook.failingSince === null ? 0 : now.getTime() - Date.parse(webhook.failingSince);
  return Math.min(MAX_RETRY_DELAY_MS, Math.max(baseMs, failingFor));
}

/**
 * The webhook after an attempt at a notice. An acknowledged notice moves the cursor past it and ends
 * any failure streak; a failed one starts or continues the streak, and once the streak has lasted
 * the give-up time the webhook turns `failing` and its deliveries pause.
 */
export function afterAttempt(webhook: Webhook, noticeId: number, ok: boolean, at: Date, giveUpMs: number): Webhook {
  const counted = { ...webhook, attempts: webhook.attempts + 1, lastAttemptAt: at.toISOString() };
  if (ok) return { ...counted, cursor: noticeId, failingSince: null };
  const failingSince = webhook.failingSince ?? at.toISOString();
  if (at.getTime() - Date.parse(failingSince) < giveUpMs) return { ...counted, failingSince };
  return { ...counted, failingSince, state: 'failing', pausedAt: at.toISOString() };
}

/** The webhook when a clerk resumes it: deliveries go on from its cursor, with a fresh give-up time. */
export function resumed(webhook: Webhook): Webhook {
  return { ...webhook, state: 'active', failingSince: null, pausedAt: null };
}
