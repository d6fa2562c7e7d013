import { z } from 'zod';
import { AccessTrailSchema, EntryListSchema, LookupResultSchema, StatusViewSchema, SubjectObligationsSchema } from '../responses.js';
import { json, route, type AnyRoute } from '../route.js';
import { LookupBody, PurposeQuery, purposeOf, subjectRef } from '../schemas.js';
import type { RouteServices } from './deps.js';

const RefParams = z.strictObject({ ref: subjectRef });
const unknown = { description: 'Unknown subject' };
/** What a read of a subject can be refused for. */
const outside = {
  description: 'FORBIDDEN: outside the jurisdiction (the minimal status only), or a sealed record; PURPOSE_REQUIRED: a sealed record read without reason and caseNumber',
};

/** Subjects by reference, and by ID number in a body (never in a URL). */
export function subjectRoutes({ service }: RouteServices): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/v1/subjects/lookup',
      summary: 'Reference and status for an ID number (with a purpose for a sealed record)',
      access: 'agency',
      body: LookupBody,
      ledger: true,
      responses: {
        200: { description: 'The reference and the status: in full within the jurisdiction, the minimal status elsewhere', schema: LookupResultSchema },
        403: { description: 'PURPOSE_REQUIRED: a sealed record looked up without a purpose' },
        404: { description: 'No entries for this subject' },
      },
      async handle({ principal, body }) {
        return json(200, await service.lookup(principal, body.idNumber, body.purpose ?? null));
      },
    }),
    route({
      method: 'get',
      path: '/v1/subjects/{ref}',
      summary: 'Status of a subject: in full within the jurisdiction, the minimal status elsewhere',
      access: 'agency',
      params: RefParams,
      query: PurposeQuery,
      ledger: true,
      responses: {
        200: { description: 'The status', schema: StatusViewSchema },
        403: { description: 'PURPOSE_REQUIRED: a sealed record read without reason and caseNumber' },
        404: unknown,
      },
      async handle({ principal, params, query }) {
        return json(200, await service.subjectStatus(principal, params.ref, purposeOf(query)));
      },
    }),
    route({
      method: 'get',
      path: '/v1/subjects/{ref}/entries',
      summary: "The subject's chain of entries, in order",
      access: 'agency',
      params: RefParams,
      query: PurposeQuery,
      ledger: true,
      responses: { 200: { description: 'The chain', schema: EntryListSchema }, 403: outside, 404: unknown },
      async handle({ principal, params, query }) {
        return json(200, await service.subjectEntries(principal, params.ref, purposeOf(query)));
      },
    }),
    route({
      method: 'get',
      path: '/v1/subjects/{ref}/obligations',
      summary: "The subject's statutory obligations: open, overdue, met, late or void as of now",
      access: 'agency',
      params: RefParams,
      query: PurposeQuery,
      ledger: true,
      responses: { 200: { description: 'The obligations', schema: SubjectObligationsSchema }, 403: outside, 404: unknown },
      async handle({ principal, params, query }) {
        return json(200, await service.obligations(principal, params.ref, purposeOf(query)));
      },
    }),
    route({
      method: 'get',
      path: '/v1/subjects/{ref}/access',
      summary: "The subject's access trail: every recorded read (who, unit, role, purpose, what, when) and who wrote each entry",
      access: 'agency',
      params: RefParams,
      ledger: true,
      responses: {
        200: { description: 'The trail', schema: AccessTrailSchema },
        403: { description: 'Not an auditor, nor the procuratorate of the jurisdiction' },
        404: unknown,
      },
      async handle({ principal, params }) {
        return json(200, await service.accessTrail(principal, params.ref));
      },
    }),
  ];
}
