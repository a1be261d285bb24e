import { callerOf } from '../../http/auth.ts';
import { defineEndpoint, reply, type AnyEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../lib/errors.ts';
import type { Blobs } from '../../ports/blobs.ts';
import type { Queue } from '../../ports/queue.ts';
import * as S from './api-schemas.ts';
import type { Video, VideoJobs } from './jobs.ts';

export const JOBS_TOPIC = 'videos.jobs';
const TAGS = ['videos'];
const URL_TTL_SECONDS = 3600;

export const enqueue = (queue: Queue, v: Video) =>
  queue.publish(JOBS_TOPIC, [{ key: v.user_id, value: { videoId: v.video_id } }]);

export function videoEndpoints(o: {
  jobs: VideoJobs;
  queue: Queue;
  blobs: Blobs;
  now: () => Date;
}): AnyEndpoint[] {
  const signed = (key: string | null) =>
    key ? o.blobs.signedUrl(key, { expiresInSeconds: URL_TTL_SECONDS }) : Promise.resolve(undefined);
  const view = async (v: Video) => {
    const [url, posterUrl] = await Promise.all([signed(v.video_key), signed(v.poster_key)]);
    return {
      videoId: v.video_id,
      year: v.year,
      status: v.status,
      progress: v.progress,
      createdDate: v.created.toISOString(),
      ...(v.status === 'DONE' && url ? { url } : {}),
      ...(v.status === 'DONE' && posterUrl ? { posterUrl } : {}),
      ...(v.duration_sec !== null ? { durationSec: v.duration_sec } : {}),
      ...(v.width !== null ? { width: v.width } : {}),
      ...(v.height !== null ? { height: v.height } : {}),
      ...(v.status === 'FAILED' && v.reason ? { reason: v.reason } : {}),
    };
  };
  return [
    defineEndpoint({
      method: 'post',
      path: '/v1/video/yearly',
      summary: "The caller's year of POCs as a video",
      description:
        'Queues the render (202). Asking again for the same year while it is QUEUED or RUNNING returns the same ' +
        'id. Progress: GET /v1/video/{videoId} and the `job:progress` socket event; `video.ready` when done.',
      tags: TAGS,
      auth: true,
      body: S.requestBody,
      responses: { 202: { description: 'Queued', schema: S.requestResponse }, 400: S.err('Invalid year') },
      handler: async ({ body, res }) => {
        const caller = callerOf(res);
        const year = body.year ?? o.now().getUTCFullYear();
        const { video, fresh } = await o.jobs.request(caller.tenantId, caller.userId, year);
        const lost = video.status === 'QUEUED' && o.now().getTime() - video.updated.getTime() > 30_000;
        if (lost) await o.jobs.touch(video.video_id);
        if (fresh || lost) await enqueue(o.queue, video);
        return reply(202, { videoId: video.video_id });
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/v1/video/:videoId',
      summary: 'A video: its status, progress and files',
      tags: TAGS,
      auth: true,
      params: S.videoParams,
      responses: {
        200: { description: 'The video', schema: S.video },
        400: S.err('Malformed id'),
        404: S.err("No such video of the caller's"),
      },
      handler: async ({ params, res }) => {
        const video = await o.jobs.get(params.videoId);
        if (!video || video.user_id !== callerOf(res).userId)
          throw notFound('VIDEO.NOT_FOUND', 'No such video.');
        return reply(200, await view(video));
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/v1/videos',
      summary: "The caller's videos, newest first",
      tags: TAGS,
      auth: true,
      responses: { 200: { description: 'The videos', schema: S.listResponse } },
      handler: async ({ res }) =>
        reply(200, { videos: await Promise.all((await o.jobs.list(callerOf(res).userId)).map(view)) }),
    }),
  ];
}
