import { sharedFabricTarget } from './shared.js';
import { scenarioSuite } from '../http/scenario.suite.js';

describe('HTTP scenarios on the Fabric network, one gateway per agency', function () {
  this.timeout(60_000);
  // Subjects of earlier runs stay on the chain: start from a fresh range of ID numbers.
  scenarioSuite(() => sharedFabricTarget(), Math.floor(Date.now() / 1000) % 5_000_000);
});
