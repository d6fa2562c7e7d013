import { AGENCY_WIDE, type Actor, type Agency, type Role, type UnitKind } from 'correction-chaincode/domain';
import type { Caller } from '../../gateway/src/ledger/port.js';

/** Who acts in a test: a unit of an agency (the whole agency unless said), in a role. */
export interface ActorOptions {
  readonly unit?: string;
  readonly unitKind?: UnitKind | null;
  readonly role?: Role;
  readonly sub?: string;
}

export function actor(agency: Agency, options: ActorOptions = {}): Actor {
  return {
    agency,
    unit: options.unit ?? AGENCY_WIDE,
    unitKind: options.unitKind ?? null,
    role: options.role ?? 'clerk',
    sub: options.sub ?? `test-${agency.toLowerCase()}`,
  };
}

/** A ledger caller acting for a principal of the agency, as a gateway asserts one. */
export function caller(agency: Agency, options: ActorOptions = {}): Caller {
  return { agency, actor: actor(agency, options) };
}

/** A status read in full; a test that expects one fails on the minimal status. */
export function full<S extends object>(status: S): Exclude<S, { readonly view: 'minimal' }> {
  if ('view' in status && status.view === 'minimal') throw new Error('expected the full status, got the minimal one');
  return status as Exclude<S, { readonly view: 'minimal' }>;
}
