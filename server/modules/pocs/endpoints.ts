import { defineEndpoint, reply, type AnyEndpoint } from '../../http/endpoint.ts';
import { assertCaller, callerOf } from '../../http/auth.ts';
import { createBody, err, idParams, listQuery, patchBody, pocPage, pocView, view } from './api-schemas.ts';
import type { Owner } from './repo.ts';
import type { PocService } from './service.ts';

const TAGS = ['pocs'];
const unknown = err("No such POC among the caller's own (another user's or tenant's POC is never revealed)");
const badId = err('The id is not a UUID (`errors[].path` is `params.id`)');

const ownerOf = (res: Parameters<typeof callerOf>[0]): Owner => {
  const { tenantId, userId } = callerOf(res);
  return { tenantId, userId };
};

export function pocEndpoints(s: PocService): AnyEndpoint[] {
  const common = { tags: TAGS, auth: true } as const;
  const create = defineEndpoint({
    ...common,
    method: 'post',
    path: '/v1/pocs',
    summary: 'Register a POC',
    description:
      'Creates a POC owned by the caller. Tags are trimmed, lower-cased and de-duplicated; `language` keeps ' +
      'its spelling but matches case-insensitively in searches. `userId`/`tenantId` are optional and, when ' +
      "given, must be the caller's own (403).",
    body: createBody,
    responses: {
      201: { description: 'The new POC', schema: pocView },
      400: err('Invalid input; `errors` names each field'),
      403: err("A userId or tenantId that is not the caller's (AUTH.NOT_CALLER)"),
    },
    handler: async ({ body, res }) => {
      const owner = ownerOf(res);
      assertCaller(callerOf(res), body);
      return reply(201, view(await s.create(owner, body)));
    },
  });

  const list = defineEndpoint({
    ...common,
    method: 'get',
    path: '/v1/pocs',
    summary: "Search the caller's POCs",
    description:
      'Newest first. All given filters must match: `name` anywhere in the name and `language` exactly, both ' +
      'case-insensitively; every repeated `tag`; `favorite`; `year` of creation (UTC). Pages are keyset ' +
      'based: POCs registered while paging are newer than the cursor and never shift later pages. A cursor ' +
      'is bound to its filters and caller; a tampered or foreign one is 400 (POC.BAD_CURSOR).',
    query: listQuery,
    cacheQueries: true,
    responses: {
      200: { description: 'One page', schema: pocPage },
      400: err('Invalid filter or cursor'),
    },
    handler: async ({ query, res }) => {
      const { limit, cursor, tag, ...filters } = query;
      const page = await s.list(ownerOf(res), { ...filters, tags: tag ?? [] }, { limit, cursor });
      return { status: 200, json: page.json };
    },
  });

  const get = defineEndpoint({
    ...common,
    method: 'get',
    path: '/v1/pocs/:id',
    summary: "One of the caller's POCs",
    params: idParams,
    responses: {
      200: { description: 'The POC', schema: pocView },
      400: badId,
      404: unknown,
    },
    handler: async ({ params, res }) => reply(200, view(await s.get(ownerOf(res), params.id))),
  });

  const patch = defineEndpoint({
    ...common,
    method: 'patch',
    path: '/v1/pocs/:id',
    summary: 'Change a POC',
    description: 'Any of the create fields, at least one; the others keep their values.',
    params: idParams,
    body: patchBody,
    responses: {
      200: { description: 'The updated POC', schema: pocView },
      400: err('Invalid input, or no field to change'),
      403: err("A userId or tenantId that is not the caller's (AUTH.NOT_CALLER)"),
      404: unknown,
    },
    handler: async ({ params, body, res }) => {
      const owner = ownerOf(res);
      assertCaller(callerOf(res), body);
      const { userId: _u, tenantId: _t, ...changes } = body;
      return reply(200, view(await s.update(owner, params.id, changes)));
    },
  });

  const remove = defineEndpoint({
    ...common,
    method: 'delete',
    path: '/v1/pocs/:id',
    summary: 'Delete a POC',
    params: idParams,
    responses: { 204: { description: 'Deleted' }, 400: badId, 404: unknown },
    handler: async ({ params, res }) => {
      await s.remove(ownerOf(res), params.id);
      return reply(204);
    },
  });

  const favorite = (method: 'put' | 'delete', on: boolean) =>
    defineEndpoint({
      ...common,
      method,
      path: '/v1/pocs/:id/favorite',
      summary: on ? 'Mark a POC as a favorite' : 'Unmark a favorite POC',
      description: 'Idempotent.',
      params: idParams,
      responses: {
        200: { description: 'The POC', schema: pocView },
        400: badId,
        404: unknown,
      },
      handler: async ({ params, res }) => reply(200, view(await s.setFavorite(ownerOf(res), params.id, on))),
    });

  return [create, list, get, patch, remove, favorite('put', true), favorite('delete', false)];
}
