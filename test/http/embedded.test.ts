import { embeddedTarget } from '../support/target.js';
import { scenarioSuite } from './scenario.suite.js';

describe('HTTP scenarios on the embedded ledger', () => {
  scenarioSuite(() => embeddedTarget());
});
