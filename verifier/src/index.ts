/** Offline verification of correction-ledger evidence. No gateway, no database: keys in, verdict out. */
export * from './checkpoint.js';
export * from './entry.js';
export * from './evidence.js';
export * from './merkle.js';
export * from './trust.js';
