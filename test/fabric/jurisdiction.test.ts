import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AGENCIES, subjectRefFor, type Agency } from 'correction-chaincode/domain';
import { FabricConnection, FabricLedger } from '../../gateway/src/ledger/fabric/fabric-ledger.js';
import { CorrectionClient } from '../../gateway/src/services/correction-client.js';
import { NETWORK_DIR } from '../support/fabric-target.js';
import { residentId } from '../support/ids.js';
import { runJurisdictionTable, tableSubjects } from '../support/jurisdiction-table.js';

const KEY = Buffer.alloc(32, 9);

/**
 * Each agency's user identity straight to the chaincode, the REST gateway bypassed: the acting
 * principal is whatever the caller asserts in the transient map, as a gateway of its own could.
 * All four identities talk to one peer, so that a read never runs on a peer a block behind the
 * write before it; endorsement still gathers the other agencies' peers.
 */
async function rawClients(): Promise<{ clientOf: (agency: Agency) => CorrectionClient; close: () => Promise<void> }> {
  const settingsOf = async (agency: Agency) =>
    JSON.parse(await readFile(join(NETWORK_DIR, 'gateways', `${agency}.json`), 'utf8')) as FabricConnection & { users: Array<{ name: string; certPath: string; keyPath: string }> };
  const peer = await settingsOf('PROCURATORATE');
  const ledgers = new Map<Agency, FabricLedger>();
  for (const agency of AGENCIES) {
    const settings = await settingsOf(agency);
    const user = settings.users.find((u) => u.name === 'User1');
    if (!user) throw new Error(`no User1 for ${agency}`);
    const connection = FabricConnection.parse({
      ...settings, peerEndpoint: peer.peerEndpoint, peerHostAlias: peer.peerHostAlias, tlsCaCertPath: peer.tlsCaCertPath, certPath: user.certPath, keyPath: user.keyPath,
    });
    ledgers.set(agency, await FabricLedger.open(connection));
  }
  const clients = new Map([...ledgers].map(([agency, ledger]) => [agency, new CorrectionClient(ledger)]));
  return {
    clientOf: (agency) => {
      const client = clients.get(agency);
      if (!client) throw new Error(`no client for ${agency}`);
      return client;
    },
    close: async () => {
      for (const ledger of ledgers.values()) await ledger.close();
    },
  };
}

describe('jurisdictions and sealed records, decided by the chain with the gateway bypassed', function () {
  this.timeout(600_000);
  const n = (Math.floor(Date.now() / 1000) % 1_000_000) + 12_000_000;

  it('L8, L9, L54, L61, SPCI581: refuses and allows each row of the table as the embedded ledger does, and keeps the sealed subject\'s trail on the chain', async () => {
    const { clientOf, close } = await rawClients();
    try {
      const refs = { chaoyang: subjectRefFor(KEY, residentId(n)), sealed: subjectRefFor(KEY, residentId(n + 1)) };
      await tableSubjects(clientOf, refs);
      await runJurisdictionTable(clientOf, refs);
    } finally {
      await close();
    }
  });
});
