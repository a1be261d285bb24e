import { randomUUID } from 'node:crypto';
import { invalid } from '../../lib/errors.ts';
import type { Analytics } from '../../ports/analytics.ts';

export const REPORT_TYPES = ['ANNUAL', 'BILLING'] as const;
export type ReportType = (typeof REPORT_TYPES)[number];
export type ReportStatus = 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';

export interface Report {
  readonly reportId: string;
  readonly tenantId: string;
  readonly requestedBy: string;
  readonly type: ReportType;
  readonly year: number;
  readonly status: ReportStatus;
  readonly progress: number;
  /** Blob keys of the files, once DONE. */
  readonly files: { readonly pdf?: string; readonly json?: string };
  readonly reason: string | null;
  readonly attempts: number;
  readonly created: Date;
  readonly updated: Date;
}

/** A type, not an interface: rows are records of their columns. */
type ReportRow = {
  report_id: string;
  tenant_id: string;
  requested_by: string;
  type: ReportType;
  year: number;
  status: ReportStatus;
  progress: number;
  files: Report['files'];
  reason: string | null;
  attempts: number;
  created: Date;
  updated: Date;
};

const reportOf = (r: ReportRow): Report => ({
  reportId: r.report_id,
  tenantId: r.tenant_id,
  requestedBy: r.requested_by,
  type: r.type,
  year: r.year,
  status: r.status,
  progress: r.progress,
  files: r.files ?? {},
  reason: r.reason,
  attempts: r.attempts,
  created: r.created,
  updated: r.updated,
});

const CURSOR = /^(\d{1,15})_([0-9a-f-]{36})$/;
export const badCursor = () =>
  invalid('REPORT.BAD_CURSOR', 'The cursor is malformed.', [
    { path: 'query.cursor', message: 'Invalid cursor; start again without one' },
  ]);

/** The seed's `reports` table, in the analytics database beside the read model it is computed from. */
export class ReportJobs {
  readonly #db: Analytics;
  readonly #now: () => Date;

  constructor(db: Analytics, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  /**
   * A new QUEUED report, or the one of the same tenant, type and year still QUEUED or RUNNING (a partial
   * unique index makes that one row whatever the concurrency). `fresh` tells which.
   */
  async request(
    tenantId: string,
    userId: string,
    type: ReportType,
    year: number,
  ): Promise<{ report: Report; fresh: boolean }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.#now();
      const [inserted] = await this.#db.query<ReportRow>(
        `INSERT INTO reports (report_id, tenant_id, requested_by, type, year, status, created, updated)
         VALUES ($1, $2, $3, $4, $5, 'QUEUED', $6, $6)
         ON CONFLICT (tenant_id, type, year) WHERE status IN ('QUEUED', 'RUNNING') DO NOTHING RETURNING *`,
        [randomUUID(), tenantId, userId, type, year, now],
      );
      if (inserted) return { report: reportOf(inserted), fresh: true };
      const [running] = await this.#db.query<ReportRow>(
        `SELECT * FROM reports WHERE tenant_id = $1 AND type = $2 AND year = $3 AND status IN ('QUEUED', 'RUNNING')`,
        [tenantId, type, year],
      );
      if (running) return { report: reportOf(running), fresh: false };
    }
    throw new Error('a report request kept racing with its completion');
  }

  async get(reportId: string): Promise<Report | undefined> {
    const [row] = await this.#db.query<ReportRow>('SELECT * FROM reports WHERE report_id = $1', [reportId]);
    return row ? reportOf(row) : undefined;
  }

  /** The tenant's reports, newest first; the cursor is the last one's position (tenant-scoped by the query). */
  async list(
    tenantId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ reports: Report[]; nextCursor: string | null }> {
    const at = cursor === undefined ? undefined : CURSOR.exec(cursor);
    if (cursor !== undefined && !at) throw badCursor();
    const rows = await this.#db.query<ReportRow>(
      at
        ? `SELECT * FROM reports WHERE tenant_id = $1 AND (created, report_id) < ($3, $4::uuid)
           ORDER BY created DESC, report_id DESC LIMIT $2`
        : 'SELECT * FROM reports WHERE tenant_id = $1 ORDER BY created DESC, report_id DESC LIMIT $2',
      at ? [tenantId, limit + 1, new Date(Number(at[1])), at[2]] : [tenantId, limit + 1],
    );
    const page = rows.slice(0, limit).map(reportOf);
    const last = page.at(-1);
    return {
      reports: page,
      nextCursor: rows.length > limit && last ? `${last.created.getTime()}_${last.reportId}` : null,
    };
  }

  /**
   * Takes the job: RUNNING, one more attempt. Undefined when it is finished, or running on a worker that
   * showed progress within `staleMs` (a duplicate delivery must not build it twice at once; if that worker
   * died, the sweeper queues the job again once it is stale).
   */
  async start(reportId: string, staleMs: number): Promise<Report | undefined> {
    const now = this.#now();
    const [row] = await this.#db.query<ReportRow>(
      `UPDATE reports SET status = 'RUNNING', attempts = attempts + 1, progress = 5, updated = $2
       WHERE report_id = $1 AND (status = 'QUEUED' OR (status = 'RUNNING' AND updated < $3)) RETURNING *`,
      [reportId, now, new Date(now.getTime() - staleMs)],
    );
    return row ? reportOf(row) : undefined;
  }

  async progress(reportId: string, progress: number): Promise<void> {
    await this.#db.query(
      `UPDATE reports SET progress = GREATEST(progress, $2), updated = $3 WHERE report_id = $1 AND status = 'RUNNING'`,
      [reportId, Math.round(progress), this.#now()],
    );
  }

  async done(reportId: string, files: Report['files']): Promise<void> {
    await this.#db.query(
      `UPDATE reports SET status = 'DONE', progress = 100, files = $2::jsonb, reason = NULL, updated = $3
       WHERE report_id = $1`,
      [reportId, JSON.stringify(files), this.#now()],
    );
  }

  async failed(reportId: string, reason: string): Promise<void> {
    await this.#db.query(
      `UPDATE reports SET status = 'FAILED', reason = $2, updated = $3 WHERE report_id = $1 AND status <> 'DONE'`,
      [reportId, reason.slice(0, 500), this.#now()],
    );
  }

  /** Unfinished jobs nobody has touched since `before`: a worker died with them, or their job was never queued. */
  /**
   * Unfinished jobs nobody has touched since `before` (a worker died with them, or their job was never
   * queued), put back to QUEUED so that the job the sweep publishes again can be taken at once.
   */
  async requeueStale(before: Date): Promise<Report[]> {
    const rows = await this.#db.query<ReportRow>(
      `UPDATE reports SET status = 'QUEUED', updated = $2
       WHERE status IN ('QUEUED', 'RUNNING') AND updated < $1 RETURNING *`,
      [before, this.#now()],
    );
    return rows.map(reportOf);
  }

  async touch(reportId: string): Promise<void> {
    await this.#db.query('UPDATE reports SET updated = $2 WHERE report_id = $1', [reportId, this.#now()]);
  }
}
