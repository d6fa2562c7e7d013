import { sharedFabricTarget } from './shared.js';
import { scenarioSuite } from '../http/scenario.suite.js';

describe('HTTP scenarios on the Fabric network, one gateway per agency', function () {
  this.timeout(60_000);
  // Subjects of earlier runs stay on the chain: each run and each test file takes its own range of
  // ID numbers (residentId is one-to-one below 20,000,000; files are 2,000,000 apart).
  scenarioSuite(() => sharedFabricTarget(), Math.floor(Date.now() / 1000) % 1_000_000);
});
