#!/usr/bin/env node
// Proves that the settings files written by scripts/network-up.sh work with
// @hyperledger/fabric-gateway: submits baseline Put as one agency's `gateway`
// identity through that agency's peer, reads it back through another agency's
// peer, and evaluates the correction contract's Ping.
//
//   node scripts/fabric-smoke.mjs [WRITER=COURT] [READER=POLICE]
// Env: NETWORK_DIR (default <project>/.network); SMOKE_WAIT_SECONDS (default 0):
// keep retrying while the network is still settling (e.g. service discovery
// not yet aware of every peer right after a start).
import { readFile } from 'node:fs/promises';
import { createPrivateKey } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers } from '@hyperledger/fabric-gateway';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const networkDir = path.resolve(process.env.NETWORK_DIR ?? path.join(root, '.network'));
const [writer = 'COURT', reader = 'POLICE'] = process.argv.slice(2);

async function open(agency) {
  const s = JSON.parse(await readFile(path.join(networkDir, 'gateways', `${agency}.json`), 'utf8'));
  const client = new grpc.Client(
    s.peerEndpoint,
    grpc.credentials.createSsl(await readFile(s.tlsCaCertPath)),
    // The peer's TLS certificate names 127.0.0.1 too, so this override is optional.
    { 'grpc.ssl_target_name_override': s.peerHostAlias },
  );
  const gateway = connect({
    client,
    identity: { mspId: s.mspId, credentials: await readFile(s.certPath) },
    signer: signers.newPrivateKeySigner(createPrivateKey(await readFile(s.keyPath))),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 5_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 15_000 }),
    submitOptions: () => ({ deadline: Date.now() + 5_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  return { settings: s, client, gateway, network: gateway.getNetwork(s.channel) };
}

const utf8 = (bytes) => Buffer.from(bytes).toString('utf8');
const waitUntil = Date.now() + Number(process.env.SMOKE_WAIT_SECONDS ?? 0) * 1000;
async function patiently(what, fn) {
  for (;;) {
    try { return await fn(); } catch (e) {
      if (Date.now() >= waitUntil) throw e;
      console.log(`${what}: ${e.message.split('\n')[0]} (retrying)`);
      await new Promise((res) => setTimeout(res, 1000));
    }
  }
}
const w = await open(writer);
const r = await open(reader);
try {
  const key = `smoke-${Date.now()}`;
  const value = `written by ${writer} at ${new Date().toISOString()}`;
  const started = Date.now();
  const submitted = await patiently(`${writer} Put`, () =>
    w.network.getContract('baseline').submitAsync('Put', { arguments: [key, value] }));
  const status = await submitted.getStatus();
  if (!status.successful) throw new Error(`Put ${submitted.getTransactionId()} failed: code ${status.code}`);
  console.log(`${writer}: Put(${key}) committed in block ${status.blockNumber} (tx ${submitted.getTransactionId()}, ${Date.now() - started} ms)`);

  let read;
  for (let i = 0; i < 20; i++) { // the reader's peer may get the block a moment later
    try { read = utf8(await r.network.getContract('baseline').evaluateTransaction('Get', key)); break; }
    catch (e) { if (i === 19) throw e; await new Promise((res) => setTimeout(res, 250)); }
  }
  if (read !== value) throw new Error(`${reader} read '${read}', expected '${value}'`);
  console.log(`${reader}: Get(${key}) = '${read}'`);

  const ping = utf8(await patiently(`${reader} Ping`, () =>
    r.network.getContract(r.settings.chaincode).evaluateTransaction('Ping')));
  console.log(`${reader}: ${r.settings.chaincode} Ping = ${ping}`);
  console.log('fabric smoke test passed');
} finally {
  for (const x of [w, r]) { x.gateway.close(); x.client.close(); }
}
