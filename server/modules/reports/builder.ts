import type { Notify, Push } from '../../capabilities.ts';
import type { Logger } from '../../lib/log.ts';
import type { Analytics } from '../../ports/analytics.ts';
import type { Blobs } from '../../ports/blobs.ts';
import { annualFigures, billingFigures } from './figures.ts';
import type { Report, ReportJobs } from './jobs.ts';
import { renderAnnualPdf } from './pdf/annual.ts';
import { renderBillingPdf } from './pdf/billing.ts';

/** Attempts of one report in all (deliveries after crashes included) before it is FAILED for good. */
export const MAX_REPORT_ATTEMPTS = 5;
/** A RUNNING report that showed no progress for this long is taken to be a dead worker's. */
export const STALE_AFTER_MS = 2 * 60_000;

export interface BuilderOptions {
  readonly jobs: ReportJobs;
  readonly db: Analytics;
  readonly blobs: Blobs;
  readonly push: () => Push | undefined;
  readonly notify: () => Notify | undefined;
  readonly logger: Logger;
  readonly now: () => Date;
  /** The currency a billing report of a tenant that never paid is shown in. */
  readonly currency: string;
  readonly staleMs?: number;
}

/**
 * Builds one report (the workers role, from the `reports.jobs` topic): its figures from the read model, the
 * JSON and the PDF into the blob store, progress to the database and the requester's sockets, then
 * `report.ready`. A failure is thrown back to the queue, which retries; on the last delivery, or after
 * MAX_REPORT_ATTEMPTS attempts counted in the row (so a job that keeps killing its worker stops too), it is
 * FAILED with the reason.
 */
export class ReportBuilder {
  readonly #o: BuilderOptions;

  constructor(options: BuilderOptions) {
    this.#o = options;
  }

  async run(reportId: string, lastDelivery: boolean): Promise<void> {
    const report = await this.#o.jobs.start(reportId, this.#o.staleMs ?? STALE_AFTER_MS);
    if (!report) return;
    if (report.attempts > MAX_REPORT_ATTEMPTS) {
      return this.#fail(report, `gave up after ${MAX_REPORT_ATTEMPTS} attempts`);
    }
    await this.#tell(report, 'RUNNING', 5);
    try {
      await this.#build(report);
    } catch (error) {
      this.#o.logger.warn({ err: error, reportId, attempts: report.attempts }, 'report failed');
      if (!lastDelivery) throw error;
      await this.#fail(report, error instanceof Error ? error.message : String(error));
    }
  }

  async #build(report: Report): Promise<void> {
    const { jobs, db, blobs, now } = this.#o;
    const data =
      report.type === 'ANNUAL'
        ? await annualFigures(db, report.tenantId, report.year, now())
        : await billingFigures(db, report.tenantId, report.year, now(), this.#o.currency);
    await this.#step(report, 30);
    let shown = 30;
    const onProgress = (fraction: number) => {
      const at = 30 + Math.round(fraction * 60);
      if (at >= shown + 10) {
        shown = at;
        void this.#step(report, at).catch(() => undefined);
      }
    };
    const pdf =
      'pocs' in data ? await renderAnnualPdf(data, onProgress) : await renderBillingPdf(data, onProgress);
    const base = `reports/${report.tenantId}/${report.reportId}`;
    const json = Buffer.from(JSON.stringify(data, null, 2));
    await blobs.put(`${base}/report.json`, json, {
      contentType: 'application/json',
      contentLength: json.length,
    });
    await blobs.put(`${base}/report.pdf`, pdf, { contentType: 'application/pdf', contentLength: pdf.length });
    await jobs.done(report.reportId, { pdf: `${base}/report.pdf`, json: `${base}/report.json` });
    await this.#tell(report, 'DONE', 100);
    await this.#o.notify()?.send([
      {
        tenantId: report.tenantId,
        userId: report.requestedBy,
        type: 'report.ready',
        title: `${report.type === 'ANNUAL' ? 'Annual' : 'Billing'} report ${report.year} is ready`,
        message: 'Open it to download the PDF.',
        data: { reportId: report.reportId },
        dedupeKey: `report.ready:${report.reportId}`,
      },
    ]);
  }

  async #step(report: Report, progress: number): Promise<void> {
    await this.#o.jobs.progress(report.reportId, progress);
    await this.#tell(report, 'RUNNING', progress);
  }

  async #fail(report: Report, reason: string): Promise<void> {
    await this.#o.jobs.failed(report.reportId, reason);
    await this.#tell(report, 'FAILED', report.progress);
  }

  async #tell(report: Report, status: string, progress: number): Promise<void> {
    await this.#o
      .push()
      ?.toUser(report.requestedBy, 'job:progress', { kind: 'report', id: report.reportId, status, progress })
      .catch(() => undefined);
  }
}
