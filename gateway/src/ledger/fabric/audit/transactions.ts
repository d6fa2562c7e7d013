import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { chaincodeActionOf, envelopeOf } from 'correction-verifier/fabric-block';

/** A value a transaction wrote to one of the chaincode's composite keys. */
export interface KeyWrite {
  readonly objectType: string;
  readonly attributes: readonly string[];
  /** The bytes written; undefined for a delete. */
  readonly value: Uint8Array | undefined;
}

/** A valid transaction of the chaincode: what it wrote, and the one event it set. */
export interface ChaincodeTransaction {
  readonly txId: string;
  readonly position: number;
  readonly writes: readonly KeyWrite[];
  readonly event: { readonly name: string; readonly payload: Uint8Array } | undefined;
}

const COMPOSITE = '\u0000';

/**
 * The transactions of a block that the peer marked valid (the transactions filter in the block's
 * metadata) and that ran the chaincode, with the writes of its namespace and its event.
 */
export function chaincodeTransactions(block: common.Block, chaincode: string): ChaincodeTransaction[] {
  const data = block.getData()?.getDataList_asU8() ?? [];
  const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
  const found: ChaincodeTransaction[] = [];
  data.forEach((envelopeBytes, position) => {
    if (filter?.[position] !== peer.TxValidationCode.VALID) return;
    const envelope = envelopeOf(envelopeBytes);
    if (envelope?.channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return;
    const action = chaincodeActionOf(envelope.payload);
    if (action?.getChaincodeId()?.getName() !== chaincode) return;
    found.push({ txId: envelope.channelHeader.getTxId(), position, writes: writesOf(action, chaincode), event: eventOf(action) });
  });
  return found;
}

function writesOf(action: peer.ChaincodeAction, chaincode: string): KeyWrite[] {
  const writes: KeyWrite[] = [];
  const rwset = ledger.rwset.TxReadWriteSet.deserializeBinary(action.getResults_asU8());
  for (const ns of rwset.getNsRwsetList()) {
    if (ns.getNamespace() !== chaincode) continue;
    for (const write of ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8()).getWritesList()) {
      const key = write.getKey();
      if (!key.startsWith(COMPOSITE)) continue;
      const [objectType = '', ...attributes] = key.slice(1, -1).split(COMPOSITE);
      writes.push({ objectType, attributes, value: write.getIsDelete() ? undefined : write.getValue_asU8() });
    }
  }
  return writes;
}

function eventOf(action: peer.ChaincodeAction): ChaincodeTransaction['event'] {
  const bytes = action.getEvents_asU8();
  if (bytes.length === 0) return undefined;
  const event = peer.ChaincodeEvent.deserializeBinary(bytes);
  return event.getEventName() ? { name: event.getEventName(), payload: event.getPayload_asU8() } : undefined;
}
