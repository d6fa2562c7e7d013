import type { JWK } from 'jose';

export const AGENCY_CODES = ['COURT', 'PROCURATORATE', 'POLICE', 'JUSTICE'] as const;
export type AgencyCode = (typeof AGENCY_CODES)[number];

/**
 * What a verifier trusts, published by the consortium: each agency's gateway keys (they sign
 * receipts and checkpoints), and on Fabric the channel's MSP root certificates.
 */
export interface TrustFile {
  readonly consortium: string;
  readonly agencies: Readonly<Record<AgencyCode, { readonly gatewayKeys: readonly JWK[] }>>;
  /** Agencies whose cosignatures make a checkpoint final (3 of the 4). */
  readonly checkpointQuorum: number;
  readonly fabric?: FabricTrust;
}

/** The channel's ordering service as the consortium configured it. */
export interface FabricTrust {
  readonly channel: string;
  /** MSP ID → PEM root certificates of that org's CA. */
  readonly mspRoots: Readonly<Record<string, readonly string[]>>;
  /** BFT consenters by numeric id (blocks name their signers by id), with their signing certificates. */
  readonly consenters: ReadonlyArray<{ readonly id: number; readonly mspId: string; readonly identity: string }>;
  /** Distinct orderer signatures a block needs (BFT with four orderers: 3). */
  readonly blockSignatures: number;
}
