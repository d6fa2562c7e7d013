import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { verifyJws } from 'correction-verifier';
import { loadConfig } from '../../gateway/src/config.js';
import { createGateway, type Gateway } from '../../gateway/src/gateway.js';
import { devKeyPaths, mintDevToken } from '../../gateway/src/keys.js';
import { NOTICE_TYPE, readTrust } from '../../gateway/src/services/receipts.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { waitFor } from '../support/sse.js';
import { tempDir } from '../support/temp.js';

/** A webhook receiver that refuses each notice three times, then accepts it. */
function flakyReceiver(): Promise<{ url: string; attempts: Map<number, number>; accepted: Array<{ id: number; jws: string }>; server: Server }> {
  const attempts = new Map<number, number>();
  const accepted: Array<{ id: number; jws: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const id = Number(req.headers['x-notice-id']);
      const count = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, count);
      if (count <= 3) {
        res.writeHead(503).end();
        return;
      }
      accepted.push({ id, jws: body });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, attempts, accepted, server });
    });
  });
}

describe('webhooks', function () {
  this.timeout(60_000);

  it('deliver every notice exactly once, in order, to a receiver that fails three times, across a gateway restart', async () => {
    const dir = await tempDir();
    const receiver = await flakyReceiver();
    const start = async () => {
      const gateway = await createGateway(loadConfig({ PORT: '0', DATA_DIR: dir.path, LOG_LEVEL: 'silent', WEBHOOK_RETRY_BASE_MS: '30' }));
      return { gateway, url: `http://127.0.0.1:${await gateway.listen()}` };
    };
    let running: { gateway: Gateway; url: string } | undefined;
    try {
      running = await start();
      const token = (agency: 'COURT' | 'JUSTICE') => mintDevToken(dir.path, { agency, role: 'clerk', sub: 'test' });
      const post = async (path: string, body: unknown, agency: 'COURT' | 'JUSTICE') => {
        const response = await fetch(`${running?.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${await token(agency)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: response.status, body: (await response.json()) };
      };
      const hook = await post('/v1/webhooks', { url: receiver.url, events: ['SENTENCE_HANDOVER'] }, 'JUSTICE');
      expect(hook.status).to.equal(201);
      const hookId = (hook.body as { id: string }).id;
      const handover = async (n: number) => ((await post('/v1/events', { type: 'SENTENCE_HANDOVER', subject: { idNumber: residentId(n) }, occurredAt: '2024-01-10T09:00:00+08:00', document: sampleDocument('SENTENCE_HANDOVER') }, 'COURT')).body as { entry: { id: string } }).entry.id;

      const recorded = [await handover(9101), await handover(9102)];
      await waitFor(() => receiver.accepted.length >= 1 || undefined, 20_000);
      // Restart while the second notice is still being retried.
      await running.gateway.close();
      running = await start();
      recorded.push(await handover(9103));
      await waitFor(() => receiver.accepted.length >= 3 || undefined, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 300));

      const ids = receiver.accepted.map((a) => a.id);
      expect(ids).to.have.length(3);
      expect(ids).to.deep.equal([...new Set(ids)].sort((a, b) => a - b));
      const trust = await readTrust(devKeyPaths(dir.path).trust);
      const delivered: string[] = [];
      for (const { jws } of receiver.accepted) {
        const payload = await verifyJws(jws, trust.agencies.JUSTICE.gatewayKeys, NOTICE_TYPE);
        expect(payload, 'signed by the justice bureau gateway').to.not.equal(undefined);
        delivered.push((JSON.parse(new TextDecoder().decode(payload)) as { data: { entry: { id: string } } }).data.entry.id);
      }
      expect(delivered).to.deep.equal(recorded);
      for (const id of ids) expect(receiver.attempts.get(id)).to.equal(4);

      const log = await fetch(`${running.url}/v1/webhooks/${hookId}/deliveries`, { headers: { authorization: `Bearer ${await token('JUSTICE')}` } });
      const deliveries = (await log.json()) as Array<{ noticeId: number; ok: boolean; status: number }>;
      expect(deliveries.filter((d) => d.ok).map((d) => d.noticeId)).to.deep.equal(ids);
      expect(deliveries.filter((d) => !d.ok && d.status === 503).length).to.be.at.least(6);
      const foreign = await fetch(`${running.url}/v1/webhooks/${hookId}/deliveries`, { headers: { authorization: `Bearer ${await token('COURT')}` } });
      expect(foreign.status).to.equal(404);
    } finally {
      await running?.gateway.close();
      receiver.server.close();
      await dir.remove();
    }
  });
});
