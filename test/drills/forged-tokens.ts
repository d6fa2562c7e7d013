import { handoverDocument } from '../bench/events.js';
import { residentId } from '../support/ids.js';
import { raw, type RawAnswer } from '../support/raw-http.js';
import { measured, type Drill, type DrillContext, type DrillOutcome, type Measurement } from './drill.js';
import { forgeries, type ForgerKit, type Forgery } from './forgeries.js';
import type { DrillGateway } from './gateways.js';
import { StatusTally } from './statuses.js';
import { bearer, eventBody, postJson, setUpSubject, warningBody, type Subject } from './subjects.js';

/** The subject forged writes try to hand over: had any been accepted, it would exist. */
const FORGED_SUBJECT = 8001;

const refused = (status: number): boolean => status === 401 || status === 429;

interface Attempts {
  readonly tally: StatusTally;
  /** Forgeries with an answer other than 401 or 429, and what they got. */
  readonly letIn: readonly string[];
}

/** Each forgery reads a subject and records a handover, from the loopback address `from` gives it. */
async function tryForgeries(gateway: DrillGateway, subject: Subject, forged: readonly Forgery[], from: (i: number) => string, log?: (line: string) => void): Promise<Attempts> {
  const tally = new StatusTally();
  const letIn: string[] = [];
  const body = JSON.stringify(eventBody('SENTENCE_HANDOVER', { idNumber: residentId(FORGED_SUBJECT) }, handoverDocument(FORGED_SUBJECT), FORGED_SUBJECT));
  for (const [i, forgery] of forged.entries()) {
    const localAddress = from(i);
    const query = forgery.query ? `?${forgery.query}` : '';
    const headers: Record<string, string> = forgery.authorization === undefined ? {} : { authorization: forgery.authorization };
    const read = await raw(gateway.url, { path: `/v1/subjects/${subject.ref}${query}`, headers, localAddress });
    const write = await raw(gateway.url, { method: 'POST', path: `/v1/events${query}`, headers: { ...headers, 'content-type': 'application/json' }, body, localAddress });
    for (const answer of [read, write]) tally.add(answer.status);
    if (!refused(read.status) || !refused(write.status)) letIn.push(`${forgery.name}: ${read.status}/${write.status}`);
    log?.(`${read.status} ${write.status}  ${forgery.name}`);
  }
  return { tally, letIn };
}

/** A valid token asking for what its role or agency may not do. */
interface Escalation {
  readonly name: string;
  readonly send: () => Promise<RawAnswer>;
}

async function escalations(gateway: DrillGateway, subject: Subject): Promise<Escalation[]> {
  const url = gateway.url;
  const courtAuditor = await gateway.token('COURT', 'auditor', 'drill-court-auditor');
  const justiceAuditor = await gateway.token('JUSTICE', 'auditor', 'drill-justice-auditor');
  const courtOfficer = await gateway.token('COURT', 'officer', 'drill-court-officer');
  const justiceOfficer = await gateway.token('JUSTICE', 'officer', 'drill-justice-officer');
  const policeOfficer = await gateway.token('POLICE', 'officer', 'drill-police-officer');
  const policeClerk = await gateway.token('POLICE', 'clerk', 'drill-police-clerk');
  const courtClerk = await gateway.token('COURT', 'clerk', 'drill-court-clerk');
  const handover = eventBody('SENTENCE_HANDOVER', { idNumber: residentId(FORGED_SUBJECT + 1) }, handoverDocument(FORGED_SUBJECT + 1), FORGED_SUBJECT + 1);
  return [
    { name: 'a court auditor records a handover', send: () => postJson(url, '/v1/events', courtAuditor, handover) },
    { name: 'a justice auditor records a warning', send: () => postJson(url, '/v1/events', justiceAuditor, warningBody(subject, 'WN-auditor')) },
    { name: 'a court auditor registers a webhook', send: () => postJson(url, '/v1/webhooks', courtAuditor, { url: 'https://hooks.example/court' }) },
    { name: "a justice officer registers a webhook (a clerk's task)", send: () => postJson(url, '/v1/webhooks', justiceOfficer, { url: 'https://hooks.example/justice' }) },
    { name: 'a court officer audits the ledger', send: () => raw(url, { path: '/v1/audit', headers: bearer(courtOfficer) }) },
    { name: "a police officer audits a subject's chain", send: () => raw(url, { path: `/v1/audit?subject=${subject.ref}`, headers: bearer(policeOfficer) }) },
    { name: "a police clerk records the justice bureau's warning", send: () => postJson(url, '/v1/events', policeClerk, warningBody(subject, 'WN-police')) },
    { name: "a court clerk records the justice bureau's reception", send: () => postJson(url, '/v1/events', courtClerk, { ...warningBody(subject, 'x'), type: 'SUBJECT_RECEIVED', document: { escorted: false } }) },
  ];
}

