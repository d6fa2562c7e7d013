import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Agency } from 'correction-chaincode/domain';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { NETWORK_DIR, type FabricTarget } from '../support/fabric-target.js';
import { residentId } from '../support/ids.js';
import { sharedFabricTarget } from './shared.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NETWORK_UP = join(ROOT, 'scripts', 'network-up.sh');

interface Run {
  readonly code: number;
  readonly output: string;
}

/** Runs a command to its end, its exit code and its output (stdout and stderr) kept whatever the code. */
function run(file: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...process.env, NETWORK_DIR }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** The peer CLI as an agency's admin, on its own peer (the network's env.sh sets it up). */
const peerCli = (agency: Agency, command: string): Promise<Run> => run('bash', ['-c', `source "$NETWORK_DIR/env.sh" ${agency} >/dev/null && ${command}`]);

interface Committed {
  readonly sequence: number;
  readonly version: string;
  readonly approvals: Readonly<Record<string, boolean>>;
}

async function committed(): Promise<Committed> {
  const answer = await peerCli('COURT', 'peer lifecycle chaincode querycommitted --channelID corrections --name correction --output json');
  expect(answer.code, answer.output).to.equal(0);
  return JSON.parse(answer.output.slice(answer.output.indexOf('{'))) as Committed;
}

describe('upgrading the contract: a new definition committed by a majority of the agencies', function () {
  this.timeout(240_000);
  let target: FabricTarget;
  let court: Api, police: Api, justice: Api;
  let initial: Committed;
  let n = (Math.floor(Date.now() / 1000) % 1_000_000) + 18_000_000;

  /** A handover through the court's gateway, then the subject's status through another agency's. */
  async function handedOverAndRead(reader: Api): Promise<string> {
    const handover = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(++n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    expect(handover.status, JSON.stringify(handover.body)).to.equal(201);
    const ref = handover.body.entry.subjectRef;
    await reader.sees(ref, 1, 30_000);
    return ref;
  }

  before(async () => {
    target = await sharedFabricTarget();
    const cases = new Map<string, number>();
    court = new Api(target, 'COURT', 'clerk', cases);
    police = new Api(target, 'POLICE', 'officer', cases);
    justice = new Api(target, 'JUSTICE', 'officer', cases);
    initial = await committed();
  });

  it('refuses an agency the channel does not have', async () => {
    const answer = await run('bash', [NETWORK_UP, '--upgrade-chaincode', 'PRISON']);
    expect(answer.code).to.not.equal(0);
    expect(answer.output).to.include("unknown agency 'PRISON'");
    expect((await committed()).sequence).to.equal(initial.sequence);
  });

  it('with two of the four agencies approving, records their approvals and commits nothing; the contract in force keeps serving', async () => {
    const answer = await run('bash', [NETWORK_UP, '--upgrade-chaincode', 'COURT', 'PROCURATORATE']);
    expect(answer.code, answer.output).to.equal(3);
    expect(answer.output).to.include(`2 of 4 agencies approved sequence ${String(initial.sequence + 1)}`);
    expect(answer.output).to.include('not committed');
    expect((await committed()).sequence).to.equal(initial.sequence);
    await handedOverAndRead(police);
  });

  it('once a third agency approves, commits the next sequence and serves under it', async () => {
    const answer = await run('bash', [NETWORK_UP, '--upgrade-chaincode', 'POLICE']);
    expect(answer.code, answer.output).to.equal(0);
    // The two earlier approvals counted; they were not asked again.
    expect(answer.output).to.include('COURT PROCURATORATE POLICE approved sequence');
    const now = await committed();
    expect(now.sequence).to.equal(initial.sequence + 1);
    expect(now.version).to.equal(`${String(initial.sequence + 1)}.0`);
    expect(now.approvals).to.deep.equal({ CourtMSP: true, ProcuratorateMSP: true, PoliceMSP: true, JusticeMSP: false });
    await handedOverAndRead(police);
  });

  it('the agency that did not approve runs the contract again once its own admin approves', async () => {
    const refused = await peerCli('JUSTICE', 'peer chaincode query --channelID corrections --name correction --ctor \'{"Args":["Ping"]}\'');
    expect(refused.code).to.not.equal(0);
    expect(refused.output).to.include('has not yet been approved by this org');

    const approved = await run('bash', [NETWORK_UP, '--approve-chaincode', 'JUSTICE']);
    expect(approved.code, approved.output).to.equal(0);
    expect((await committed()).approvals).to.deep.equal({ CourtMSP: true, ProcuratorateMSP: true, PoliceMSP: true, JusticeMSP: true });
    const ping = await peerCli('JUSTICE', 'peer chaincode query --channelID corrections --name correction --ctor \'{"Args":["Ping"]}\'');
    expect(ping.code, ping.output).to.equal(0);
    expect(ping.output).to.include('JusticeMSP');

    const ref = await handedOverAndRead(justice);
    const received = await justice.record('SUBJECT_RECEIVED', { ref }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-15T09:00:00+08:00');
    expect(received.status, JSON.stringify(received.body)).to.equal(201);
  });
});
