import { z } from 'zod';
import { PROBLEMS, type ProblemCode } from '../errors.js';
import { ProblemSchema } from './responses.js';
import type { AnyRoute, ResponseSpec, UploadSpec } from './route.js';

/** Every registered schema as an OpenAPI component, nested ones by reference. */
function componentSchemas(): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  // Components are named by their key; they carry no $id of their own.
  return Object.fromEntries(Object.entries(schemas).map(([id, { $id: _id, $schema: _schema, ...schema }]) => [id, schema]));
}

function reference(schema: z.ZodType): Record<string, unknown> {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: `#/components/schemas/${id}` };
  const { $schema: _schema, ...inline } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
  return inline;
}

const headerName = (name: string): string => name.replace(/(^|-)([a-z])/g, (_all, dash: string, letter: string) => `${dash}${letter.toUpperCase()}`);

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query' | 'header'): Array<Record<string, unknown>> {
  const shape = (schema as { shape?: Record<string, z.ZodType> } | undefined)?.shape ?? {};
  return Object.entries(shape).map(([name, field]) => {
    const optional = field.safeParse(undefined).success;
    const { description } = z.globalRegistry.get(field) ?? {};
    return {
      name: where === 'header' ? headerName(name) : name,
      in: where,
      required: where === 'path' || !optional,
      ...(description ? { description } : {}),
      schema: reference(field),
    };
  });
}

const problem = (description: string, headers: readonly string[] = []): Record<string, unknown> => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: `#/components/schemas/${String(z.globalRegistry.get(ProblemSchema)?.id)}` } } },
  ...documentedHeaders(headers),
});

function documentedHeaders(names: readonly string[]): Record<string, unknown> {
  if (names.length === 0) return {};
  return { headers: Object.fromEntries(names.map((name) => [name, { schema: { type: 'string' } }])) };
}

function response(status: number, spec: ResponseSpec): Record<string, unknown> {
  if (status >= 400) return problem(spec.description, spec.headers);
  const content = spec.schema
    ? { content: { [spec.contentType ?? 'application/json']: { schema: reference(spec.schema) } } }
    : spec.contentType
      ? { content: { [spec.contentType]: {} } }
      : {};
  return { description: spec.description, ...content, ...documentedHeaders(spec.headers ?? []) };
}

const titleOf = (code: ProblemCode): string => PROBLEMS[code].title;

/** The statuses a route can give beyond its own, from what the router does for every route of its kind. */
function commonResponses(declared: AnyRoute): Record<number, Record<string, unknown>> {
  const common: Record<number, Record<string, unknown>> = {
    429: problem(`${titleOf('RATE_LIMITED')} (Retry-After, RateLimit)`, ['Retry-After', 'RateLimit', 'RateLimit-Policy']),
  };
  if (declared.params || declared.query || declared.headers || declared.body || declared.upload) {
    common[400] = problem('Invalid input, every bad field listed');
  }
  if (declared.access === 'agency') common[401] = problem('No token, or a token that is refused', ['WWW-Authenticate']);
  if (declared.body || declared.upload) {
    common[413] = problem(titleOf('PAYLOAD_TOO_LARGE'));
    common[415] = problem(titleOf('UNSUPPORTED_MEDIA_TYPE'));
  }
  if (declared.ledger) {
    common[503] = problem(`${titleOf('LEDGER_UNAVAILABLE')}, or ${titleOf('GATEWAY_BUSY').replace(/^The/, 'the')} (Retry-After)`, ['Retry-After']);
    // Documents and kept responses are sealed at rest; one that does not open is not the client's fault.
    common[500] = problem(titleOf('STORED_DATA_UNREADABLE'));
  }
  return common;
}

/** The body a route takes: JSON by its schema, and files as bytes of each media type (a form's fields named), with their limit. */
function requestBody(declared: AnyRoute): Record<string, unknown> {
  const content: Record<string, unknown> = declared.body ? { 'application/json': { schema: reference(declared.body) } } : {};
  const upload = declared.upload;
  if (upload) {
    for (const type of upload.mediaTypes) content[type] = { schema: uploadSchema(type, upload) };
  }
  if (Object.keys(content).length === 0) return {};
  const limit = upload ? { description: `Files of at most ${upload.maxBytes} bytes` } : {};
  return { requestBody: { required: true, ...limit, content } };
}

function uploadSchema(type: string, upload: UploadSpec): Record<string, unknown> {
  if (type !== 'multipart/form-data' || !upload.form) return { type: 'string', contentMediaType: type, maxLength: upload.maxBytes };
  const properties = Object.fromEntries(
    Object.entries(upload.form).map(([name, field]) => [name, field.binary ? { type: 'string', contentMediaType: 'application/octet-stream', description: field.description } : { type: 'string', description: field.description }]),
  );
  return { type: 'object', properties, required: Object.keys(upload.form) };
}

function operation(declared: AnyRoute): Record<string, unknown> {
  const own = Object.fromEntries(Object.entries(declared.responses).map(([status, spec]) => [status, response(Number(status), spec)]));
  return {
    summary: declared.summary,
    operationId: `${declared.method}${declared.path.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_all, c: string) => c.toUpperCase())}`,
    ...(declared.access === 'public' ? { security: [] } : {}),
    parameters: [...parameters(declared.params, 'path'), ...parameters(declared.query, 'query'), ...parameters(declared.headers, 'header')],
    ...requestBody(declared),
    responses: { ...commonResponses(declared), ...own },
  };
}

/** The OpenAPI 3 document of the API, built from the same route declarations as the router. */
export function openApiDocument(version: string, routes: readonly AnyRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const declared of routes) {
    paths[declared.path] = { ...paths[declared.path], [declared.method]: operation(declared) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'correction-ledger gateway',
      version,
      description:
        'Community-correction events of the court, procuratorate, police and justice bureaus on one consortium ledger. ' +
        'ID numbers travel only in request bodies. Errors are RFC 9457 problem+json with a stable `code`.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (ES256, agency-issued)' } },
      schemas: componentSchemas(),
    },
    security: [{ bearer: [] }],
    paths,
  };
}
