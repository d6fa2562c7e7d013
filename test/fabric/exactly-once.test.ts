import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { canonicalJson, documentHash } from 'correction-chaincode/domain';
import type { RecordReply } from 'correction-chaincode';
import { RecordedSchema, SubmissionSchema } from '../../gateway/src/http/responses.js';
import { actorTransient } from '../../gateway/src/ledger/port.js';
import { keyHashOf } from '../../gateway/src/services/correction-client.js';
import { sleep } from '../../gateway/src/retry.js';
import { caller } from '../support/actors.js';
import { Api, type Answer } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { connectFabric, NETWORK_DIR, type FabricTarget } from '../support/fabric-target.js';
import { residentId } from '../support/ids.js';
import { sharedFabricTarget } from './shared.js';

const exec = promisify(execFile);
const OCCURRED_AT = '2024-04-01T09:00:00+08:00';

/** A warning whose document names its decision, so that each entry shows which request it is. */
const warningBody = (ref: string, decisionNo: string) => ({
  type: 'WARNING_ISSUED',
  subject: { ref },
  occurredAt: OCCURRED_AT,
  document: sampleDocument('WARNING_ISSUED', { decisionNo }),
});
const warningHash = (decisionNo: string): string => documentHash(sampleDocument('WARNING_ISSUED', { decisionNo }));

