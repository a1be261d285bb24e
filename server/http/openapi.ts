import { z } from 'zod';
import { responsesOf, type AnyEndpoint } from './endpoint.ts';
import { problemBodySchema } from './problem.ts';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: 'query' | 'path'): JsonSchema[] {
  if (!schema) return [];
  const s = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    schema: prop,
    ...(typeof prop.description === 'string' ? { description: prop.description } : {}),
  }));
}

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** OpenAPI 3.1 (JSON Schema 2020-12 dialect) built from the very schemas that validate requests. */
export function buildOpenApi(
  endpoints: readonly AnyEndpoint[],
  info: { title: string; version: string; description?: string },
): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of endpoints) {
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(responsesOf(e))) {
      responses[status] = {
        description: spec.description,
        ...(spec.schema || spec.contentType
          ? {
              content: {
                [spec.contentType ?? 'application/json']: spec.schema
                  ? { schema: jsonSchema(spec.schema, 'output') }
                  : {},
              },
            }
          : {}),
      };
    }
    responses.default = {
      description: 'Error (RFC 9457 problem details)',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
    const operation: Record<string, unknown> = {
      operationId: `${e.method}${toOpenApiPath(e.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: e.summary,
      ...(e.description ? { description: e.description } : {}),
      tags: [...e.tags],
      parameters: [...parameters(e.params, 'path'), ...parameters(e.query, 'query')],
      responses,
      ...(e.auth ? { security: [{ bearerAuth: [] }] } : {}),
    };
    if (e.body) {
      const schema = jsonSchema(e.body, 'input');
      const content: Record<string, unknown> = { 'application/json': { schema } };
      if (e.acceptsForm) content['application/x-www-form-urlencoded'] = { schema };
      operation.requestBody = { required: true, content };
    }
    const path = toOpenApiPath(e.path);
    paths[path] = { ...paths[path], [e.method]: operation };
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info,
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: { Problem: jsonSchema(problemBodySchema, 'output') },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
