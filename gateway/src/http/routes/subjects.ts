import { z } from 'zod';
import { EntryListSchema, LookupResultSchema, SubjectObligationsSchema, SubjectStatusSchema } from '../responses.js';
import { json, route, type AnyRoute } from '../route.js';
import { LookupBody, subjectRef } from '../schemas.js';
import type { RouteServices } from './deps.js';

const RefParams = z.strictObject({ ref: subjectRef });

/** Subjects by reference, and by ID number in a body (never in a URL). */
export function subjectRoutes({ service }: RouteServices): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/v1/subjects/lookup',
      summary: 'Reference and status for an ID number',
      access: 'agency',
      body: LookupBody,
      ledger: true,
      responses: { 200: { description: 'The reference and status', schema: LookupResultSchema }, 404: { description: 'No entries for this subject' } },
      async handle({ principal, body }) {
        return json(200, await service.lookup(principal, body.idNumber));
      },
    }),
    route({
      method: 'get',
      path: '/v1/subjects/{ref}',
      summary: 'Status of a subject',
      access: 'agency',
      params: RefParams,
      ledger: true,
      responses: { 200: { description: 'The status', schema: SubjectStatusSchema }, 404: { description: 'Unknown subject' } },
      async handle({ principal, params }) {
        return json(200, await service.subjectStatus(principal, params.ref));
      },
    }),
    route({
      method: 'get',
      path: '/v1/subjects/{ref}/entries',
      summary: "The subject's chain of entries, in order",
      access: 'agency',
      params: RefParams,
      ledger: true,
      responses: { 200: { description: 'The chain', schema: EntryListSchema }, 404: { description: 'Unknown subject' } },
      async handle({ principal, params }) {
        return json(200, await service.subjectEntries(principal, params.ref));
      },
    }),
    route({
      method: 'get',
      path: '/v1/subjects/{ref}/obligations',
      summary: "The subject's statutory obligations: open, overdue, met, late or void as of now",
      access: 'agency',
      params: RefParams,
      ledger: true,
      responses: { 200: { description: 'The obligations', schema: SubjectObligationsSchema }, 404: { description: 'Unknown subject' } },
      async handle({ principal, params }) {
        return json(200, await service.obligations(principal, params.ref));
      },
    }),
  ];
}
