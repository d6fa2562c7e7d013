import type { FabricNetwork } from './fabric-network.js';
import type { GatewayLauncher } from './gateways.js';

/** One line of a drill's verdict: what was measured, what came out, what the project requires. */
export interface Measurement {
  readonly what: string;
  readonly result: string;
  readonly target: string;
  readonly pass: boolean;
}

/** What a drill hands back: its verdict lines, and any figures worth keeping in the JSON report. */
export interface DrillOutcome {
  readonly measurements: readonly Measurement[];
  readonly figures?: Readonly<Record<string, unknown>>;
}

/** What the runner gives a drill. */
export interface DrillContext {
  /** Starts real gateways, each in a process of its own with its own data. */
  readonly gateways: GatewayLauncher;
  /** The running Fabric network, for `npm run drills:fabric`: its nodes, and its agencies' gateways. */
  readonly network?: FabricNetwork;
  /** The CI subset: the same checks, smaller numbers. */
  readonly fast: boolean;
  /** Prints a line of the drill's own figures as it goes. */
  readonly log: (line: string) => void;
}

/**
 * An attack or a fault, run against real gateways, with targets it must meet. A drill starts the
 * gateways it needs through the context and stops them before it returns, also when it fails.
 */
export interface Drill {
  /** Short name, used by --only. */
  readonly name: string;
  /** One line: what the drill does to the gateway. */
  readonly summary: string;
  run(context: DrillContext): Promise<DrillOutcome>;
}

/** A measurement that passes when `pass` holds. */
export const measured = (what: string, result: string | number, target: string, pass: boolean): Measurement => ({
  what,
  result: typeof result === 'number' ? result.toLocaleString('en-US') : result,
  target,
  pass,
});
