import { z } from 'zod';
import {
  AGENCIES,
  AGENCY_WIDE,
  ALL_UNIT_KINDS,
  covers,
  defaultUnitKind,
  isUnitKindOf,
  ROLES,
  unitOrAgencyWide,
  type Actor,
  type Agency,
  type Role,
  type UnitKind,
} from 'correction-chaincode/domain';

/**
 * An agency's directory is its JWKS: each key carries, beside its JWK members, the agency it
 * signs for, the unit it was issued for (a division code, or `*` for an agency-wide issuer such
 * as the dev keys), optionally that unit's kind, and the roles its tokens may claim.
 */
export const DIRECTORY_MEMBERS = z.object({
  agency: z.enum(AGENCIES),
  unit: unitOrAgencyWide,
  unitKind: z.enum(ALL_UNIT_KINDS).optional(),
  roles: z.array(z.enum(ROLES)).min(1),
});
export type DirectoryMembers = z.infer<typeof DIRECTORY_MEMBERS>;

/** What a directory says of one key. */
export interface DirectoryKey {
  readonly agency: Agency;
  readonly unit: string;
  readonly unitKind: UnitKind | undefined;
  readonly roles: readonly Role[];
}

/** The claims of a token, as far as who acts goes. */
export interface ActorClaims {
  readonly agency: Agency;
  readonly role: Role;
  readonly sub: string;
  readonly unit?: string | undefined;
  readonly unitKind?: UnitKind | undefined;
}

/**
 * The directory entry of the key a token names, or why it has none. A key without the directory
 * members is an agency key of the first release: its kid is its agency, it is agency-wide and
 * allows every role.
 */
export function directoryKeyOf(jwk: Readonly<Record<string, unknown>>): DirectoryKey | string {
  if (jwk['agency'] === undefined) {
    const kid = jwk['kid'];
    return AGENCIES.includes(kid as Agency) ? { agency: kid as Agency, unit: AGENCY_WIDE, unitKind: undefined, roles: ROLES } : 'the key is in no agency\'s directory';
  }
  const members = DIRECTORY_MEMBERS.safeParse(jwk);
  if (!members.success) return 'the key\'s directory entry is malformed';
  const { agency, unit, unitKind, roles } = members.data;
  if (unitKind !== undefined && !isUnitKindOf(agency, unitKind)) return 'the key\'s directory entry names a kind of unit its agency has not';
  return { agency, unit, unitKind, roles };
}

/**
 * The principal a token stands for, as its key's directory entry fixes it, or why the token
 * claims more than the key was issued for: another agency, a role the key does not allow, a unit
 * beside or above the key's, or a kind other than the key's. A token without `unit` acts with the
 * key's unit; only an agency-wide key lets a token name its kind (and without one it acts as every
 * kind of the agency).
 */
export function principalOf(claims: ActorClaims, key: DirectoryKey): Actor | string {
  if (claims.agency !== key.agency) return 'token is not signed by a key of the agency it names';
  if (!key.roles.includes(claims.role)) return `the key was not issued for the role ${claims.role}`;
  const unit = claims.unit ?? key.unit;
  if (!covers(key.unit, unit)) return `the key was issued for unit ${key.unit}, not ${unit}`;
  const kind = kindOf(claims, key, unit);
  if (!kind.ok) return kind.problem;
  // Typed apart from the union it is returned in, whose string member has a `sub` of its own.
  const principal: Actor = { agency: key.agency, unit, unitKind: kind.kind, role: claims.role, sub: claims.sub };
  return principal;
}

type KindOrProblem = { readonly ok: true; readonly kind: UnitKind | null } | { readonly ok: false; readonly problem: string };

/** The unit's kind: the key's; the token's own under an agency-wide key; the agency's default otherwise. */
function kindOf(claims: ActorClaims, key: DirectoryKey, unit: string): KindOrProblem {
  const fixed = key.unitKind ?? (key.unit === AGENCY_WIDE ? undefined : defaultUnitKind(key.agency));
  if (fixed !== undefined) {
    return claims.unitKind === undefined || claims.unitKind === fixed ? { ok: true, kind: fixed } : { ok: false, problem: `the key was issued for a ${fixed} unit` };
  }
  if (claims.unitKind !== undefined) {
    const claimed: string = claims.unitKind;
    return isUnitKindOf(key.agency, claimed) ? { ok: true, kind: claims.unitKind } : { ok: false, problem: `${claimed} is not a kind of unit of ${key.agency}` };
  }
  return { ok: true, kind: unit === AGENCY_WIDE ? null : defaultUnitKind(key.agency) };
}
