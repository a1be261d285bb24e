import { z } from 'zod';
import { sortTags, type Poc } from './repo.ts';

/** Request and response shapes of the POC endpoints; the same schemas validate and document. */
const NO_CONTROL = /^[^\p{Cc}\p{Cf}]*$/u;
const noControl = 'Must not contain control characters';

export const MAX_TAGS = 20;

const name = z.string().trim().min(1).max(100).regex(NO_CONTROL, noControl);
const language = z.string().trim().min(1).max(30).regex(NO_CONTROL, noControl);
const tag = z
  .string()
  .trim()
  .min(1)
  .max(30)
  .regex(NO_CONTROL, noControl)
  .transform((t) => t.toLowerCase());
const tags = z
  .array(tag)
  .max(MAX_TAGS)
  .transform((t) => sortTags(t))
  .describe('Stored trimmed, lower-cased, without duplicates, and returned sorted');

const isHttpUrl = (value: string): boolean => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
};
const repoUrl = z.string().trim().max(255).refine(isHttpUrl, 'Must be an http(s) URL');
const description = z.string().max(2000);
const uuid = z.uuid().transform((id) => id.toLowerCase());

/** The seed's caller columns: optional, and when given they must be the caller's own (else 403). */
const callerFields = { userId: uuid.optional(), tenantId: uuid.optional() };

export const createBody = z.strictObject({
  name,
  language,
  tags: tags.optional(),
  repoUrl,
  description: description.optional(),
  favorite: z.boolean().optional(),
  ...callerFields,
});

const EDITABLE = ['name', 'language', 'tags', 'repoUrl', 'description', 'favorite'] as const;

export const patchBody = z
  .strictObject({
    name: name.optional(),
    language: language.optional(),
    tags: tags.optional(),
    repoUrl: repoUrl.optional(),
    description: description.optional(),
    favorite: z.boolean().optional(),
    ...callerFields,
  })
  .refine((b) => EDITABLE.some((k) => b[k] !== undefined), {
    message: `Give at least one of ${EDITABLE.join(', ')}`,
  });

const lower = (s: string) => s.toLowerCase();

export const listQuery = z.strictObject({
  name: name.transform(lower).optional().describe('Matches anywhere in the name, case-insensitively'),
  language: language.transform(lower).optional().describe('Matches the language case-insensitively'),
  tag: z
    .preprocess((v) => (Array.isArray(v) ? v : [v]), z.array(tag).max(MAX_TAGS))
    .optional()
    .describe('Repeat the parameter for several tags: a POC must have all of them'),
  favorite: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  year: z.coerce.number().int().min(1970).max(9999).optional().describe('POCs created in that year (UTC)'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .min(1)
    .max(300)
    .optional()
    .describe('The nextCursor of the previous page, with the same filters'),
});

export const idParams = z.strictObject({ id: uuid });

export const pocView = z.object({
  id: z.uuid(),
  name: z.string(),
  language: z.string(),
  tags: z.array(z.string()),
  repoUrl: z.string(),
  description: z.string(),
  favorite: z.boolean(),
  created: z.iso.datetime(),
  updated: z.iso.datetime(),
});

export const pocPage = z.object({
  pocs: z.array(pocView),
  nextCursor: z.string().nullable().describe('Pass it as `cursor` for the next page; null on the last page'),
});

export function view(poc: Poc): z.infer<typeof pocView> {
  return {
    id: poc.id,
    name: poc.name,
    language: poc.language,
    tags: [...poc.tags],
    repoUrl: poc.repoUrl,
    description: poc.description,
    favorite: poc.favorite,
    created: poc.created.toISOString(),
    updated: poc.updated.toISOString(),
  };
}

export { problemBodySchema as problem, errorResponse as err } from '../../http/problem.ts';
