import { badInput } from './bad-input.js';
import { concurrentWriters } from './concurrent-writers.js';
import type { Drill } from './drill.js';
import { flood } from './flood.js';
import { forgedTokens } from './forged-tokens.js';
import { killUnderLoad } from './kill-under-load.js';
import { outboxDrain } from './outbox-drain.js';
import { soak } from './soak.js';
import { ssrfTargets } from './ssrf-targets.js';

/** Every drill, in the order the runner runs them. A new drill is a file of its own and one line here. */
export const DRILLS: readonly Drill[] = [
  concurrentWriters,
  badInput,
  forgedTokens,
  flood,
  killUnderLoad,
  outboxDrain,
  ssrfTargets,
  soak,
];
