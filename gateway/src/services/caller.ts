import type { Actor, Agency } from 'correction-chaincode/domain';
import { ApiError } from '../errors.js';
import type { Caller } from '../ledger/port.js';

/**
 * The ledger caller a principal acts as: its agency, and the person the gateway asserts to the
 * contract. On Fabric a gateway holds one agency's identity and serves that agency only.
 */
export function callerOf(principal: Actor, servesAgency: Agency | undefined): Caller {
  if (servesAgency && principal.agency !== servesAgency) {
    throw new ApiError('FORBIDDEN', `this gateway serves ${servesAgency} only`);
  }
  return { agency: principal.agency, actor: principal };
}

/** Writers act for their unit; an auditor reads and verifies, never writes. */
export function writerOf(principal: Actor, servesAgency: Agency | undefined): Caller {
  if (principal.role === 'auditor') throw new ApiError('FORBIDDEN', 'an auditor reads and verifies, never writes');
  return callerOf(principal, servesAgency);
}

/** The person a caller acts for; every caller the API makes has one. */
export function actorOf(caller: Caller): Actor {
  if (!caller.actor) throw new Error('a caller made for a request acts for its principal');
  return caller.actor;
}
