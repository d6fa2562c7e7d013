import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GatewayError, type Gateway } from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { expect } from 'chai';
import { AGENCIES, canonicalJson, DomainError, documentHash, type Agency } from 'correction-chaincode/domain';
import type { Role } from '../../gateway/src/keys.js';
import { actorTransient } from '../../gateway/src/ledger/port.js';
import { freshKeyHash } from '../../gateway/src/services/correction-client.js';
import { caller } from '../support/actors.js';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { connectFabric, NETWORK_DIR, type FabricTarget } from '../support/fabric-target.js';
import { sharedFabricTarget } from './shared.js';
import { residentId } from '../support/ids.js';

const exec = promisify(execFile);

/** A raw fabric-gateway connection as one of an agency's users, to that agency's peer: no REST gateway in between. */
async function connectAs(agency: Agency, user = 'User1'): Promise<{ gateway: Gateway; close: () => void }> {
  return connectFabric(agency, user);
}

const decode = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));

/** The acting principal a raw caller asserts, as a gateway would: the whole agency, as the REST clients of these tests act. */
const asserted = (agency: Agency, role: Role = 'officer'): Record<string, Uint8Array> => actorTransient(caller(agency, { role, sub: `raw-${agency.toLowerCase()}` }));

/** The contract's decision carried inside an endorsement or evaluation error, read back as the domain error. */
function domainErrorOf(error: unknown): DomainError | undefined {
  if (!(error instanceof GatewayError)) return undefined;
  for (const message of [error.message, ...error.details.map((d) => d.message)]) {
    const found = DomainError.fromWire(message);
    if (found) return found;
  }
  return undefined;
}

