import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import {
  CommitError,
  connect,
  EndorseError,
  GatewayError,
  hash,
  type Contract,
  type Gateway,
  type Network,
  type Status,
  type Transaction,
} from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';
import { z } from 'zod';
import { DomainError } from 'correction-chaincode/domain';
import type { FabricEvidence } from 'correction-verifier';
import type { Config } from '../../config.js';
import { promised } from '../../promised.js';
import { retrying, sleep } from '../../retry.js';
import { nodeSigner } from './node-signer.js';
import { actorTransient, LedgerUnavailableError, OutcomeUnknownError, type Caller, type Ledger, type LedgerEvent, type SubmitResult } from '../port.js';

/** The gateway's Fabric connection settings, as `npm run network:up` writes them per agency. */
export const FabricConnection = z.object({
  mspId: z.string().min(1),
  peerEndpoint: z.string().min(1),
  peerHostAlias: z.string().min(1),
  tlsCaCertPath: z.string().min(1),
  certPath: z.string().min(1),
  keyPath: z.string().min(1),
  channel: z.string().min(1).default('corrections'),
  chaincode: z.string().min(1).default('correction'),
});
export type FabricConnection = z.infer<typeof FabricConnection>;

/** Deadlines for every call to the peer: no call waits forever. */
const DEADLINES = { evaluateMs: 5_000, endorseMs: 15_000, submitMs: 15_000 };
/** How long a submission waits for its commit, unless configured otherwise. */
const DEFAULT_COMMIT_TIMEOUT_MS = 30_000;
/** How often to ask whether a transaction whose submission broke has committed after all. */
const COMMIT_POLL_MS = 500;
/**
 * Transient conditions a resubmission cures: a read conflict at validation, or endorsers that
 * disagree because one has not yet committed the block another has. Retried with jittered backoff
 * (about five seconds in all) before the ledger counts as unavailable.
 */
const TRANSIENT_RETRY = { attempts: 8, baseMs: 50, maxMs: 2_000, jitter: 0.5 };
/** Read-set conflicts: a key (MVCC_READ_CONFLICT) or a range (PHANTOM_READ_CONFLICT) changed under the transaction. */
const READ_CONFLICTS: ReadonlySet<number> = new Set([peer.TxValidationCode.MVCC_READ_CONFLICT, peer.TxValidationCode.PHANTOM_READ_CONFLICT]);
/**
 * gRPC codes of a call that did not get through, or whose endorsements could not be collected. By
 * number: fabric-gateway's errors carry gRPC status codes as plain numbers.
 */
const NOT_TAKEN: ReadonlySet<number> = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED, grpc.status.ABORTED]);
/** An endorsement the gateway gave up collecting (mismatching payloads, an endorser's own failure). */
const ENDORSEMENT_ABORTED: number = grpc.status.ABORTED;
/** What a chaincode's error response arrives as (qscc too, for a transaction it does not hold). */
const CHAINCODE_ERROR: number = grpc.status.UNKNOWN;

type CommitStatus = Pick<Status, 'successful' | 'code' | 'transactionId' | 'blockNumber'>;

/** Why a submission was retried. */
export type TransientCause = 'read-conflict' | 'endorsement-mismatch';

export interface FabricLedgerOptions {
  /** How long a submission waits for its commit before its outcome counts as unknown. */
  readonly commitTimeoutMs?: number;
  /** Told of every transient failure retried (metrics). */
  readonly onRetry?: (cause: TransientCause) => void;
}

/**
 * The Fabric adapter of the Ledger port: the agency's own peer through the Fabric Gateway,
 * with this gateway's one Fabric identity. Transport errors become typed errors here, once.
 */
export class FabricLedger implements Ledger {
  readonly #client: grpc.Client;
  readonly #gateway: Gateway;
  readonly #contract: Contract;
  readonly #qscc: Contract;
  readonly #channel: string;
  readonly #network: Network;
  readonly #chaincode: string;
  readonly #commitTimeoutMs: number;
  readonly #onRetry: ((cause: TransientCause) => void) | undefined;

  private constructor(client: grpc.Client, gateway: Gateway, connection: FabricConnection, options: Readonly<FabricLedgerOptions>) {
    this.#client = client;
    this.#gateway = gateway;
    this.#channel = connection.channel;
    const network = gateway.getNetwork(connection.channel);
    this.#network = network;
    this.#chaincode = connection.chaincode;
    this.#contract = network.getContract(connection.chaincode);
    this.#qscc = network.getContract('qscc');
    this.#commitTimeoutMs = options.commitTimeoutMs ?? DEFAULT_COMMIT_TIMEOUT_MS;
    this.#onRetry = options.onRetry;
  }

  static async connect(config: Pick<Config, 'fabricConnection'>, options: Readonly<FabricLedgerOptions> = {}): Promise<FabricLedger> {
    if (!config.fabricConnection) throw new Error('FABRIC_CONNECTION is not set');
    const connection = FabricConnection.parse(JSON.parse(await readFile(config.fabricConnection, 'utf8')));
    return FabricLedger.open(connection, options);
  }

