import type { Agency } from 'correction-chaincode/domain';
import { ApiError } from '../errors.js';
import type { Principal } from '../http/auth.js';
import type { Caller } from '../ledger/port.js';

/** The ledger caller a principal acts as; on Fabric a gateway holds one agency's identity and serves that agency only. */
export function callerOf(principal: Principal, servesAgency: Agency | undefined): Caller {
  if (servesAgency && principal.agency !== servesAgency) {
    throw new ApiError('FORBIDDEN', `this gateway serves ${servesAgency} only`);
  }
  return { agency: principal.agency };
}

/** Writers act for their agency; an auditor reads and verifies, never writes. */
export function writerOf(principal: Principal, servesAgency: Agency | undefined): Caller {
  if (principal.role === 'auditor') throw new ApiError('FORBIDDEN', 'an auditor reads and verifies, never writes');
  return callerOf(principal, servesAgency);
}