describe('what only the chain can show', function () {
  this.timeout(120_000);
  let target: FabricTarget;
  let court: Api, justice: Api, police: Api;
  let n = (Math.floor(Date.now() / 1000) % 1_000_000) + 2_000_000;

  /** A subject handed over by the court and received by the justice bureau, through the REST gateways. */
  async function subjectUnderCorrection(): Promise<string> {
    const handover = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(++n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    expect(handover.status, JSON.stringify(handover.body)).to.equal(201);
    const ref = handover.body.entry.subjectRef;
    const received = await justice.record('SUBJECT_RECEIVED', { ref }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-15T09:00:00+08:00');
    expect(received.status).to.equal(201);
    return ref;
  }

  before(async () => {
    target = await sharedFabricTarget();
    const cases = new Map<string, number>();
    court = new Api(target, 'COURT', 'clerk', cases);
    justice = new Api(target, 'JUSTICE', 'officer', cases);
    police = new Api(target, 'POLICE', 'officer', cases);
  });
  // A before hook that failed may have left no target.
  after(() => (target as FabricTarget | undefined)?.close());

  it('refuses a release that a police identity submits straight to the chaincode', async () => {
    const ref = await subjectUnderCorrection();
    const { gateway, close } = await connectAs('POLICE');
    try {
      const contract = gateway.getNetwork('corrections').getContract('correction');
      const document = new TextEncoder().encode(canonicalJson(sampleDocument('CORRECTION_RELEASED')));
      let refused: DomainError | undefined;
      try {
        await contract.submit('RecordEvent', { arguments: [ref, 'CORRECTION_RELEASED', '2025-02-01T09:00:00+08:00', '', freshKeyHash()], transientData: { document, ...asserted('POLICE') } });
      } catch (error) {
        refused = domainErrorOf(error);
      }
      expect(refused?.code).to.equal('FORBIDDEN');
      expect(refused?.message).to.match(/POLICE may not record CORRECTION_RELEASED/);
    } finally {
      close();
    }
    await police.sees(ref, 2);
    expect((await police.get(`/v1/subjects/${ref}`)).body).to.include({ state: 'UNDER_CORRECTION', entryCount: 2 });
  });

  it('keeps a document on member peers only, while every peer holds its public hash', async () => {
    const ref = await subjectUnderCorrection();
    const proposal = await justice.record('REVOCATION_PROPOSED', { ref }, sampleDocument('REVOCATION_PROPOSED'), '2024-02-05T09:00:00+08:00');
    const { entry } = proposal.body as { entry: { id: string; docHash: string; collection: string } };
    expect(entry.collection).to.equal('judicialDocs');
    for (const agency of AGENCIES) {
      const { gateway, close } = await connectAs(agency);
      try {
        const contract = gateway.getNetwork('corrections').getContract('correction');
        // Each peer commits the block on its own time; a member missing the document pulls it then.
        let held = '';
        for (let tries = 0; !held && tries < 50; tries++) {
          held = await contract.evaluate('GetDocumentHash', { arguments: [entry.id] }).then(
            (bytes) => (decode(bytes) as { hash: string }).hash,
            async () => {
              await new Promise((resolve) => setTimeout(resolve, 200));
              return '';
            },
          );
        }
        expect(held, `${agency}'s peer holds the document hash`).to.equal(entry.docHash);
        // Every read of a document leaves an access entry: a read-only call is turned away to the recording read.
        const unrecorded = await contract.evaluate('GetDocument', { arguments: [entry.id], transientData: asserted(agency) }).then(() => undefined, domainErrorOf);
        expect(unrecorded?.code, agency).to.equal('ACCESS_MUST_BE_RECORDED');
        const recorded = contract.submit('ReadRecorded', { arguments: ['GetDocument', JSON.stringify([entry.id]), ''], transientData: asserted(agency) });
        if (agency === 'POLICE') {
          const refusal = await recorded.then(() => undefined, domainErrorOf);
          expect(refusal?.code, 'police are not in judicialDocs').to.equal('FORBIDDEN');
        } else {
          expect(decode(await recorded)).to.deep.equal(sampleDocument('REVOCATION_PROPOSED'));
        }
      } finally {
        close();
      }
    }
    expect(entry.docHash).to.equal(documentHash(sampleDocument('REVOCATION_PROPOSED')));
  });

  it('has the same height and block hashes on all four peers', async () => {
    await subjectUnderCorrection();
    const infos = async () =>
      Promise.all(
        AGENCIES.map(async (agency) => {
          const { gateway, close } = await connectAs(agency);
          try {
            const bytes = await gateway.getNetwork('corrections').getContract('qscc').evaluateTransaction('GetChainInfo', 'corrections');
            const info = common.BlockchainInfo.deserializeBinary(bytes);
            return { height: info.getHeight(), current: Buffer.from(info.getCurrentblockhash_asU8()).toString('hex'), previous: Buffer.from(info.getPreviousblockhash_asU8()).toString('hex') };
          } finally {
            close();
          }
        }),
      );
    // Peers commit the same block a few milliseconds apart: ask until they have all caught up.
    let seen = await infos();
    for (let tries = 0; tries < 20 && new Set(seen.map((i) => i.height)).size > 1; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      seen = await infos();
    }
    expect(new Set(seen.map((i) => i.height)).size, JSON.stringify(seen)).to.equal(1);
    expect(new Set(seen.map((i) => i.current)).size).to.equal(1);
    expect(new Set(seen.map((i) => i.previous)).size).to.equal(1);
    expect(seen[0]?.height).to.be.greaterThan(5);
  });

  it('reads through the official peer CLI the same status the REST API returns', async () => {
    const ref = await subjectUnderCorrection();
    await police.sees(ref, 2);
    const rest = await police.get(`/v1/subjects/${ref}`);
    // The peer CLI asserts the acting principal as a gateway does, in the transient map.
    const transient = JSON.stringify({ actor: Buffer.from(asserted('POLICE')['actor'] ?? '').toString('base64') });
    const { stdout } = await exec('bash', ['-c', `source "${NETWORK_DIR}/env.sh" POLICE >/dev/null && peer chaincode query -C corrections -n correction -c '{"Args":["GetSubjectStatus","${ref}"]}' --transient '${transient}'`]);
    expect(JSON.parse(stdout)).to.deep.equal(rest.body);
  });

  it('turns the contract\'s decisions into the same typed errors as the embedded ledger', async () => {
    const ref = await subjectUnderCorrection();
    const { gateway, close } = await connectAs('COURT');
    try {
      const contract = gateway.getNetwork('corrections').getContract('correction');
      const document = new TextEncoder().encode(canonicalJson(sampleDocument('SUBJECT_RECEIVED')));
      const refusal = await contract
        .submit('RecordEvent', { arguments: [ref, 'COMMITTED_TO_PRISON', '2024-03-01T09:00:00+08:00', '', freshKeyHash()], transientData: { document, ...asserted('COURT') } })
        .then(() => undefined, domainErrorOf);
      expect(refusal?.code).to.equal('FORBIDDEN');
    } finally {
      close();
    }
  });
});