  static async open(connection: FabricConnection, options: Readonly<FabricLedgerOptions> = {}): Promise<FabricLedger> {
    const [tlsRootCert, certificate, keyPem] = await Promise.all([
      readFile(connection.tlsCaCertPath),
      readFile(connection.certPath),
      readFile(connection.keyPath),
    ]);
    const client = new grpc.Client(connection.peerEndpoint, grpc.credentials.createSsl(tlsRootCert), {
      'grpc.ssl_target_name_override': connection.peerHostAlias,
    });
    const gateway = connect({
      client,
      identity: { mspId: connection.mspId, credentials: certificate },
      signer: nodeSigner(createPrivateKey(keyPem)),
      hash: hash.none,
      evaluateOptions: () => ({ deadline: Date.now() + DEADLINES.evaluateMs }),
      endorseOptions: () => ({ deadline: Date.now() + DEADLINES.endorseMs }),
      submitOptions: () => ({ deadline: Date.now() + DEADLINES.submitMs }),
    });
    return new FabricLedger(client, gateway, connection, options);
  }

  /**
   * Endorses, orders and waits for the commit. Transient conditions are retried; what is left is
   * typed: DomainError (the contract refused), LedgerUnavailableError (not taken), or
   * OutcomeUnknownError (sent, and no commit seen before the deadline).
   */
  async submit(
    caller: Caller,
    fn: string,
    args: readonly string[],
    transient: Readonly<Record<string, Uint8Array>> = {},
  ): Promise<SubmitResult> {
    const all = { ...transient, ...actorTransient(caller) };
    try {
      return await retrying(() => this.#submitOnce(fn, args, all), {
        ...TRANSIENT_RETRY,
        retryable: (error) => transientCause(error) !== undefined,
        onRetry: (error) => {
          const cause = transientCause(error);
          if (cause) this.#onRetry?.(cause);
        },
      });
    } catch (error) {
      throw toLedgerError(error);
    }
  }

  async #submitOnce(fn: string, args: readonly string[], transient: Readonly<Record<string, Uint8Array>>): Promise<SubmitResult> {
    const proposal = this.#contract.newProposal(fn, { arguments: [...args], transientData: { ...transient } });
    const transaction = await proposal.endorse();
    const status = await this.#submitAndWait(transaction);
    if (!status.successful) {
      throw new CommitError({ message: `transaction ${status.transactionId} failed to commit with status code ${status.code}`, transactionId: status.transactionId, code: status.code });
    }
    return { payload: transaction.getResult(), txId: status.transactionId, blockNumber: Number(status.blockNumber) };
  }

  /**
   * Submits an endorsed transaction and waits for its commit, within one deadline. When the
   * submission or the status call breaks (an orderer down, a quorum lost, a BFT view change), the
   * transaction may still commit: ask the ledger for it until the deadline, then report the
   * outcome as unknown rather than as a failure.
   */
  async #submitAndWait(transaction: Transaction): Promise<CommitStatus> {
    const deadline = Date.now() + this.#commitTimeoutMs;
    try {
      return await (await transaction.submit()).getStatus({ deadline });
    } catch (error) {
      // SubmitError and CommitStatusError (the package exports SubmitError as a type only).
      if (!(error instanceof GatewayError) || error instanceof EndorseError) throw error;
      const txId = transaction.getTransactionId();
      for (;;) {
        const found = await this.#committedStatus(txId);
        if (found) return found;
        if (Date.now() >= deadline) break;
        await sleep(COMMIT_POLL_MS);
      }
      throw new OutcomeUnknownError(txId, `no commit of ${txId} seen within ${this.#commitTimeoutMs} ms`, { cause: error });
    }
  }

  /** The validation outcome of a committed transaction, or undefined while the ledger has none. */
  async #committedStatus(txId: string): Promise<CommitStatus | undefined> {
    try {
      const processed = peer.ProcessedTransaction.deserializeBinary(await this.#qscc.evaluateTransaction('GetTransactionByID', this.#channel, txId));
      const block = common.Block.deserializeBinary(await this.#qscc.evaluateTransaction('GetBlockByTxID', this.#channel, txId));
      const code = processed.getValidationcode() as Status['code'];
      return { successful: code === peer.TxValidationCode.VALID, code, transactionId: txId, blockNumber: BigInt(block.getHeader()?.getNumber() ?? 0) };
    } catch {
      return undefined;
    }
  }

  async evaluate(caller: Caller, fn: string, args: readonly string[]): Promise<Uint8Array> {
    try {
      return await this.#contract.evaluate(fn, { arguments: [...args], transientData: actorTransient(caller) });
    } catch (error) {
      throw toLedgerError(error);
    }
  }

  async *followEvents(fromBlock: number, signal: AbortSignal): AsyncGenerator<LedgerEvent> {
    const events = await this.#network.getChaincodeEvents(this.#chaincode, { startBlock: BigInt(fromBlock) });
    const onAbort = () => {
      events.close();
    };
    signal.addEventListener('abort', onAbort);
    try {
      for await (const event of events) {
        yield { blockNumber: Number(event.blockNumber), txId: event.transactionId, name: event.eventName, payload: event.payload };
      }
    } catch (error) {
      if (!signal.aborted) throw toLedgerError(error);
    } finally {
      signal.removeEventListener('abort', onAbort);
      events.close();
    }
  }

  /** The channel and chaincode this ledger is. */
  get names(): { readonly channel: string; readonly chaincode: string } {
    return { channel: this.#channel, chaincode: this.#chaincode };
  }

  /**
   * The channel's full blocks from `fromBlock` on, in order, as the peer delivers them to this
   * gateway's identity (block events), then new ones as they commit, until the signal aborts.
   */
  async *blocks(fromBlock: number, signal: AbortSignal): AsyncGenerator<common.Block> {
    const events = await this.#network.getBlockEvents({ startBlock: BigInt(fromBlock) });
    const onAbort = () => {
      events.close();
    };
    signal.addEventListener('abort', onAbort);
    try {
      for await (const block of events) yield block;
    } catch (error) {
      if (!signal.aborted) throw toLedgerError(error);
    } finally {
      signal.removeEventListener('abort', onAbort);
      events.close();
    }
  }

  /** The block holding a transaction, as the orderers signed it (qscc GetBlockByTxID). */
  async blockOf(txId: string): Promise<FabricEvidence> {
    try {
      const bytes = await this.#qscc.evaluateTransaction('GetBlockByTxID', this.#channel, txId);
      const block = common.Block.deserializeBinary(bytes);
      return { channel: this.#channel, blockNumber: block.getHeader()?.getNumber() ?? -1, txId, block: Buffer.from(bytes).toString('base64') };
    } catch (error) {
      throw toLedgerError(error);
    }
  }

  async blockNumberOf(txId: string): Promise<number | undefined> {
    try {
      const block = common.Block.deserializeBinary(await this.#qscc.evaluateTransaction('GetBlockByTxID', this.#channel, txId));
      return block.getHeader()?.getNumber();
    } catch (error) {
      // qscc answers a transaction it does not hold with an error response (gRPC UNKNOWN).
      if (error instanceof GatewayError && error.code === CHAINCODE_ERROR) return undefined;
      throw toLedgerError(error);
    }
  }

  async height(): Promise<number> {
    try {
      const bytes = await this.#qscc.evaluateTransaction('GetChainInfo', this.#channel);
      return common.BlockchainInfo.deserializeBinary(bytes).getHeight();
    } catch (error) {
      throw toLedgerError(error);
    }
  }

  async ready(): Promise<boolean> {
    try {
      await this.#contract.evaluateTransaction('Ping');
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return promised(() => {
      this.#gateway.close();
      this.#client.close();
    });
  }
}

/** The domain error a contract refusal carries in its wire form, in the message or an endorser's details. */
function domainErrorOf(error: unknown): DomainError | undefined {
  if (!(error instanceof GatewayError)) return undefined;
  for (const message of [error.message, ...error.details.map((d) => d.message)]) {
    const domain = DomainError.fromWire(message);
    if (domain) return domain;
  }
  return undefined;
}

/**
 * A failure that resubmitting cures: a read conflict at validation, or an endorsement aborted
 * without a decision of the contract (ProposalResponsePayloads do not match when one endorser
 * has not yet committed what another has). Classified by type and gRPC code, never by message.
 */
function transientCause(error: unknown): TransientCause | undefined {
  if (error instanceof CommitError) return READ_CONFLICTS.has(error.code) ? 'read-conflict' : undefined;
  if (error instanceof EndorseError && error.code === ENDORSEMENT_ABORTED && !domainErrorOf(error)) return 'endorsement-mismatch';
  return undefined;
}

/**
 * Fabric's errors as the port's: the contract's decisions (403, 404, 409 …) travel inside
 * endorsement errors as the domain error's wire form and come back out as the same DomainError
 * the embedded ledger raises; a transaction invalidated, or a call that did not get through, is
 * a ledger that did not take it.
 */
export function toLedgerError(error: unknown): Error {
  if (error instanceof DomainError || error instanceof LedgerUnavailableError || error instanceof OutcomeUnknownError) return error;
  const domain = domainErrorOf(error);
  if (domain) return domain;
  if (error instanceof CommitError) {
    return new LedgerUnavailableError(`transaction ${error.transactionId} was invalidated (validation code ${error.code})`, { cause: error });
  }
  if (error instanceof GatewayError && NOT_TAKEN.has(error.code)) {
    return new LedgerUnavailableError(`peer unavailable (gRPC ${error.code})`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