/** What the ledger shows afterwards: the forged handover's subject does not exist, and the attacked subject gained nothing. */
async function ledgerAfter(gateway: DrillGateway, subject: Subject): Promise<{ forgedSubject: number; entryCount: number }> {
  const court = await gateway.token('COURT');
  const lookup = await postJson(gateway.url, '/v1/subjects/lookup', court, { idNumber: residentId(FORGED_SUBJECT) });
  const status = await raw(gateway.url, { path: `/v1/subjects/${subject.ref}`, headers: bearer(court) });
  return { forgedSubject: lookup.status, entryCount: (status.json as { entryCount?: number } | undefined)?.entryCount ?? -1 };
}

function verdict(forged: number, attempts: Attempts, oneAddress: Attempts, escalated: readonly { name: string; status: number }[], after: { forgedSubject: number; entryCount: number }, subject: Subject): Measurement[] {
  const { tally } = attempts;
  const notForbidden = escalated.filter((e) => e.status !== 403);
  return [
    measured('forged token variants', forged, '>= 24', forged >= 24),
    measured('forged answers by status (read + write each)', tally.toString(), '401 (or 429)', attempts.letIn.length === 0),
    measured('forged tokens let in', attempts.letIn.length === 0 ? '0' : attempts.letIn.join('; '), '0', attempts.letIn.length === 0),
    measured('the same from one address', oneAddress.tally.toString(), '401, then 429 in penalty', oneAddress.letIn.length === 0),
    measured('5xx answers', tally.serverErrors + oneAddress.tally.serverErrors, '0', tally.serverErrors + oneAddress.tally.serverErrors === 0),
    measured('role and agency escalations refused', `${escalated.length - notForbidden.length} of ${escalated.length} 403`, 'all 403', notForbidden.length === 0),
    ...(notForbidden.length > 0 ? [measured('escalations answered otherwise', notForbidden.map((e) => `${e.name}: ${e.status}`).join('; '), 'none', false)] : []),
    measured('forged handover on the ledger (lookup)', after.forgedSubject, '404', after.forgedSubject === 404),
    measured('entries of the attacked subject', after.entryCount, String(subject.entryIds.length), after.entryCount === subject.entryIds.length),
  ];
}

async function run({ gateways, log }: DrillContext): Promise<DrillOutcome> {
  const gateway = await gateways.start();
  try {
    const clerkToken = await gateway.token('COURT');
    const subject = await setUpSubject(gateway.url, { court: clerkToken, justice: await gateway.token('JUSTICE') }, 3);
    const escalated = [];
    for (const e of await escalations(gateway, subject)) {
      const answer = await e.send();
      escalated.push({ name: e.name, status: answer.status });
      log(`${answer.status}      ${e.name}`);
    }
    const kit: ForgerKit = {
      court: await gateway.agencyKey('COURT'),
      police: await gateway.agencyKey('POLICE'),
      courtPublic: (await gateway.trustedKeys()).keys.find((key) => key.kid === 'COURT') ?? {},
      auditorToken: await gateway.token('COURT', 'auditor', 'drill-tampered'),
      clerkToken,
    };
    const forged = forgeries(kit);
    // From an address of its own each: a penalty one forgery earns does not hide what the gateway would do with the next.
    const attempts = await tryForgeries(gateway, subject, forged, (i) => `127.0.1.${String(i + 1)}`, log);
    // Then all from one address, as one attacker would: refused tokens put it in penalty.
    const oneAddress = await tryForgeries(gateway, subject, forged, () => '127.0.2.1');
    log(`the same from one address: ${oneAddress.tally.toString()}`);
    const after = await ledgerAfter(gateway, subject);
    return {
      measurements: verdict(forged.length, attempts, oneAddress, escalated, after, subject),
      figures: { variants: forged.map((f) => f.name), statuses: attempts.tally.toJSON(), oneAddress: oneAddress.tally.toJSON(), letIn: [...attempts.letIn, ...oneAddress.letIn], escalations: escalated, after },
    };
  } finally {
    await gateway.close();
  }
}

export const forgedTokens: Drill = {
  name: 'forged-tokens',
  summary: 'forged, tampered and malformed tokens read and write (each from an address of its own); valid tokens reach beyond their role or agency',
  run,
};
