import { connect, type Socket } from 'node:net';
import { expect } from 'chai';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';

describe('a gateway offered more ledger requests than it takes at once', () => {
  let target: EmbeddedTarget;
  before(async () => (target = await embeddedTarget({ LEDGER_MAX_IN_FLIGHT: '2' })));
  after(() => target.close());

  const handOver = (court: Api, n: number) => court.record('SENTENCE_HANDOVER', { idNumber: residentId(95_000 + n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');

  /**
   * A request that holds a place: the place is taken before the body is read, so headers with a
   * body still to come keep it until the connection closes.
   */
  async function holdPlace(token: string): Promise<Socket> {
    const url = new URL(target.url());
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(`POST /v1/events HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"type":`);
    return socket;
  }

  it('answers those past LEDGER_MAX_IN_FLIGHT 503 GATEWAY_BUSY with Retry-After at once, records the rest, and takes new ones once answered', async () => {
    const court = new Api(target, 'COURT');
    const token = await target.token('COURT');
    // Both places held by requests whose bodies have not arrived: the next is answered 503 at once.
    const held = [await holdPlace(token), await holdPlace(token)];
    let busy = await handOver(court, 0);
    for (let tries = 0; busy.status !== 503 && tries < 100; tries++) busy = await handOver(court, tries + 1);
    expect(busy.status).to.equal(503);
    expect(busy.body).to.deep.include({ code: 'GATEWAY_BUSY', status: 503 });
    expect(busy.headers.get('retry-after')).to.equal('1');
    // Many at once: each is recorded or answered 503, nothing else.
    for (const socket of held) socket.destroy();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, n) => handOver(court, 200 + n)));
    expect(answers.every((a) => a.status === 201 || a.status === 503), answers.map((a) => a.status).join()).to.equal(true);
    expect(answers.filter((a) => a.status === 201).length).to.be.at.least(2);
    // Every place was given back: one at a time, each is taken.
    for (let n = 100; n < 105; n++) expect((await handOver(court, n)).status).to.equal(201);
  });
});
