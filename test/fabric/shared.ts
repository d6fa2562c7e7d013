import { fabricTarget, type FabricTarget } from '../support/fabric-target.js';

let shared: Promise<FabricTarget> | undefined;

/**
 * The four gateways every Fabric test file uses: started once, so each gateway reads the chain
 * into its log once, and closed by the root hook after the last file.
 */
export function sharedFabricTarget(): Promise<FabricTarget> {
  shared ??= fabricTarget();
  return shared.then((target) => ({ ...target, close: async () => {} }));
}

export const mochaHooks = {
  async afterAll(): Promise<void> {
    if (shared) await (await shared).close();
  },
};
