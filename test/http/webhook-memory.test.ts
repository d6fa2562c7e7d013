import { expect } from 'chai';
import type { Agency } from 'correction-chaincode/domain';
import { mintDevToken } from '../../gateway/src/keys.js';
import { sampleRss, startServerChild, type ServerChild } from '../bench/children.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { closedPort } from '../support/receivers.js';
import { tempDir } from '../support/temp.js';

const WEBHOOKS_PER_AGENCY = 334;
const BACKLOG = 20;
/** The agencies a sentencing handover notifies. */
const NOTIFIED: readonly Agency[] = ['JUSTICE', 'PROCURATORATE', 'POLICE'];
const RSS_LIMIT = 300 * 1024 * 1024;
const MIB = 1024 * 1024;

/**
 * A thousand webhooks whose receivers refuse every connection, in a real gateway of its own
 * process: it must stay small while they all retry, and after a restart, when they all start
 * again at once.
 */
describe('webhooks at scale', function () {
  this.timeout(240_000);

  it('keep the gateway under 300 MB RSS with 1,000 failing webhooks, before and after a restart', async () => {
    const dir = await tempDir();
    const refusing = `http://127.0.0.1:${await closedPort()}/hook`;
    const env = {
      ...process.env,
      BENCH_DATA_DIR: dir.path,
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_ALLOWED_ADDRESSES: '127.0.0.1/32',
      WEBHOOK_MAX_PER_AGENCY: String(WEBHOOKS_PER_AGENCY),
      WEBHOOK_RETRY_BASE_MS: '100',
    };
    const script = new URL('../bench/gateway-child.js', import.meta.url);
    let child: ServerChild | undefined;
    try {
      child = await startServerChild(script, { env });
      let gateway = `http://127.0.0.1:${child.port}`;
      const tokens = new Map<Agency, string>();
      const call = async (agency: Agency, method: string, path: string, body?: unknown) => {
        if (!tokens.has(agency)) tokens.set(agency, await mintDevToken(dir.path, { agency, role: 'clerk', sub: 'scale' }));
        const response = await fetch(`${gateway}${path}`, {
          method,
          headers: { authorization: `Bearer ${String(tokens.get(agency))}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: response.status, body: await response.json() };
      };
      /** Every webhook, as its agency lists it. */
      const allWebhooks = async () => {
        const all: Array<{ attempts: number; lastAttemptAt: string | null }> = [];
        for (const agency of NOTIFIED) {
          const { webhooks } = (await call(agency, 'GET', '/v1/webhooks')).body as { webhooks: typeof all };
          expect(webhooks).to.have.length(WEBHOOKS_PER_AGENCY);
          all.push(...webhooks);
        }
        return all;
      };
      const until = async (done: (webhook: { attempts: number; lastAttemptAt: string | null }) => boolean) => {
        for (const deadline = Date.now() + 120_000; !(await allWebhooks()).every(done); ) {
          if (Date.now() > deadline) throw new Error('not every webhook attempted in time');
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      };

      let rss = sampleRss(child.pid);
      await Promise.all(
        NOTIFIED.map(async (agency) => {
          for (let n = 0; n < WEBHOOKS_PER_AGENCY; n++) {
            expect((await call(agency, 'POST', '/v1/webhooks', { url: refusing, events: ['*'] })).status).to.equal(201);
          }
        }),
      );
      // A backlog: after the restart every webhook has notices waiting, and all start at once.
      for (let n = 0; n < BACKLOG; n++) {
        const recorded = await call('COURT', 'POST', '/v1/events', {
          type: 'SENTENCE_HANDOVER', subject: { idNumber: residentId(9500 + n) }, occurredAt: '2024-01-10T09:00:00+08:00', document: sampleDocument('SENTENCE_HANDOVER'),
        });
        expect(recorded.status).to.equal(201);
      }
      await until((webhook) => webhook.attempts >= 4);
      const retrying = rss.stop().peak;

      await child.stop();
      const restartedAt = Date.now();
      child = await startServerChild(script, { env });
      gateway = `http://127.0.0.1:${child.port}`;
      rss = sampleRss(child.pid);
      // Every webhook starts again at once: the peak is measured until each has made an attempt since.
      await until((webhook) => Date.parse(String(webhook.lastAttemptAt)) >= restartedAt);
      const restarted = rss.stop().peak;

      console.log(`      peak RSS: ${(retrying / MIB).toFixed(0)} MB while ${WEBHOOKS_PER_AGENCY * NOTIFIED.length} webhooks retry, ${(restarted / MIB).toFixed(0)} MB after a restart`);
      expect(retrying).to.be.below(RSS_LIMIT);
      expect(restarted).to.be.below(RSS_LIMIT);
    } finally {
      await child?.stop();
      await dir.remove();
    }
  });
});
