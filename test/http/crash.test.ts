import { expect } from 'chai';
import { documentHash, type Agency } from 'correction-chaincode/domain';
import { mintDevToken, type Role } from '../../gateway/src/keys.js';
import { runCli, startChildGateway, type ChildGateway } from '../support/child-gateway.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { tempDir } from '../support/temp.js';

const WRITERS = 16;

/** A keyed request as a client keeps it to retry: the key, the body, and the first answer if one came. */
interface Attempt {
  readonly key: string;
  readonly ref: string;
  readonly body: Record<string, unknown>;
  answer?: { status: number; entryId?: string; submissionId?: string };
}

/** The parts of the gateway's answers these tests read. */
interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: { readonly id?: string; readonly state?: string; readonly entry?: { readonly id: string; readonly subjectRef: string } } | undefined;
}

/** A client of a gateway that is killed and restarted over the same data directory. */
class Client {
  readonly #dataDir: string;
  readonly #tokens = new Map<string, Promise<string>>();
  gateway: ChildGateway | undefined;

  constructor(dataDir: string) {
    this.#dataDir = dataDir;
  }

  async request(method: string, path: string, agency: Agency, role: Role, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const token = this.#token(agency, role);
    const response = await fetch(`${this.gateway?.url ?? ''}${path}`, {
      method,
      headers: { authorization: `Bearer ${await token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Reply['body']) : undefined };
  }

  /** Subjects handed over by the court and received by the justice bureau: warnings may follow. */
  async subjectsUnderCorrection(count: number, from: number): Promise<string[]> {
    return Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const handover = await this.request('POST', '/v1/events', 'COURT', 'clerk', {
          type: 'SENTENCE_HANDOVER', subject: { idNumber: residentId(from + i) }, occurredAt: '2024-01-10T09:00:00+08:00', document: sampleDocument('SENTENCE_HANDOVER'),
        });
        expect(handover.status).to.equal(201);
        const ref = handover.body?.entry?.subjectRef ?? '';
        const received = await this.request('POST', '/v1/events', 'JUSTICE', 'officer', {
          type: 'SUBJECT_RECEIVED', subject: { ref }, occurredAt: '2024-01-15T09:00:00+08:00', document: sampleDocument('SUBJECT_RECEIVED'),
        });
        expect(received.status).to.equal(201);
        return ref;
      }),
    );
  }

  send(attempt: Attempt) {
    return this.request('POST', '/v1/events', 'JUSTICE', 'officer', attempt.body, { 'idempotency-key': attempt.key });
  }

  #token(agency: Agency, role: Role): Promise<string> {
    const name = `${agency}:${role}`;
    let token = this.#tokens.get(name);
    if (!token) {
      token = mintDevToken(this.#dataDir, { agency, role, sub: `crash-${agency.toLowerCase()}`, expiresIn: '1h' });
      this.#tokens.set(name, token);
    }
    return token;
  }
}

/** A warning whose document names its own key, so that the chain shows which request each entry is. */
function warning(ref: string, key: string): Attempt {
  return {
    key,
    ref,
    body: { type: 'WARNING_ISSUED', subject: { ref }, occurredAt: '2024-04-01T09:00:00+08:00', document: sampleDocument('WARNING_ISSUED', { decisionNo: key }) },
  };
}

const docHashOf = (attempt: Attempt): string => documentHash((attempt.body as { document: unknown }).document);

/** Every attempt is in the chains exactly once, each subject's in the order given. */
async function expectEachOnce(client: Client, refs: readonly string[], attempts: readonly Attempt[], inOrder = false): Promise<void> {
  for (const ref of refs) {
    const chain = await client.request('GET', `/v1/subjects/${ref}/entries`, 'JUSTICE', 'officer');
    expect(chain.status).to.equal(200);
    const recorded = (chain.body as unknown as Array<{ type: string; docHash: string }>).filter((e) => e.type === 'WARNING_ISSUED').map((e) => e.docHash);
    const expected = attempts.filter((a) => a.ref === ref).map(docHashOf);
    if (inOrder) expect(recorded).to.deep.equal(expected);
    else expect([...recorded].sort()).to.deep.equal([...expected].sort());
  }
}

async function expectAuditIntact(dataDir: string): Promise<void> {
  const audit = await runCli(['audit', '--data-dir', dataDir]);
  expect(audit.code, audit.stdout + audit.stderr).to.equal(0);
  expect(audit.stdout).to.match(/intact/);
}

/**
 * One writer per subject, each sending keyed warnings one after another, until the gateway is
 * killed the moment its `killAfter`-th answer arrives (the other answers of that block are then
 * on their way). Returns every attempt, answered or not.
 */
async function writeUntilKilled(client: Client, refs: readonly string[], round: number, killAfter: number): Promise<Attempt[]> {
  const gateway = client.gateway as ChildGateway;
  const sent: Attempt[] = [];
  let answers = 0;
  let killing: Promise<void> | undefined;
  const send = async (attempt: Attempt) => {
    try {
      const answer = await client.send(attempt);
      attempt.answer = { status: answer.status, ...(answer.body?.entry ? { entryId: answer.body.entry.id } : {}) };
      expect(answer.status, JSON.stringify(answer.body)).to.equal(201);
      if (++answers === killAfter) killing = gateway.kill9();
    } catch (error) {
      if (!killing) throw error;
    }
  };
  const writer = async (ref: string, writerIndex: number) => {
    for (let k = 0; !killing; k++) {
      const attempt = warning(ref, `round${round}-writer${writerIndex}-${k}`);
      sent.push(attempt);
      await send(attempt);
    }
  };
  await Promise.all(refs.map(writer));
  await killing;
  return sent;
}

/**
 * Retries every attempt with its key: an answered one gets its entry back, replayed; an unanswered
 * one is recorded now or replayed if it had committed. Returns how many had committed unanswered.
 */
async function retryEach(client: Client, sent: readonly Attempt[]): Promise<number> {
  let committedUnanswered = 0;
  for (const attempt of sent) {
    const retry = await client.send(attempt);
    expect(retry.status, JSON.stringify(retry.body)).to.equal(201);
    const replayed = retry.headers.get('idempotent-replayed') === 'true';
    if (attempt.answer) {
      expect(replayed).to.equal(true);
      expect(retry.body?.entry?.id).to.equal(attempt.answer.entryId);
    } else if (replayed) {
      committedUnanswered++;
    }
    // And again: the ledger's answer does not change.
    const again = await client.send(attempt);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    expect(again.body?.entry?.id).to.equal(retry.body?.entry?.id);
  }
  return committedUnanswered;
}

describe('a gateway killed (kill -9) between commit and answer', function () {
  this.timeout(180_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let client: Client;
  const attempts: Attempt[] = [];

  before(async () => {
    dir = await tempDir();
    client = new Client(dir.path);
    client.gateway = await startChildGateway(dir.path);
  });
  after(async () => {
    await client.gateway?.kill9().catch(() => undefined);
    await dir.remove();
  });

  it('records every keyed request once: each retry after the restart gets the entry of the first attempt', async () => {
    const refs = await client.subjectsUnderCorrection(WRITERS, 70_000);
    let committedUnanswered = 0;
    // Killed after the first answer, after a round of answers, and deep into the load.
    for (const [round, killAfter] of [1, WRITERS, 3 * WRITERS].entries()) {
      const sent = await writeUntilKilled(client, refs, round, killAfter);
      expect(sent.filter((a) => !a.answer).length, 'requests in flight at the kill').to.be.greaterThan(0);
      client.gateway = await startChildGateway(dir.path);
      committedUnanswered += await retryEach(client, sent);
      attempts.push(...sent);
    }
    await expectEachOnce(client, refs, attempts);
    // The kills did fall between a commit and its answer: those retries replayed entries nobody was told of.
    expect(committedUnanswered, 'requests committed but not answered before a kill').to.be.greaterThan(0);

    await client.gateway?.stop();
    client.gateway = undefined;
    await expectAuditIntact(dir.path);
  });
});

describe('the outbox across kill -9', function () {
  this.timeout(180_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let client: Client;
  const env = { OUTBOX_RETRY_BASE_MS: '50', OUTBOX_RETRY_MAX_MS: '500' };

  before(async () => {
    dir = await tempDir();
    client = new Client(dir.path);
    client.gateway = await startChildGateway(dir.path, env);
  });
  after(async () => {
    await client.gateway?.kill9().catch(() => undefined);
    await dir.remove();
  });

  /** Sends each subject's warnings in order (subjects side by side) while the ledger is paused: all 202. */
  async function acceptWhilePaused(refs: readonly string[], perSubject: number, label: string): Promise<Attempt[]> {
    const paused = await runCli(['pause', '--data-dir', dir.path, '--reason', 'backup']);
    expect(paused.code, paused.stderr).to.equal(0);
    const accepted: Attempt[] = [];
    await Promise.all(
      refs.map(async (ref, s) => {
        for (let k = 0; k < perSubject; k++) {
          const attempt = warning(ref, `${label}-subject${s}-${k}`);
          const answer = await client.send(attempt);
          expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
          attempt.answer = { status: 202, submissionId: answer.body?.id ?? '' };
          accepted.push(attempt);
        }
      }),
    );
    return accepted;
  }

  async function resume(): Promise<void> {
    const resumed = await runCli(['resume', '--data-dir', dir.path]);
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(resumed.stdout).to.match(/resumed/);
  }

  async function submission(attempt: Attempt): Promise<{ state: string; entry?: { id: string } }> {
    const answer = await client.request('GET', `/v1/submissions/${attempt.answer?.submissionId ?? ''}`, 'JUSTICE', 'officer');
    expect(answer.status).to.equal(200);
    return { state: answer.body?.state ?? '', ...(answer.body?.entry ? { entry: answer.body.entry } : {}) };
  }

  async function allCommitted(attempts: readonly Attempt[], timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(attempts.map(async (a) => (await submission(a)).state));
      if (states.every((state) => state === 'committed')) return;
      expect(states).to.not.include('refused');
      if (Date.now() > deadline) throw new Error(`still pending: ${states.filter((s) => s === 'pending').length}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('drains after a restart what was accepted before the kill: none lost, none twice, in order per subject', async () => {
    const refs = await client.subjectsUnderCorrection(8, 80_000);
    const before = await acceptWhilePaused(refs, 3, 'before-kill');
    await client.gateway?.kill9();
    await resume();
    client.gateway = await startChildGateway(dir.path, env);
    await allCommitted(before);
    await expectEachOnce(client, refs, before, true);

    // Killed again while draining: the submissions the ledger took replay, the rest are submitted.
    const during = await acceptWhilePaused(refs, 6, 'during-drain');
    await resume();
    for (let seen = false; !seen; ) seen = (await Promise.all(during.map(submission))).some((s) => s.state === 'committed');
    await client.gateway.kill9();
    client.gateway = await startChildGateway(dir.path, env);
    await allCommitted(during);
    const all = [...before, ...during];
    await expectEachOnce(client, refs, all, true);

    // Each key still answers with its submission's entry.
    for (const attempt of all) {
      const retry = await client.send(attempt);
      expect(retry.status).to.equal(201);
      expect(retry.headers.get('idempotent-replayed')).to.equal('true');
      expect(retry.body?.entry?.id).to.equal((await submission(attempt)).entry?.id);
    }
    await client.gateway.stop();
    client.gateway = undefined;
    await expectAuditIntact(dir.path);
  });
});
