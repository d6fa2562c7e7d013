import { z } from 'zod';
import { SubmissionSchema } from '../responses.js';
import { json, route, type AnyRoute } from '../route.js';
import type { RouteServices } from './deps.js';

const SubmissionParams = z.strictObject({ id: z.uuid() });

/** Submissions the outbox accepted (202): pending, committed with their entry, or refused with the problem. */
export function submissionRoutes({ recorder }: RouteServices): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/v1/submissions/{id}',
      summary: "A submission of the caller's agency accepted with 202: pending, committed (entry and receipt) or refused (the problem)",
      access: 'agency',
      params: SubmissionParams,
      responses: {
        200: { description: 'The submission', schema: SubmissionSchema },
        404: { description: "Unknown submission, or another agency's" },
      },
      async handle({ principal, params }) {
        return json(200, await recorder.submission(principal, params.id));
      },
    }),
  ];
}
