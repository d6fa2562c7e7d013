import { CatalogSchema } from '../responses.js';
import { json, route, type AnyRoute } from '../route.js';
import type { RouteServices } from './deps.js';

/** The event catalog, published so that clients and consoles build their forms from it. */
export function catalogRoutes({ catalog }: RouteServices): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/v1/catalog',
      summary: 'The event catalog: per event who records it and from which states, where it leads, who is told, its public fields, its document\'s JSON Schema, its deadlines and its legal basis',
      access: 'agency',
      responses: { 200: { description: 'The catalog, with the deadline rules this gateway applies', schema: CatalogSchema } },
      handle() {
        return Promise.resolve(json(200, catalog));
      },
    }),
  ];
}
