/** Year in review: request the video of your year of POCs, watch it render, play it. */
import type { Page } from '../app.ts';
import type { Paths } from '../api/schema.gen.ts';
import { h } from '../ui/dom.ts';
import { field, form } from '../ui/form.ts';
import { empty, formatDate, pageHead, pill, progressBar, toast } from '../ui/widgets.ts';
import { unfinished, watchJobs, years } from './jobs.ts';

type Video = Paths['/v1/videos']['get']['responses'][200]['videos'][number];

const videoCard = (v: Video) =>
  h(
    'li',
    { class: 'card stack', 'data-testid': 'video', 'data-status': v.status },
    h('div', { class: 'row' }, h('h3', { class: 'grow' }, `${v.year} in review`), pill(v.status)),
    v.status === 'DONE' && v.url
      ? h('video', {
          controls: true,
          preload: 'metadata',
          src: v.url,
          poster: v.posterUrl,
          'aria-label': `Your ${v.year} in review`,
          'data-testid': 'video-player',
        })
      : unfinished(v.status)
        ? [
            progressBar(v.progress, `Video ${v.year} progress`),
            h('p', { class: 'muted small' }, `Rendering… ${v.progress}%`),
          ]
        : h('p', { class: 'error' }, v.reason ?? 'The render failed.'),
    h(
      'p',
      { class: 'muted small' },
      `Requested ${formatDate(v.createdDate)}`,
      v.durationSec ? ` · ${Math.round(v.durationSec)} s` : '',
      v.width ? ` · ${v.width}×${v.height}` : '',
    ),
  );

export const videosPage: Page = (root, ctx) => {
  const list = h('ul', { class: 'grid list-reset', 'aria-label': 'Videos', 'aria-live': 'polite' });
  const year = field({
    path: 'year',
    label: 'Year',
    options: years().map((y) => [String(y), String(y)] as const),
  });
  let videos: Video[] = [];
  const render = () =>
    list.replaceChildren(
      ...(videos.length
        ? videos.map(videoCard)
        : [
            h(
              'li',
              { class: 'full' },
              empty('No videos yet', 'Your POCs of the year, as a one-minute video with a soundtrack.'),
            ),
          ]),
    );
  const jobs = watchJobs(ctx, 'video', {
    reload: async () => {
      videos = (await ctx.api.get('/v1/videos')).videos;
      render();
      return videos.some((v) => unfinished(v.status));
    },
    onProgress: (p) => {
      videos = videos.map((v) =>
        v.videoId === p.id ? { ...v, status: p.status as Video['status'], progress: p.progress } : v,
      );
      render();
    },
  });
  const f = form({
    fields: [year],
    submitLabel: 'Make my video',
    busyLabel: 'Requesting…',
    onSubmit: async () => {
      await ctx.api.post('/v1/video/yearly', { body: { year: Number(year.control.value) } });
      toast('Video requested: it renders in the background');
      await jobs.poke();
    },
  });
  list.replaceChildren(h('li', { class: 'loading full' }, 'Loading videos…'));
  root.replaceChildren(
    pageHead('Year in review', 'A video of your year of POCs.'),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'v-h' },
      h('h2', { id: 'v-h' }, 'Request a video'),
      f.element,
    ),
    h('h2', { class: 'date-group' }, 'Your videos'),
    list,
  );
  return jobs.stop;
};
