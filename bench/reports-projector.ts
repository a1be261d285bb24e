/**
 * The reports module's projector alone on this process's adapters (the queue and analytics of its
 * environment), for `npm run bench -- reports` and the kill test (test/reports/kill.test.ts). Consumes the
 * event topics (`events.pocs`, or every domain's with `--all-topics`) until the read model holds `--count`
 * events, then, given `--tenant`, builds that tenant's annual report. Prints `READY {}`, `PROJECTED <n>`
 * after each batch, then one `DONE {…}` line.
 */
import { loadProcessConfig } from '../config/index.ts';
import { createAdapters } from '../server/adapters/index.ts';
import { EVENT_DOMAINS, type DomainEvent } from '../server/capabilities.ts';
import { createLogger } from '../server/lib/log.ts';
import { annualFigures } from '../server/modules/reports/figures.ts';
import { renderAnnualPdf } from '../server/modules/reports/pdf/annual.ts';
import { project } from '../server/modules/reports/projector.ts';
import { READ_MODEL_MIGRATIONS } from '../server/modules/reports/read-model.ts';
import { option } from './args.ts';
import { peakRssBytes } from './proc.ts';

const args = process.argv.slice(2);
const count = Number(option(args, '--count', '1000000'));
const tenant = option(args, '--tenant', '');
const year = Number(option(args, '--year', String(new Date().getUTCFullYear())));
const config = loadProcessConfig();
const adapters = await createAdapters({ config, logger: createLogger({ level: 'warn' }) });
await adapters.analytics.migrate(READ_MODEL_MIGRATIONS);

// Resumable: a run after a killed one counts what the read model already holds.
const [held] = await adapters.analytics.query<{ n: number }>('SELECT count(*) AS n FROM processed_events');
let projected = held?.n ?? 0;
let first = 0;
let finish: () => void = () => {};
const finished = new Promise<void>((resolve) => (finish = resolve));
if (projected >= count) finish();
const domains = args.includes('--all-topics') ? EVENT_DOMAINS : (['pocs'] as const);
const subscriptions = await Promise.all(
  domains.map((domain) =>
    adapters.queue.subscribeBatch({
      topic: `events.${domain}`,
      group: `reports-projector.${domain}`,
      maxMessages: 1000,
      handler: async (messages) => {
        first ||= performance.now();
        // Read after the await: `projected += await …` would add to a value read before it, losing the
        // counts of the other topics' handlers that finished meanwhile.
        const fresh = await project(
          adapters.analytics,
          messages.map((m) => m.value as DomainEvent),
        );
        projected += fresh;
        console.log(`PROJECTED ${projected}`);
        if (projected >= count) finish();
      },
    }),
  ),
);
console.log('READY {}');
await finished;
const projectSeconds = (performance.now() - first) / 1000;
await Promise.all(subscriptions.map((s) => s.close()));
if (!tenant) {
  console.log(`DONE ${JSON.stringify({ projected })}`);
  await adapters.close();
  process.exit(0);
}

const started = performance.now();
const data = await annualFigures(adapters.analytics, tenant, year, new Date());
const figuresSeconds = (performance.now() - started) / 1000;
const pdf = await renderAnnualPdf(data);
const reportSeconds = (performance.now() - started) / 1000;
console.log(
  `DONE ${JSON.stringify({
    projected,
    projectSeconds,
    figuresSeconds,
    reportSeconds,
    pdfBytes: pdf.length,
    pocs: data.pocs.total,
    peakRss: peakRssBytes(),
  })}`,
);
await adapters.close();
process.exit(0);
