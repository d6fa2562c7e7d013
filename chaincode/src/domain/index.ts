/** The law of community corrections as data and pure functions: no Fabric, express or LevelDB. */
export * from './agencies.js';
export * from './catalog.js';
export * from './chain-audit.js';
export * from './checkpoint.js';
export * from './deadlines.js';
export * from './documents.js';
export * from './entry.js';
export * from './entry-canonical.js';
export * from './events.js';
export * from './errors.js';
export * from './hashing.js';
export * from './idempotency.js';
export * from './identity.js';
export * from './lifecycle.js';
export * from './obligations.js';
export * from './record.js';
export * from './status.js';
