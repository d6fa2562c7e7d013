/** Names of the contract's chaincode events: one per committed transaction that writes. */
export const ENTRY_EVENT = 'EntryRecorded';
/** An agency's cosignature of the Merkle log was anchored. */
export const CHECKPOINT_EVENT = 'CheckpointAnchored';
/** An agency cosigned a root that differs from another agency's for the same size: an alert. */
export const CHECKPOINT_CONFLICT_EVENT = 'CheckpointConflict';
