import type { Drill } from './drill.js';
import { faultUnderLoad } from './fabric-fault.js';

/** The justice bureau's own peer: its gateway endorses through it and waits there for commits. */
export const peerKill: Drill = {
  name: 'peer-kill',
  summary: "keyed writers on Fabric; the writing agency's peer is killed (-9) mid-load and brought back: none lost, none twice, all peers agree on the heads",
  run: (context) => faultUnderLoad({ what: "the writers' peer", pick: () => Promise.resolve('peer-justice') }, context),
};
