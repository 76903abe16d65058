import * as z from 'zod/mini';
import type * as zc from 'zod/v4/core';
import { COMMON_ERROR_CODES } from './errors';
import { listRoutes, type Route, type RouteSpec } from './routes';
import { errorBody } from './schemas';

/**
 * OpenAPI 3.1 from the route manifest. Named schemas (registered with an `id`) become components;
 * `npm run openapi` writes `docs/openapi.json`, and a unit test fails when that file is stale.
 */
type JsonSchema = Record<string, unknown>;

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content' };

export function buildOpenApi(version: string) {
  const components: Record<string, JsonSchema> = {};

  const toSchema = (schema: zc.$ZodType, io: 'input' | 'output'): JsonSchema => {
    const {
      $schema: _ignored,
      $defs,
      ...rest
    } = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
    }) as JsonSchema & { $defs?: Record<string, JsonSchema> };
    for (const [name, definition] of Object.entries($defs ?? {})) components[name] = rewriteRefs(definition);
    return rewriteRefs(rest);
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of listRoutes() as Array<Route & RouteSpec>) {
    const parameters = [
      ...schemaParameters(route.params && toSchema(route.params, 'input'), 'path'),
      ...schemaParameters(route.query && toSchema(route.query, 'input'), 'query'),
    ];
    const errors = [...COMMON_ERROR_CODES, ...(route.errors ?? [])];
    const operation: Record<string, unknown> = {
      operationId: route.id,
      summary: route.summary,
      tags: [route.group],
      ...(route.auth === 'public' ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: (route.body as zc.$ZodType)._zod.optin !== 'optional',
              content: { 'application/json': { schema: toSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [String(route.status)]: {
          description: STATUS_TEXT[route.status] ?? 'Success',
          content: { 'application/json': { schema: toSchema(route.response, 'output') } },
        },
        default: {
          description: `An error. Codes this route may answer: ${errors.map((code) => `\`${code}\``).join(', ')}.`,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      'x-latchkey-auth': route.auth,
      ...(route.optionalDevice ? { 'x-latchkey-optional-device': true } : {}),
      ...(route.clientTypes ? { 'x-latchkey-client-types': route.clientTypes } : {}),
      ...(route.roles ? { 'x-latchkey-roles': route.roles } : {}),
      ...(route.confirm ? { 'x-latchkey-confirmation': route.confirm } : {}),
    };
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  toSchema(errorBody, 'output');

  return {
    openapi: '3.1.0',
    info: {
      title: 'Latchkey API',
      version,
      description:
        'Identity automation for shared accounts. Every error is `{"error": "<code>", "message": "..."}` ' +
        'plus details; see the README for the error format.',
    },
    servers: [{ url: 'http://localhost:3000', description: 'Local stack (npm start)' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}

function rewriteRefs<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/')) as T;
}

function schemaParameters(schema: JsonSchema | undefined, location: 'path' | 'query') {
  if (!schema) return [];
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    schema: property,
  }));
}
