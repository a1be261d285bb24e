/** Requests the POC endpoints must refuse, with the status and the field the problem must name. */
export interface BadInputCase {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly status: number;
  readonly field?: string;
  readonly code?: string;
  readonly anonymous?: boolean;
}

const valid = { name: 'A POC', language: 'Go', repoUrl: 'https://example.com/r' };
const create = (body: unknown, field: string): BadInputCase => ({
  method: 'POST',
  path: '/v1/pocs',
  body,
  status: 400,
  field,
});
const search = (query: string, field: string): BadInputCase => ({
  method: 'GET',
  path: `/v1/pocs?${query}`,
  status: 400,
  field,
});

export function badInputCases(id: string): BadInputCase[] {
  const tooManyTags = Array.from({ length: 21 }, (_, i) => `t${i}`);
  return [
    create({ ...valid, name: '' }, 'name'),
    create({ ...valid, name: '   ' }, 'name'),
    create({ ...valid, name: 'n'.repeat(101) }, 'name'),
    create({ ...valid, name: 'a\u0000b' }, 'name'),
    create({ ...valid, name: 42 }, 'name'),
    create({ language: 'Go', repoUrl: valid.repoUrl }, 'name'),
    create({ ...valid, language: '' }, 'language'),
    create({ ...valid, language: 'l'.repeat(31) }, 'language'),
    create({ name: 'x', repoUrl: valid.repoUrl }, 'language'),
    create({ ...valid, tags: tooManyTags }, 'tags'),
    create({ ...valid, tags: ['ok', ''] }, 'tags.1'),
    create({ ...valid, tags: ['t'.repeat(31)] }, 'tags.0'),
    create({ ...valid, tags: 'kafka' }, 'tags'),
    create({ ...valid, repoUrl: 'ftp://example.com/r' }, 'repoUrl'),
    create({ ...valid, repoUrl: 'javascript:alert(1)' }, 'repoUrl'),
    create({ ...valid, repoUrl: 'not a url' }, 'repoUrl'),
    create({ ...valid, repoUrl: `https://example.com/${'r'.repeat(250)}` }, 'repoUrl'),
    create({ name: 'x', language: 'Go' }, 'repoUrl'),
    create({ ...valid, description: 'd'.repeat(2001) }, 'description'),
    create({ ...valid, favorite: 'yes' }, 'favorite'),
    create({ ...valid, owner: 'someone' }, 'owner'),
    create({ ...valid, id: '00000000-0000-4000-8000-000000000000' }, 'id'),
    {
      method: 'POST',
      path: '/v1/pocs',
      body: { ...valid, userId: '00000000-0000-4000-8000-000000000000' },
      status: 403,
      code: 'AUTH.NOT_CALLER',
    },
    { method: 'POST', path: '/v1/pocs', body: '{"name":', status: 400, code: 'HTTP.INVALID_JSON' },
    { method: 'PATCH', path: `/v1/pocs/${id}`, body: {}, status: 400 },
    { method: 'PATCH', path: `/v1/pocs/${id}`, body: { name: '' }, status: 400, field: 'name' },
    { method: 'PATCH', path: `/v1/pocs/${id}`, body: { tags: ['x', 'y', ''] }, status: 400, field: 'tags.2' },
    {
      method: 'PATCH',
      path: `/v1/pocs/${id}`,
      body: { repoUrl: 'mailto:a@b.c' },
      status: 400,
      field: 'repoUrl',
    },
    {
      method: 'PATCH',
      path: `/v1/pocs/${id}`,
      body: { created: '2020-01-01T00:00:00Z' },
      status: 400,
      field: 'created',
    },
    { method: 'GET', path: '/v1/pocs/not-a-uuid', status: 400, field: 'params.id' },
    { method: 'PATCH', path: '/v1/pocs/123', body: { name: 'x' }, status: 400, field: 'params.id' },
    { method: 'DELETE', path: '/v1/pocs/123', status: 400, field: 'params.id' },
    { method: 'PUT', path: '/v1/pocs/123/favorite', status: 400, field: 'params.id' },
    {
      method: 'GET',
      path: '/v1/pocs/00000000-0000-4000-8000-000000000000',
      status: 404,
      code: 'POC.NOT_FOUND',
    },
    search('limit=0', 'query.limit'),
    search('limit=101', 'query.limit'),
    search('limit=ten', 'query.limit'),
    search('year=12', 'query.year'),
    search('favorite=maybe', 'query.favorite'),
    search('name=', 'query.name'),
    search(`name=${'n'.repeat(101)}`, 'query.name'),
    search('language=', 'query.language'),
    search('tag=', 'query.tag.0'),
    search(`tag=${'t'.repeat(31)}`, 'query.tag.0'),
    search(Array.from({ length: 21 }, (_, i) => `tag=t${i}`).join('&'), 'query.tag'),
    search('tags=kafka', 'query.tags'),
    { ...search('cursor=not-a-cursor', 'query.cursor'), code: 'POC.BAD_CURSOR' },
    { ...search(`cursor=${'A'.repeat(40)}.${'B'.repeat(22)}`, 'query.cursor'), code: 'POC.BAD_CURSOR' },
    { method: 'GET', path: '/v1/pocs', status: 401, code: 'AUTH.TOKEN_MISSING', anonymous: true },
    {
      method: 'POST',
      path: '/v1/pocs',
      body: valid,
      status: 401,
      code: 'AUTH.TOKEN_MISSING',
      anonymous: true,
    },
  ];
}
