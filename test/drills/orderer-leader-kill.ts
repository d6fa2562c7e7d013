import type { Drill } from './drill.js';
import { faultUnderLoad } from './fabric-fault.js';
import { until } from './fabric-network.js';

/** The BFT leader: the other three must notice (a complain timeout), elect another and go on. */
export const ordererLeaderKill: Drill = {
  name: 'orderer-leader-kill',
  summary: 'keyed writers on Fabric; the BFT leader orderer is killed (-9) mid-load and brought back: none lost, none twice, all peers agree on the heads',
  run: (context) =>
    faultUnderLoad(
      {
        what: 'the BFT leader orderer',
        pick: (network) => network.bftLeader(),
        async aftermath(network, killed) {
          // The orderers agree on one leader again once the restarted one has caught up.
          let leader = '';
          await until('the orderers to agree on a leader', async () => (leader = await network.bftLeader()) !== '', 60_000, 500);
          return leader === killed ? `${killed} leads again` : `${leader} leads now`;
        },
      },
      context,
    ),
};