async function pidOf(node: string): Promise<number> {
  return Number((await readFile(join(NETWORK_DIR, 'pids', `${node}.pid`), 'utf8')).trim());
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** How many submissions this gateway retried for a cause, from its Prometheus metrics. */
async function retries(target: FabricTarget, cause: string): Promise<number> {
  const metrics = await (await fetch(`${target.url('JUSTICE')}/metrics`)).text();
  return Number(new RegExp(`ledger_submit_retries_total\\{cause="${cause}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
}

describe('exactly once on Fabric', function () {
  this.timeout(420_000);
  let target: FabricTarget;
  let court: Api, justice: Api;
  let n = (Math.floor(Date.now() / 1000) % 1_000_000) + 10_000_000;

  before(async () => {
    target = await sharedFabricTarget();
    const cases = new Map<string, number>();
    court = new Api(target, 'COURT', 'clerk', cases);
    justice = new Api(target, 'JUSTICE', 'officer', cases);
  });

  /** A subject handed over by the court and received by the justice bureau, as JUSTICE's gateway sees it. */
  async function underCorrection(): Promise<string> {
    const handover = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(++n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    const ref = RecordedSchema.parse(handover.body).entry.subjectRef;
    const received = await justice.record('SUBJECT_RECEIVED', { ref }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-15T09:00:00+08:00');
    expect(received.status, JSON.stringify(received.body)).to.equal(201);
    return ref;
  }

  async function warningsIn(ref: string): Promise<string[]> {
    const chain = await justice.get<Array<{ type: string; docHash: string }>>(`/v1/subjects/${ref}/entries`);
    expect(chain.status).to.equal(200);
    return chain.body.filter((e) => e.type === 'WARNING_ISSUED').map((e) => e.docHash);
  }

  it('records one entry when one key arrives at once through two REST requests and the raw contract', async () => {
    const ref = await underCorrection();
    const key = `same-key-${ref.slice(0, 16)}`;
    const body = warningBody(ref, key);
    // The third submission goes straight to the contract as the justice bureau's gateway identity,
    // with the hash the REST gateway would send: no gateway state can coalesce the three.
    const raw = await connectFabric('JUSTICE');
    const rawSubmit = async (): Promise<RecordReply> => {
      const contract = raw.gateway.getNetwork('corrections').getContract('correction');
      const document = new TextEncoder().encode(canonicalJson(body.document));
      for (let attempt = 1; ; attempt++) {
        try {
          const payload = await contract.submit('RecordEvent', { arguments: [ref, 'WARNING_ISSUED', OCCURRED_AT, '', keyHashOf(key)], transientData: { document, ...actorTransient(caller('JUSTICE', { role: 'officer', sub: 'raw-justice' })) } });
          return JSON.parse(new TextDecoder().decode(payload)) as RecordReply;
        } catch (error) {
          // The raw client does not retry: the loser of the race fails MVCC on the key, or meets a
          // peer that has not yet committed the winner. Its retry replays.
          if (attempt >= 10) throw error;
          await sleep(300);
        }
      }
    };
    try {
      const [a, b, c] = await Promise.all([
        justice.post('/v1/events', body, { 'idempotency-key': key }),
        justice.post('/v1/events', body, { 'idempotency-key': key }),
        rawSubmit(),
      ]);
      for (const answer of [a, b]) expect(answer.status, JSON.stringify(answer.body)).to.equal(201);
      const ids = [RecordedSchema.parse(a.body).entry.id, RecordedSchema.parse(b.body).entry.id, c.entry.id];
      expect(new Set(ids).size).to.equal(1);
      const fresh = [a.headers.get('idempotent-replayed') !== 'true', b.headers.get('idempotent-replayed') !== 'true', !c.replayed];
      expect(fresh.filter(Boolean)).to.have.length(1);
      await justice.sees(ref, 3);
      expect(await warningsIn(ref)).to.deep.equal([warningHash(key)]);
    } finally {
      raw.close();
    }
  });

  it('retries endorsements a lagging peer spoils ("ProposalResponsePayloads do not match") and never answers 500', async () => {
    const ref = await underCorrection();
    const before = await retries(target, 'endorsement-mismatch');
    // The police and court peers stutter, as under long pauses: stopped and resumed in turn, they
    // commit each block late, and endorse the subject's next entry from the state before the last
    // one. Every endorsement layout (the justice bureau and two other agencies) has one of them.
    const peers = await Promise.all(['peer-police', 'peer-court'].map(pidOf));
    const calm = new AbortController();
    const stutter = (async () => {
      while (!calm.signal.aborted) {
        for (const pid of peers) process.kill(pid, 'SIGSTOP');
        await sleep(150);
        for (const pid of peers) process.kill(pid, 'SIGCONT');
        await sleep(100);
      }
    })();
    const decisions = Array.from({ length: 20 }, (_, i) => `lag-${ref.slice(0, 8)}-${i}`);
    const answers: Answer[] = [];
    try {
      for (const decisionNo of decisions) answers.push(await justice.post('/v1/events', warningBody(ref, decisionNo), { 'idempotency-key': decisionNo }));
    } finally {
      calm.abort();
      await stutter;
      for (const pid of peers) process.kill(pid, 'SIGCONT');
    }
    expect(answers.map((a) => a.status)).to.deep.equal(decisions.map(() => 201));
    expect(await warningsIn(ref)).to.deep.equal(decisions.map(warningHash));
    expect(await retries(target, 'endorsement-mismatch')).to.be.greaterThan(before);
  });

  describe('with the orderers out of quorum', () => {
    let restored = true;
    const restore = async () => {
      // network-up brings back exactly the nodes that are down.
      await exec('bash', ['scripts/network-up.sh'], { maxBuffer: 16 * 1024 * 1024 });
      restored = true;
    };
    after(async () => {
      if (!restored) await restore();
    });

    type Sent = Map<string, Array<{ decisionNo: string; submission: string }>>;

    /** Each subject's four warnings in order (subjects side by side), each answered 202. */
    async function sendEach(refs: readonly string[]): Promise<Sent> {
      const sent: Sent = new Map();
      await Promise.all(
        refs.map(async (ref) => {
          const list: Array<{ decisionNo: string; submission: string }> = [];
          sent.set(ref, list);
          for (let i = 0; i < 4; i++) {
            const decisionNo = `quorum-${ref.slice(0, 8)}-${i}`;
            const answer = await justice.post('/v1/events', warningBody(ref, decisionNo), { 'idempotency-key': decisionNo });
            expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
            const submission = SubmissionSchema.parse(answer.body);
            expect(answer.headers.get('location')).to.equal(`/v1/submissions/${submission.id}`);
            list.push({ decisionNo, submission: submission.id });
          }
        }),
      );
      return sent;
    }

    async function states(ids: readonly string[]): Promise<string[]> {
      return Promise.all(ids.map(async (id) => SubmissionSchema.parse((await justice.get(`/v1/submissions/${id}`)).body).state));
    }

    async function allCommitted(ids: readonly string[], timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (let now = await states(ids); !now.every((state) => state === 'committed'); now = await states(ids)) {
        expect(now).to.not.include('refused');
        if (Date.now() > deadline) throw new Error(`still pending: ${now.filter((s) => s === 'pending').length} of ${ids.length}`);
        await sleep(500);
      }
    }

    it('accepts 20 keyed requests (and an unkeyed one of unknown outcome) with 202 and, once the quorum is back, commits each exactly once and in order per subject', async () => {
      const network = await readFile(join(NETWORK_DIR, 'network.env'), 'utf8');
      if (!/ORDERER_TYPE=bft/.test(network)) throw new Error('the network is not running BFT ordering');
      const [unkeyedRef = '', ...refs] = await Promise.all(Array.from({ length: 6 }, () => underCorrection()));

      // BFT with four orderers needs three: two stopped leave no quorum.
      restored = false;
      for (const node of ['orderer-police', 'orderer-justice']) {
        const pid = await pidOf(node);
        process.kill(pid, 'SIGKILL');
        while (alive(pid)) await sleep(50);
      }
      // Without a key as well: the transaction was sent and no commit seen, so the outcome is
      // unknown — 202 under the key the gateway made up, not 503.
      const [sent, unkeyed] = await Promise.all([sendEach(refs), justice.post('/v1/events', warningBody(unkeyedRef, 'quorum-unkeyed'))]);
      expect(unkeyed.status, JSON.stringify(unkeyed.body)).to.equal(202);
      const keyed = [...sent.values()].flat().map((s) => s.submission);
      expect(keyed).to.have.length(20);
      const ids = [...keyed, SubmissionSchema.parse(unkeyed.body).id];
      expect(await states(ids)).to.deep.equal(ids.map(() => 'pending'));

      await restore();
      await allCommitted(ids, 240_000);
      for (const [ref, list] of sent) {
        expect(await warningsIn(ref)).to.deep.equal(list.map((s) => warningHash(s.decisionNo)));
      }
      expect(await warningsIn(unkeyedRef)).to.deep.equal([warningHash('quorum-unkeyed')]);
      // Each key now answers with its entry.
      for (const [ref, list] of sent) {
        for (const { decisionNo, submission } of list) {
          const retry = await justice.post('/v1/events', warningBody(ref, decisionNo), { 'idempotency-key': decisionNo });
          expect(retry.status).to.equal(201);
          expect(retry.headers.get('idempotent-replayed')).to.equal('true');
          const settled = SubmissionSchema.parse((await justice.get(`/v1/submissions/${submission}`)).body);
          expect(RecordedSchema.parse(retry.body).entry.id).to.equal(settled.entry?.id);
        }
      }
    });
  });
});
