'use strict';
// Baseline chaincode: the least a Fabric transaction can do (write one key),
// so that benchmarks can tell Fabric's own cost from the correction contract's.
// Deployed as chaincode `baseline` (chaincode as a service) by scripts/network-up.sh.
// Its dependencies resolve from the project's root node_modules.
const { Contract } = require('fabric-contract-api');

class BaselineContract extends Contract {
  constructor() {
    super('baseline');
  }

  /** Writes `value` under `key`; returns what was written. */
  async Put(ctx, key, value) {
    if (!key) {
      throw new Error('key must not be empty');
    }
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    return JSON.stringify({ key, value, txId: ctx.stub.getTxID() });
  }

  /** Returns the value stored under `key`; fails when there is none. */
  async Get(ctx, key) {
    const value = await ctx.stub.getState(key);
    if (!value || value.length === 0) {
      throw new Error(`no value for key ${key}`);
    }
    return value.toString('utf8');
  }

  /** Evaluate-only liveness check, like the correction contract's Ping. */
  async Ping() {
    return JSON.stringify({ ok: true });
  }
}

module.exports.BaselineContract = BaselineContract;
module.exports.contracts = [BaselineContract];
