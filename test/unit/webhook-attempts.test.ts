import { expect } from 'chai';
import { afterAttempt, resumed, retryDelay } from '../../gateway/src/services/webhook-attempts.js';
import { webhook } from '../support/webhooks.js';

describe('webhook attempts', () => {
  const start = new Date('2024-01-10T00:00:00Z');
  const later = (ms: number) => new Date(start.getTime() + ms);

  it('starts a failure streak at the first failed attempt, and turns failing once it lasts the give-up time', () => {
    const first = afterAttempt(webhook, 1, false, start, 1_000);
    expect(first).to.deep.include({ state: 'active', failingSince: start.toISOString(), attempts: 1, cursor: 0, lastAttemptAt: start.toISOString() });
    const almost = afterAttempt(first, 1, false, later(999), 1_000);
    expect(almost).to.deep.include({ state: 'active', failingSince: start.toISOString() });
    const given = afterAttempt(almost, 1, false, later(1_000), 1_000);
    expect(given).to.deep.include({ state: 'failing', failingSince: start.toISOString(), pausedAt: later(1_000).toISOString(), attempts: 3, cursor: 0 });
  });

  it('ends the streak and moves the cursor when the receiver acknowledges', () => {
    const failedOnce = afterAttempt(webhook, 7, false, start, 1_000);
    expect(afterAttempt(failedOnce, 7, true, later(500), 1_000)).to.deep.include({ state: 'active', failingSince: null, cursor: 7, attempts: 2 });
  });

  it('waits as long as the receiver has been failing, from the base delay up to a minute, whatever restarted in between', () => {
    expect(retryDelay(webhook, start, 1_000), 'no failure yet').to.equal(1_000);
    const failing = afterAttempt(webhook, 1, false, start, 86_400_000);
    expect(retryDelay(failing, start, 1_000)).to.equal(1_000);
    expect(retryDelay(failing, later(4_000), 1_000)).to.equal(4_000);
    // A gateway restarted an hour into the streak reads failingSince from the store: no burst of short waits.
    expect(retryDelay(failing, later(3_600_000), 1_000)).to.equal(60_000);
  });

  it('resumes with a fresh give-up time from the same cursor', () => {
    const paused = afterAttempt(afterAttempt(webhook, 3, false, start, 1), 3, false, later(5), 1);
    expect(paused.state).to.equal('failing');
    expect(resumed(paused)).to.deep.include({ state: 'active', failingSince: null, pausedAt: null, cursor: 0, attempts: 2 });
  });
});
