/** Reports (owner/admin): request an annual or billing report for a year, watch it progress, download PDF/JSON. */
import type { Page } from '../app.ts';
import type { Paths } from '../api/schema.gen.ts';
import { h } from '../ui/dom.ts';
import { field, form } from '../ui/form.ts';
import { empty, formatDate, pageHead, pill, progressBar, toast } from '../ui/widgets.ts';
import { unfinished, watchJobs, years } from './jobs.ts';

type Report = Paths['/v1/reports']['get']['responses'][200]['reports'][number];

const reportRow = (r: Report) =>
  h(
    'li',
    { class: 'stack', 'data-testid': 'report', 'data-report-id': r.reportId, 'data-status': r.status },
    h(
      'div',
      { class: 'row' },
      h('strong', { class: 'grow' }, `${r.type === 'ANNUAL' ? 'Annual report' : 'Billing report'} ${r.year}`),
      pill(r.status),
    ),
    unfinished(r.status) ? progressBar(r.progress, `Report ${r.year} progress`) : null,
    h(
      'div',
      { class: 'row small' },
      h('span', { class: 'muted' }, `Requested ${formatDate(r.createdDate)}`),
      r.files.pdf
        ? h(
            'a',
            {
              class: 'btn small',
              href: r.files.pdf,
              target: '_blank',
              rel: 'noopener',
              'data-testid': 'report-pdf',
            },
            'Download PDF',
          )
        : null,
      r.files.json
        ? h(
            'a',
            { class: 'btn small secondary', href: r.files.json, target: '_blank', rel: 'noopener' },
            'JSON',
          )
        : null,
      r.reason ? h('span', { class: 'error' }, r.reason) : null,
    ),
  );

export const reportsPage: Page = (root, ctx) => {
  const list = h('ul', { class: 'list', 'aria-label': 'Reports', 'aria-live': 'polite' });
  const type = field({
    path: 'type',
    label: 'Report',
    options: [
      ['annual', 'Annual activity (POCs, dojos, members)'],
      ['billing', 'Billing (payments, subscription)'],
    ],
  });
  const year = field({
    path: 'year',
    label: 'Year',
    options: years().map((y) => [String(y), String(y)] as const),
  });
  let reports: Report[] = [];
  const render = () =>
    list.replaceChildren(
      ...(reports.length
        ? reports.map(reportRow)
        : [
            h(
              'li',
              {},
              empty(
                'No reports yet',
                'Request one: it is built in the background, and you get a notification when it is ready.',
              ),
            ),
          ]),
    );
  const reload = async () => {
    reports = (await ctx.api.get('/v1/reports', { query: { limit: 20 } })).reports;
    render();
    return reports.some((r) => unfinished(r.status));
  };
  const jobs = watchJobs(ctx, 'report', {
    reload,
    onProgress: (p) => {
      reports = reports.map((r) =>
        r.reportId === p.id ? { ...r, status: p.status as Report['status'], progress: p.progress } : r,
      );
      render();
    },
  });
  const f = form({
    fields: [type, year],
    submitLabel: 'Request report',
    busyLabel: 'Requesting…',
    onSubmit: async () => {
      const body = { year: Number(year.control.value) };
      if (type.control.value === 'billing') await ctx.api.post('/v1/report/billing', { body });
      else await ctx.api.post('/v1/report/annual', { body });
      toast('Report requested');
      await jobs.poke();
    },
  });
  list.replaceChildren(h('li', { class: 'loading' }, 'Loading reports…'));
  root.replaceChildren(
    pageHead('Reports', 'Your workspace’s year in numbers, as PDF and JSON.'),
    h(
      'div',
      { class: 'grid two' },
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'req-h' },
        h('h2', { id: 'req-h' }, 'Request a report'),
        f.element,
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'list-h' },
        h('h2', { id: 'list-h' }, 'Your reports'),
        list,
      ),
    ),
  );
  return jobs.stop;
};
