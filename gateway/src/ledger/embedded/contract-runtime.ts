import type { Agency } from 'correction-chaincode/domain';
import { DomainError } from 'correction-chaincode/domain';
import { EmbeddedClientIdentity, type EmbeddedStub } from './stub.js';

/** The identity a transaction runs as: an agency's, bounded to some units or not (the certificate attribute on Fabric). */
export interface EmbeddedIdentity {
  readonly agency: Agency;
  /** Comma-separated unit prefixes the identity may act for; null for any unit of its agency. */
  readonly units: string | null;
}

/** Runs a transaction function of the real contract against a stub, as the chaincode shim does. */
export interface ContractRuntime {
  invoke(stub: EmbeddedStub, identity: EmbeddedIdentity, fn: string, args: readonly string[]): Promise<string>;
}

export class UnknownTransactionError extends Error {
  override readonly name = 'UnknownTransactionError';
}

interface ContractInstance {
  createContext(): { stub: unknown; clientIdentity: unknown };
  beforeTransaction(ctx: unknown): Promise<void>;
  afterTransaction(ctx: unknown, result: unknown): Promise<void>;
  [fn: string]: unknown;
}

/**
 * Loads the contract the chaincode package exports. Loaded lazily so that the contract API's
 * start-up logging can be quietened first; the chaincode itself is not changed in any way.
 */
export async function loadContract(): Promise<ContractRuntime> {
  process.env['CORE_CHAINCODE_LOGGING_LEVEL'] ??= 'warning';
  const { contracts } = await withoutProcessHandlers(() => import('correction-chaincode'));
  const [ContractClass] = contracts;
  if (!ContractClass) throw new Error('the chaincode package exports no contract');
  const contract = new ContractClass() as unknown as ContractInstance;
  const declared = transactionNames(ContractClass.prototype);
  return {
    async invoke(stub, identity, fn, args) {
      if (!declared.has(fn)) throw new UnknownTransactionError(`no transaction ${fn} in the contract`);
      const ctx = contract.createContext();
      ctx.stub = stub;
      ctx.clientIdentity = new EmbeddedClientIdentity(identity.agency, identity.units);
      try {
        await contract.beforeTransaction(ctx);
        const method = contract[fn] as (ctx: unknown, ...args: string[]) => Promise<unknown>;
        const result = await method.call(contract, ctx, ...args);
        await contract.afterTransaction(ctx, result);
        return typeof result === 'string' ? result : JSON.stringify(result ?? '');
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw DomainError.fromWire(message) ?? error;
      }
    },
  };
}

/**
 * The contract API's logger installs process-wide uncaughtException and unhandledRejection
 * handlers that log and carry on. Inside a chaincode process that is its business; inside the
 * gateway a crash must stay a crash, so handlers added while loading are removed again.
 */
async function withoutProcessHandlers<T>(load: () => Promise<T>): Promise<T> {
  const events: string[] = ['uncaughtException', 'unhandledRejection'];
  const emitter = process as unknown as NodeJS.EventEmitter;
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  try {
    return await load();
  } finally {
    for (const event of events) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
}

function transactionNames(prototype: object): Set<string> {
  const meta = Reflect.getMetadata('fabric:transactions', prototype) as Array<{ name: string }> | undefined;
  return new Set((meta ?? []).map((t) => t.name));
}
