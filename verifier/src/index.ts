/**
 * Offline verification of correction-ledger evidence. No gateway, no database, no Node built-ins:
 * keys in, verdict out, in Node or a browser. The Fabric block check is apart, in `./fabric`.
 */
export * from './bytes.js';
export * from './checkpoint.js';
export * from './entry.js';
export * from './evidence.js';
export * from './merkle.js';
export * from './note.js';
export * from './receipt.js';
export * from './trust.js';
