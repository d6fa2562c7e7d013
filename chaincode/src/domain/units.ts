import { z } from 'zod';
import type { Agency } from './agencies.js';

/**
 * Units: the bodies inside each agency, named by the administrative division they serve (GB/T
 * 2260): `11` a province, `1101` a city, `110105` a county or district, and nine digits for a
 * township office (司法所) under its county. A code's prefixes are its superiors, so a unit
 * covers every place whose code starts with its own ("纵向四级"). `*` is the whole agency: an
 * agency-wide issuer or gateway, covering every place.
 */
export const AGENCY_WIDE = '*';

/** A unit's division code: 2, 4, 6 or 9 digits. */
export const UNIT_CODE_PATTERN = /^(?:\d{2}|\d{4}|\d{6}|\d{9})$/;

export const unitCode = z.string().regex(UNIT_CODE_PATTERN, 'must be a division code of 2, 4, 6 or 9 digits');
/** A unit as a principal names it: a division code, or `*` for the whole agency. */
export const unitOrAgencyWide = z.union([unitCode, z.literal(AGENCY_WIDE)]);

/**
 * The bodies each agency holds that the law treats differently: the justice side's community
 * correction bureaus (司法局/社区矫正机构) and prison administration (监狱管理局, which decides
 * 暂予监外执行 and takes in its 收监); public security and border control among the police. The first
 * kind is the agency's default.
 */
export const UNIT_KINDS = {
  COURT: ['COURT'],
  PROCURATORATE: ['PROCURATORATE'],
  POLICE: ['PUBLIC_SECURITY', 'BORDER'],
  JUSTICE: ['BUREAU', 'PRISON_ADMINISTRATION'],
} as const satisfies Record<Agency, readonly [string, ...string[]]>;
export type UnitKind = (typeof UNIT_KINDS)[Agency][number];
export const ALL_UNIT_KINDS = [...new Set(Object.values(UNIT_KINDS).flat())] as [UnitKind, ...UnitKind[]];

export function defaultUnitKind(agency: Agency): UnitKind {
  return UNIT_KINDS[agency][0];
}

export function isUnitKindOf(agency: Agency, kind: string): boolean {
  return (UNIT_KINDS[agency] as readonly string[]).includes(kind);
}

/** What a user may do: a clerk and an officer act for their unit; an auditor reads and verifies, never writes. */
export const ROLES = ['clerk', 'officer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who acts: a person (`sub`, the staff id) of a unit of an agency, in a role. `unitKind` is null
 * only for an agency-wide principal (`unit` `*`), which acts as every kind of its agency.
 */
export interface Actor {
  readonly agency: Agency;
  readonly unit: string;
  readonly unitKind: UnitKind | null;
  readonly role: Role;
  readonly sub: string;
}

/** Whether `unit` covers `place`: it is the place's own unit or one above it. A unit covers no unknown place. */
export function covers(unit: string, place: string | null | undefined): boolean {
  if (place === null || place === undefined) return false;
  if (unit === AGENCY_WIDE) return true;
  return place !== AGENCY_WIDE && place.startsWith(unit);
}

/**
 * Transient-map key carrying the acting principal — unit, kind, role, staff id — that a gateway
 * asserts with every transaction that records or reads, so that it is not in the proposal.
 */
export const TRANSIENT_ACTOR = 'actor';

/**
 * The certificate attribute bounding what a gateway may assert: comma-separated unit prefixes it
 * may act for (Fabric attribute-based access control, as fabric-ca writes attributes). A
 * certificate without it acts for any unit of its agency.
 */
export const UNITS_ATTRIBUTE = 'correction.units';

/**
 * The acting principal as a gateway asserts it to the contract (the transient map, key `actor`):
 * the agency is not in it, it is the caller's MSP.
 */
export const ACTING_PRINCIPAL = z.strictObject({
  unit: unitOrAgencyWide,
  unitKind: z.enum(ALL_UNIT_KINDS).nullable(),
  role: z.enum(ROLES),
  sub: z.string().min(1).max(200),
});
export type ActingPrincipal = z.infer<typeof ACTING_PRINCIPAL>;

/** Why an asserted principal does not fit its agency, or undefined when it does. */
export function actingPrincipalProblem(agency: Agency, principal: ActingPrincipal): string | undefined {
  if (principal.unitKind === null) {
    return principal.unit === AGENCY_WIDE ? undefined : 'a unit other than the whole agency (*) names its kind';
  }
  return isUnitKindOf(agency, principal.unitKind) ? undefined : `${principal.unitKind} is not a kind of unit of ${agency}`;
}

/**
 * Whether an identity bounded to some units (the `correction.units` certificate attribute:
 * comma-separated unit prefixes, `*` for any) may act for `unit`. No bound means any unit of its
 * agency.
 */
export function withinUnits(unit: string, bound: string | null): boolean {
  if (bound === null) return true;
  const allowed = bound.split(',').map((u) => u.trim()).filter(Boolean);
  return allowed.some((prefix) => prefix === AGENCY_WIDE || (unit !== AGENCY_WIDE && unit.startsWith(prefix)));
}

/** Why a read of a sealed record is made (SPCI581: queries for casework, with reasons). */
export const READ_REASONS = ['CASE_HANDLING', 'LEGAL_SUPERVISION', 'AUDIT', 'STATUTORY_INQUIRY'] as const;
export type ReadReason = (typeof READ_REASONS)[number];

/** The purpose a reader states: the case it reads for and why. */
export const PURPOSE = z.strictObject({
  caseNumber: z
    .string()
    .min(1)
    .max(100)
    // eslint-disable-next-line no-control-regex -- control characters are what this refuses
    .regex(/^[^\u0000-\u001f\u007f\uD800-\uDFFF]*\S[^\u0000-\u001f\u007f\uD800-\uDFFF]*$/u, 'must be one line of well-formed text'),
  reason: z.enum(READ_REASONS),
});
export type Purpose = z.infer<typeof PURPOSE>;
