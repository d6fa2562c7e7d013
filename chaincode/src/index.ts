import { CorrectionContract } from './contract.js';

export {
  CHECKPOINT_CONFLICT_EVENT,
  CHECKPOINT_EVENT,
  CorrectionContract,
  ENTRY_EVENT,
  TRANSIENT_DOCUMENT,
  type RecordReply,
  type VerifyResult,
} from './contract.js';
export * from './domain/index.js';

/** What fabric-chaincode-node loads: the first contract is the default one. */
export const contracts = [CorrectionContract];
