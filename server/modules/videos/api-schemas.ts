import { z } from 'zod';

export { errorResponse as err } from '../../http/problem.ts';

export const requestBody = z.strictObject({
  year: z.number().int().min(2000).max(2100).optional().describe('Default: the current year (UTC)'),
});
export const requestResponse = z.object({ videoId: z.uuid() });
export const videoParams = z.strictObject({ videoId: z.uuid() });

export const video = z.object({
  videoId: z.uuid(),
  year: z.number().int(),
  status: z.enum(['QUEUED', 'RUNNING', 'DONE', 'FAILED']),
  progress: z.number().int().min(0).max(100),
  url: z.url().optional().describe('The MP4 (H.264 + AAC), a signed URL valid one hour'),
  posterUrl: z.url().optional().describe('A PNG poster, a signed URL valid one hour'),
  durationSec: z.number().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  reason: z.string().optional().describe('Why a FAILED video failed'),
  createdDate: z.iso.datetime(),
});
export const listResponse = z.object({ videos: z.array(video) });
