import type { Drill } from './drill.js';
import { ordererLeaderKill } from './orderer-leader-kill.js';
import { peerKill } from './peer-kill.js';

/** The drills of `npm run drills:fabric`, in the order they run. A new one is a file of its own and one line here. */
export const FABRIC_DRILLS: readonly Drill[] = [
  peerKill,
  ordererLeaderKill,
];
