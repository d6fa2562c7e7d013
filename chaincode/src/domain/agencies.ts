/** The four agencies of the consortium, one Fabric org each. */
export const AGENCIES = ['COURT', 'PROCURATORATE', 'POLICE', 'JUSTICE'] as const;
export type Agency = (typeof AGENCIES)[number];

/** Fixed MSP ID of each agency's org. The caller's agency is derived from this, never from an argument. */
export const MSP_OF_AGENCY: Readonly<Record<Agency, string>> = {
  COURT: 'CourtMSP',
  PROCURATORATE: 'ProcuratorateMSP',
  POLICE: 'PoliceMSP',
  JUSTICE: 'JusticeMSP',
};

const AGENCY_OF_MSP: ReadonlyMap<string, Agency> = new Map(
  AGENCIES.map((agency) => [MSP_OF_AGENCY[agency], agency] as const),
);

/** The agency behind an MSP ID, or undefined for an org outside the consortium. */
export function agencyOfMsp(mspId: string): Agency | undefined {
  return AGENCY_OF_MSP.get(mspId);
}

/**
 * Private data collections. Each document goes to exactly one collection, whose members are the
 * agencies entitled to it. The procuratorate supervises every step and belongs to all of them;
 * every collection has at least three members so that a majority of agencies can endorse.
 */
export const COLLECTIONS = {
  handoverDocs: ['COURT', 'PROCURATORATE', 'POLICE', 'JUSTICE'],
  judicialDocs: ['COURT', 'PROCURATORATE', 'JUSTICE'],
  enforcementDocs: ['POLICE', 'PROCURATORATE', 'JUSTICE'],
} as const satisfies Record<string, readonly Agency[]>;
export type CollectionName = keyof typeof COLLECTIONS;

export function isCollectionMember(collection: CollectionName, agency: Agency): boolean {
  return (COLLECTIONS[collection] as readonly Agency[]).includes(agency);
}
