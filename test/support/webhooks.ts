import type { Webhook } from '../../gateway/src/store/webhook-store.js';

/** A webhook as registered, before any attempt. */
export const webhook: Webhook = {
  id: '6f1c2f4e-5b7a-4d3c-9a8b-1e2f3a4b5c6d', agency: 'JUSTICE', url: 'https://hooks.justice.example/', events: ['*'],
  createdAt: '2024-01-10T00:00:00.000Z', cursor: 0, state: 'active', failingSince: null, pausedAt: null, attempts: 0, lastAttemptAt: null,
};
