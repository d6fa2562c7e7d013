import type { AuditCheckResult, AuditReport } from '../../../services/correction-service.js';
import type { AuditCheckpoint } from './audit-store.js';
import { describePolicy } from './block-policy.js';
import { CHANNEL_CHECKS, type ChannelCheck } from './findings.js';

/** A channel audit's report: the ledger report, with a verdict per check naming its first failure. */
export type ChannelAuditReport = AuditReport & Required<Pick<AuditReport, 'checks' | 'complete' | 'resumedFromBlock' | 'genesisHash'>>;

interface RunFacts {
  readonly complete: boolean;
  readonly resumedFromBlock: number;
  readonly logSize: number | undefined;
}

/** What each check covered, for a person. */
function detailOf(check: ChannelCheck, checkpoint: AuditCheckpoint, run: RunFacts): string {
  const blocks = checkpoint.nextBlock;
  switch (check) {
    case 'block headers':
      return `${blocks} blocks: numbers in sequence, each previous_hash the SHA-256 of the previous header (DER), each data_hash over the block's envelopes`;
    case 'orderer signatures':
      return `${Math.max(blocks - 1, 0)} blocks after the genesis block (${checkpoint.genesisHash.slice(0, 16)}…), each signed as the configuration in force requires` +
        (checkpoint.policy ? ` (now ${describePolicy(checkpoint.policy)}), by certificates of the orderer orgs' CAs` : '');
    case 'subject chains':
      return `${checkpoint.entries} entries of ${checkpoint.subjects} subjects in ${checkpoint.transactions} valid transactions: hashes recomputed, prevHash links and positions`;
    case 'world state':
      return run.complete ? 'every entry and subject status in the peer\'s world state against what the last transaction writing it wrote, and back' : 'not finished';
    case 'Merkle log':
      return logDetail(checkpoint, run);
  }
}

function logDetail(checkpoint: AuditCheckpoint, run: RunFacts): string {
  const { leaves, compared, ended } = checkpoint.log;
  if (run.logSize === undefined) return 'no log to compare';
  const behind = ended ? `; the log ends there (it holds ${run.logSize} leaves: its gateway is behind the blocks)` : '';
  return `${compared} of ${leaves} leaves the blocks make compared with the log, and its root at size ${compared} recomputed${behind}`;
}

export function channelReport(checkpoint: AuditCheckpoint, run: RunFacts): ChannelAuditReport {
  const { findings } = checkpoint;
  const checks: AuditCheckResult[] = CHANNEL_CHECKS.map((name) => {
    const tally = findings.tallies[name];
    return {
      name,
      status: tally.failures > 0 ? 'FAIL' : 'PASS',
      failures: tally.failures,
      detail: detailOf(name, checkpoint, run),
      ...(tally.first ? { firstFailure: tally.first } : {}),
    };
  });
  return {
    ok: run.complete && checks.every((c) => c.status === 'PASS'),
    scope: 'ledger',
    blocks: checkpoint.nextBlock,
    subjects: checkpoint.subjects,
    entries: checkpoint.entries,
    problems: findings.problems,
    checks,
    complete: run.complete,
    resumedFromBlock: run.resumedFromBlock,
    genesisHash: checkpoint.genesisHash,
  };
}
