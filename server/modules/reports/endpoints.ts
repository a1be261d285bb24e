import { callerOf } from '../../http/auth.ts';
import { defineEndpoint, reply, type AnyEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../lib/errors.ts';
import type { Blobs } from '../../ports/blobs.ts';
import type { Queue } from '../../ports/queue.ts';
import * as S from './api-schemas.ts';
import type { Report, ReportJobs, ReportType } from './jobs.ts';

export const JOBS_TOPIC = 'reports.jobs';
const TAGS = ['reports'];
const MANAGERS = { roles: ['owner', 'admin'] } as const;
const URL_TTL_SECONDS = 3600;

export interface ReportEndpointsOptions {
  readonly jobs: ReportJobs;
  readonly queue: Queue;
  readonly blobs: Blobs;
  readonly now: () => Date;
}

export const enqueue = (queue: Queue, report: Report) =>
  queue.publish(JOBS_TOPIC, [{ key: report.tenantId, value: { reportId: report.reportId } }]);

export function reportEndpoints(o: ReportEndpointsOptions): AnyEndpoint[] {
  const view = async (r: Report) => ({
    reportId: r.reportId,
    type: r.type,
    year: r.year,
    status: r.status,
    progress: r.progress,
    createdDate: r.created.toISOString(),
    files: Object.fromEntries(
      await Promise.all(
        (['pdf', 'json'] as const)
          .filter((k) => r.files[k])
          .map(async (k) => [
            k,
            await o.blobs.signedUrl(r.files[k] as string, { expiresInSeconds: URL_TTL_SECONDS }),
          ]),
      ),
    ),
    ...(r.status === 'FAILED' && r.reason ? { reason: r.reason } : {}),
  });
  const request = (path: string, type: ReportType, summary: string) =>
    defineEndpoint({
      method: 'post',
      path,
      summary,
      description:
        'Queues the report (202). Asking again for the same type and year while it is QUEUED or RUNNING ' +
        'returns the same id. Progress: GET /v1/report/{reportId} and the `job:progress` socket event.',
      tags: TAGS,
      auth: MANAGERS,
      body: S.requestBody,
      responses: {
        202: { description: 'Queued', schema: S.requestResponse },
        400: S.err('Invalid year'),
        403: S.err("Only the tenant's owner or admins (AUTH.ROLE_REQUIRED)"),
      },
      handler: async ({ body, res }) => {
        const caller = callerOf(res);
        const year = body.year ?? o.now().getUTCFullYear();
        const { report, fresh } = await o.jobs.request(caller.tenantId, caller.userId, type, year);
        // A report still QUEUED a while after it was asked for may have lost its job (the publish failed
        // after the row was written): asking again queues it again.
        const lost = report.status === 'QUEUED' && o.now().getTime() - report.updated.getTime() > 30_000;
        if (lost) await o.jobs.touch(report.reportId);
        if (fresh || lost) await enqueue(o.queue, report);
        return reply(202, { reportId: report.reportId });
      },
    });
  return [
    request('/v1/report/anual', 'ANNUAL', "The tenant's annual report (the seed's spelling)"),
    request('/v1/report/annual', 'ANNUAL', "The tenant's annual report"),
    request('/v1/report/billing', 'BILLING', "The tenant's billing report"),
    defineEndpoint({
      method: 'get',
      path: '/v1/report/:reportId',
      summary: 'A report: its status, progress and files',
      tags: TAGS,
      auth: MANAGERS,
      params: S.reportParams,
      responses: {
        200: { description: 'The report', schema: S.report },
        400: S.err('Malformed id'),
        403: S.err("Only the tenant's owner or admins (AUTH.ROLE_REQUIRED)"),
        404: S.err("No such report in the caller's tenant"),
      },
      handler: async ({ params, res }) => {
        const report = await o.jobs.get(params.reportId);
        if (!report || report.tenantId !== callerOf(res).tenantId)
          throw notFound('REPORT.NOT_FOUND', 'No such report.');
        return reply(200, await view(report));
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/v1/reports',
      summary: "The tenant's reports, newest first",
      tags: TAGS,
      auth: MANAGERS,
      query: S.listQuery,
      responses: {
        200: { description: 'A page of reports', schema: S.listResponse },
        400: S.err('Invalid query or cursor'),
        403: S.err("Only the tenant's owner or admins (AUTH.ROLE_REQUIRED)"),
      },
      handler: async ({ query, res }) => {
        const page = await o.jobs.list(callerOf(res).tenantId, query.limit, query.cursor);
        return reply(200, {
          reports: await Promise.all(page.reports.map(view)),
          nextCursor: page.nextCursor,
        });
      },
    }),
  ];
}
