/**
 * The year-in-review renderer: `renderYearVideo` renders on a worker thread of its own (thread.ts); the
 * render itself is render.ts.
 */
export type { RenderOptions, RenderResult, YearInReviewData } from './data.ts';
export { renderYearVideo } from './thread.ts';
