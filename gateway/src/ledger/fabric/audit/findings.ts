import type { AuditProblem } from '../../../services/correction-service.js';

/** The checks of a whole-channel audit, in the order they are reported. */
export const CHANNEL_CHECKS = ['block headers', 'orderer signatures', 'subject chains', 'world state', 'Merkle log'] as const;
export type ChannelCheck = (typeof CHANNEL_CHECKS)[number];

/** Most problems a report lists; every one is still counted against its check. */
export const MAX_LISTED_PROBLEMS = 1_000;

/** A problem of a channel audit, naming its block and transaction where it has them. */
export type ChannelProblem = AuditProblem;

/** How one check stands: failures counted, and the first one, naming its block and transaction. */
export interface CheckTally {
  failures: number;
  first?: ChannelProblem;
}

/** What the audit has found so far: kept in its checkpoint, so that a resumed audit reports it too. */
export interface Findings {
  readonly tallies: Record<ChannelCheck, CheckTally>;
  readonly problems: ChannelProblem[];
}

export function noFindings(): Findings {
  const tallies = Object.fromEntries(CHANNEL_CHECKS.map((check) => [check, { failures: 0 }])) as Record<ChannelCheck, CheckTally>;
  return { tallies, problems: [] };
}

/** Counts a problem against its check; the first of each check is kept apart, and the list is bounded. */
export function addProblem(findings: Findings, check: ChannelCheck, problem: ChannelProblem): void {
  const tally = findings.tallies[check];
  tally.failures++;
  tally.first ??= problem;
  if (findings.problems.length < MAX_LISTED_PROBLEMS) findings.problems.push(problem);
}
