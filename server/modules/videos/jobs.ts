import { randomUUID } from 'node:crypto';
import type { Analytics, AnalyticsMigration } from '../../ports/analytics.ts';

export type VideoStatus = 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';

export const VIDEO_MIGRATIONS: readonly AnalyticsMigration[] = [
  {
    id: '0200_videos',
    sql: `
      CREATE TABLE videos (
        video_id uuid PRIMARY KEY, tenant_id uuid NOT NULL, user_id uuid NOT NULL, year int NOT NULL,
        status text NOT NULL, progress int NOT NULL DEFAULT 0, video_key text, poster_key text,
        duration_sec double precision, width int, height int, reason text, attempts int NOT NULL DEFAULT 0,
        created timestamptz NOT NULL, updated timestamptz NOT NULL
      );
      CREATE INDEX videos_by_user ON videos (user_id, created DESC);
      CREATE UNIQUE INDEX videos_one_running ON videos (user_id, year) WHERE status IN ('QUEUED', 'RUNNING');
    `,
  },
];

/** A row of `videos` (a type, not an interface: rows are records of their columns). */
export type Video = {
  video_id: string;
  tenant_id: string;
  user_id: string;
  year: number;
  status: VideoStatus;
  progress: number;
  video_key: string | null;
  poster_key: string | null;
  duration_sec: number | null;
  width: number | null;
  height: number | null;
  reason: string | null;
  attempts: number;
  created: Date;
  updated: Date;
};

/** The videos table: one render per user and year at a time, progress, the files once DONE. */
export class VideoJobs {
  readonly #db: Analytics;
  readonly #now: () => Date;

  constructor(db: Analytics, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  /** A new QUEUED video, or the user's one of that year still QUEUED or RUNNING (`fresh` says which). */
  async request(tenantId: string, userId: string, year: number): Promise<{ video: Video; fresh: boolean }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.#now();
      const [inserted] = await this.#db.query<Video>(
        `INSERT INTO videos (video_id, tenant_id, user_id, year, status, created, updated)
         VALUES ($1, $2, $3, $4, 'QUEUED', $5, $5)
         ON CONFLICT (user_id, year) WHERE status IN ('QUEUED', 'RUNNING') DO NOTHING RETURNING *`,
        [randomUUID(), tenantId, userId, year, now],
      );
      if (inserted) return { video: inserted, fresh: true };
      const [running] = await this.#db.query<Video>(
        `SELECT * FROM videos WHERE user_id = $1 AND year = $2 AND status IN ('QUEUED', 'RUNNING')`,
        [userId, year],
      );
      if (running) return { video: running, fresh: false };
    }
    throw new Error('a video request kept racing with its completion');
  }

  async get(videoId: string): Promise<Video | undefined> {
    return (await this.#db.query<Video>('SELECT * FROM videos WHERE video_id = $1', [videoId]))[0];
  }

  async list(userId: string): Promise<Video[]> {
    return this.#db.query<Video>('SELECT * FROM videos WHERE user_id = $1 ORDER BY created DESC LIMIT 50', [
      userId,
    ]);
  }

  /** Takes the job (see ReportJobs.start: a RUNNING one only once it is stale). */
  async start(videoId: string, staleMs: number): Promise<Video | undefined> {
    const now = this.#now();
    const [row] = await this.#db.query<Video>(
      `UPDATE videos SET status = 'RUNNING', attempts = attempts + 1, progress = 1, updated = $2
       WHERE video_id = $1 AND (status = 'QUEUED' OR (status = 'RUNNING' AND updated < $3)) RETURNING *`,
      [videoId, now, new Date(now.getTime() - staleMs)],
    );
    return row;
  }

  async progress(videoId: string, progress: number): Promise<void> {
    await this.#db.query(
      `UPDATE videos SET progress = GREATEST(progress, $2), updated = $3 WHERE video_id = $1 AND status = 'RUNNING'`,
      [videoId, Math.round(progress), this.#now()],
    );
  }

  async done(
    videoId: string,
    files: { videoKey: string; posterKey: string; durationSec: number; width: number; height: number },
  ): Promise<void> {
    await this.#db.query(
      `UPDATE videos SET status = 'DONE', progress = 100, video_key = $2, poster_key = $3, duration_sec = $4,
         width = $5, height = $6, reason = NULL, updated = $7 WHERE video_id = $1`,
      [videoId, files.videoKey, files.posterKey, files.durationSec, files.width, files.height, this.#now()],
    );
  }

  async failed(videoId: string, reason: string): Promise<void> {
    await this.#db.query(
      `UPDATE videos SET status = 'FAILED', reason = $2, updated = $3 WHERE video_id = $1 AND status <> 'DONE'`,
      [videoId, reason.slice(0, 500), this.#now()],
    );
  }

  /**
   * Unfinished jobs nobody has touched since `before` (a worker died with them, or their job was never
   * queued), put back to QUEUED so that the job the sweep publishes again can be taken at once.
   */
  async requeueStale(before: Date): Promise<Video[]> {
    return this.#db.query<Video>(
      `UPDATE videos SET status = 'QUEUED', updated = $2
       WHERE status IN ('QUEUED', 'RUNNING') AND updated < $1 RETURNING *`,
      [before, this.#now()],
    );
  }

  async touch(videoId: string): Promise<void> {
    await this.#db.query('UPDATE videos SET updated = $2 WHERE video_id = $1', [videoId, this.#now()]);
  }
}
