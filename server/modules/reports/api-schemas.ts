import { z } from 'zod';
import { REPORT_TYPES } from './jobs.ts';

export { errorResponse as err } from '../../http/problem.ts';

export const requestBody = z.strictObject({
  year: z.number().int().min(2000).max(2100).optional().describe('Default: the current year (UTC)'),
});
export const requestResponse = z.object({ reportId: z.uuid() });

export const reportParams = z.strictObject({ reportId: z.uuid() });

export const report = z.object({
  reportId: z.uuid(),
  type: z.enum(REPORT_TYPES),
  year: z.number().int(),
  status: z.enum(['QUEUED', 'RUNNING', 'DONE', 'FAILED']),
  progress: z.number().int().min(0).max(100),
  createdDate: z.iso.datetime(),
  files: z.object({
    pdf: z.url().optional().describe('Signed URL, valid one hour'),
    json: z.url().optional().describe('Signed URL, valid one hour'),
  }),
  reason: z.string().optional().describe('Why a FAILED report failed'),
});

export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(100).optional(),
});
export const listResponse = z.object({ reports: z.array(report), nextCursor: z.string().nullable() });
