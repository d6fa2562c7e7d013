import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import {
  CommitError,
  connect,
  EndorseError,
  GatewayError,
  hash,
  signers,
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
import { LedgerUnavailableError, type Caller, type Ledger, type LedgerEvent, type SubmitResult } from '../port.js';

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
const DEADLINES = { evaluateMs: 5_000, endorseMs: 15_000, submitMs: 15_000, commitStatusMs: 60_000 };
/** How often to ask whether a transaction whose submission broke has committed after all. */
const COMMIT_POLL_MS = 500;
/** Read conflicts are the one failure a resubmission can cure; retries back off with jitter. */
const MVCC_RETRIES = 5;
const MVCC_BACKOFF_MS = 40;
/** Read-set conflicts: a key (MVCC_READ_CONFLICT) or a range (PHANTOM_READ_CONFLICT) changed under the transaction. */
const READ_CONFLICTS: ReadonlySet<number> = new Set([peer.TxValidationCode.MVCC_READ_CONFLICT, peer.TxValidationCode.PHANTOM_READ_CONFLICT]);

/** By number: fabric-gateway's errors carry grpc status codes under an enum of their own. */
const GRPC_UNAVAILABLE: ReadonlySet<number> = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED]);

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

  private constructor(client: grpc.Client, gateway: Gateway, connection: FabricConnection) {
    this.#client = client;
    this.#gateway = gateway;
    this.#channel = connection.channel;
    const network = gateway.getNetwork(connection.channel);
    this.#network = network;
    this.#chaincode = connection.chaincode;
    this.#contract = network.getContract(connection.chaincode);
    this.#qscc = network.getContract('qscc');
  }

  static async connect(config: Pick<Config, 'fabricConnection'>): Promise<FabricLedger> {
    if (!config.fabricConnection) throw new Error('FABRIC_CONNECTION is not set');
    const connection = FabricConnection.parse(JSON.parse(await readFile(config.fabricConnection, 'utf8')));
    return FabricLedger.open(connection);
  }

  static async open(connection: FabricConnection): Promise<FabricLedger> {
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
      signer: signers.newPrivateKeySigner(createPrivateKey(keyPem)),
      hash: hash.sha256,
      evaluateOptions: () => ({ deadline: Date.now() + DEADLINES.evaluateMs }),
      endorseOptions: () => ({ deadline: Date.now() + DEADLINES.endorseMs }),
      submitOptions: () => ({ deadline: Date.now() + DEADLINES.submitMs }),
      commitStatusOptions: () => ({ deadline: Date.now() + DEADLINES.commitStatusMs }),
    });
    return new FabricLedger(client, gateway, connection);
  }

  async submit(
    _caller: Caller,
    fn: string,
    args: readonly string[],
    transient: Readonly<Record<string, Uint8Array>> = {},
  ): Promise<SubmitResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        const proposal = this.#contract.newProposal(fn, { arguments: [...args], transientData: { ...transient } });
        const transaction = await proposal.endorse();
        const status = await this.#submitAndWait(transaction);
        if (!status.successful) {
          throw new CommitError({ message: `transaction ${status.transactionId} failed to commit with status code ${status.code}`, transactionId: status.transactionId, code: status.code });
        }
        return { payload: transaction.getResult(), txId: status.transactionId, blockNumber: Number(status.blockNumber) };
      } catch (error) {
        if (error instanceof CommitError && READ_CONFLICTS.has(error.code) && attempt < MVCC_RETRIES) {
          await new Promise((resolve) => setTimeout(resolve, MVCC_BACKOFF_MS * attempt * (1 + Math.random())));
          continue;
        }
        throw toLedgerError(error);
      }
    }
  }

  /**
   * Submits an endorsed transaction and waits for its commit. When the submission or the status
   * call breaks (an orderer down, a BFT view change, "request already processed"), the
   * transaction may still have committed: ask the ledger for it until the commit deadline, so
   * that a recorded event is never reported as a failure.
   */
  async #submitAndWait(transaction: Transaction): Promise<Pick<Status, 'successful' | 'code' | 'transactionId' | 'blockNumber'>> {
    try {
      return await (await transaction.submit()).getStatus();
    } catch (error) {
      // SubmitError and CommitStatusError (the package exports SubmitError as a type only).
      if (!(error instanceof GatewayError) || error instanceof EndorseError) throw error;
      const txId = transaction.getTransactionId();
      const deadline = Date.now() + DEADLINES.commitStatusMs;
      while (Date.now() < deadline) {
        const found = await this.#committedStatus(txId);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, COMMIT_POLL_MS));
      }
      throw error;
    }
  }

  /** The validation outcome of a committed transaction, or undefined while the ledger has none. */
  async #committedStatus(txId: string): Promise<Pick<Status, 'successful' | 'code' | 'transactionId' | 'blockNumber'> | undefined> {
    try {
      const processed = peer.ProcessedTransaction.deserializeBinary(await this.#qscc.evaluateTransaction('GetTransactionByID', this.#channel, txId));
      const block = common.Block.deserializeBinary(await this.#qscc.evaluateTransaction('GetBlockByTxID', this.#channel, txId));
      const code = processed.getValidationcode() as Status['code'];
      return { successful: code === peer.TxValidationCode.VALID, code, transactionId: txId, blockNumber: BigInt(block.getHeader()?.getNumber() ?? 0) };
    } catch {
      return undefined;
    }
  }

  async evaluate(_caller: Caller, fn: string, args: readonly string[]): Promise<Uint8Array> {
    try {
      return await this.#contract.evaluate(fn, { arguments: [...args] });
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

/**
 * The contract's decisions (403, 404, 409 …) travel inside endorsement errors as the domain error's
 * wire form; they come back out as the same DomainError the embedded ledger raises.
 */
export function toLedgerError(error: unknown): Error {
  if (error instanceof GatewayError) {
    const messages = [error.message, ...error.details.map((d) => d.message)];
    for (const message of messages) {
      const domain = DomainError.fromWire(message);
      if (domain) return domain;
    }
    if (GRPC_UNAVAILABLE.has(error.code) && !(error instanceof EndorseError && error.details.length > 0)) {
      return new LedgerUnavailableError(`peer unavailable (gRPC ${error.code})`, { cause: error });
    }
  }
  return error instanceof Error ? error : new Error(String(error));
}
