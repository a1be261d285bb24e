/**
 * ffmpeg (the binary of `@ffmpeg-installer/ffmpeg`) as an H.264 + AAC encoder: raw I420 frames go to its
 * stdin, the soundtrack (raw PCM) through a pipe of its own once it is ready (ffmpeg starts meanwhile). Writes
 * wait once a few frames are queued; an abort, or a soundtrack that fails, kills ffmpeg; a non-zero exit
 * rejects with the tail of its stderr.
 */
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { SAMPLE_RATE } from './audio.ts';
import type { Hold } from './timeline.ts';

export const FFMPEG = ffmpeg.path;

/** x264 settings (measured on 2 cores: see bench/video.ts). */
export const VIDEO_CODEC = ['-c:v', 'libx264', '-preset', 'superfast', '-crf', '23', '-tune', 'animation'];
export const AUDIO_CODEC = ['-c:a', 'aac', '-b:a', '128k'];
export const OUTPUT = [
  '-sws_flags',
  'fast_bilinear+full_chroma_inp',
  '-pix_fmt',
  'yuv420p',
  '-shortest',
  '-movflags',
  '+faststart',
];
export const pcmInput = (file: string): string[] => [
  '-f',
  's16le',
  '-ar',
  String(SAMPLE_RATE),
  '-ac',
  '2',
  '-i',
  file,
];

/**
 * The filter that puts the held frames back: one `loop` filter a hold, each repeating one frame `extra`
 * times, then timestamps frame after frame. The frames piped are the video without its repeats, so a still
 * second costs the pipe (and both processes' copies) nothing; x264 still encodes every frame. This ffmpeg's
 * `loop` repeats the frame just before `start` (test/videos/render/holds.test.ts holds it to that); the
 * holds before a hold are already back in its input, so frame numbers are those of the whole video.
 */
export function holdFilter(holds: readonly Hold[], fps: number): string {
  return [
    ...holds.map((h) => `loop=loop=${h.extra}:size=1:start=${h.frame + 1}`),
    `setpts=N/(${fps}*TB)`,
  ].join(',');
}

/** Frames queued for the pipe at most (each a buffer of its own until written). */
const IN_FLIGHT = 3;

export interface Encoder {
  /**
   * Resolves once ffmpeg has room for more (a few frames may stay queued); `written` is called once the
   * pipe is done with `frame` (the buffer may then be reused), whether or not the write succeeded.
   */
  write(frame: Buffer, written?: () => void): Promise<void>;
  /** Ends the input and waits for ffmpeg to finish the file. */
  finish(): Promise<void>;
  /** Stops ffmpeg at once and waits for it to be gone. */
  kill(): Promise<void>;
  readonly pid: number | undefined;
}

export function startEncoder(opts: {
  width: number;
  height: number;
  fps: number;
  audio: Promise<Buffer>;
  /** Frames ffmpeg shows again itself: they are not written (see `holdFilter`). */
  holds?: readonly Hold[];
  outFile: string;
  signal?: AbortSignal | undefined;
}): Encoder {
  const { width, height, fps } = opts;
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...[
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
      '-s',
      `${width}x${height}`,
      '-r',
      String(fps),
      '-i',
      'pipe:0',
    ],
    ...pcmInput('pipe:3'),
    ...['-vf', holdFilter(opts.holds ?? [], fps)],
    ...['-map', '0:v', '-map', '1:a', ...VIDEO_CODEC, ...AUDIO_CODEC, ...OUTPUT, opts.outFile],
  ];
  const child = spawn(FFMPEG, args, { stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
  // Spawned with a fourth pipe, the child's streams are not typed: these are the three opened above.
  const stdin = child.stdio[0] as Writable;
  const stderrStream = child.stdio[2] as Readable;
  const audioPipe = child.stdio[3] as Writable;
  let failure: unknown;
  audioPipe.on('error', () => {
    // EPIPE when ffmpeg dies early, as for stdin
  });
  opts.audio.then(
    (pcm) => audioPipe.end(pcm),
    (error: unknown) => {
      failure = error;
      child.kill('SIGKILL');
    },
  );
  let stderr = '';
  stderrStream.setEncoding('utf8');
  stderrStream.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  stdin.on('error', () => {
    // EPIPE when ffmpeg dies early: reported by `done` with its stderr.
  });
  const onAbort = () => child.kill('SIGKILL');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) reject(opts.signal.reason ?? new Error('aborted'));
      else if (failure !== undefined) reject(failure);
      else if (code === 0) resolve();
      else reject(new Error(`ffmpeg exited with ${code ?? sig}: ${stderr.trim().slice(-1500)}`));
    });
  });
  done.catch(() => {
    // observed through write() and finish()
  });
  let ended = false;
  const endedEarly = done.then(() => {
    if (!ended) throw new Error(`ffmpeg ended before its input: ${stderr.trim().slice(-1500)}`);
  });
  endedEarly.catch(() => {});
  // Frames written but not yet taken by the pipe, oldest first: waiting for the oldest of a few (rather than
  // for 'drain', an empty queue) keeps a frame or two queued, so drawing the next frame overlaps ffmpeg
  // reading the last, and neither waits for the other.
  const queued: Promise<void>[] = [];
  return {
    pid: child.pid,
    async write(frame, written) {
      queued.push(
        new Promise<void>((resolve) =>
          stdin.write(frame, () => {
            written?.();
            resolve();
          }),
        ),
      );
      if (queued.length <= IN_FLIGHT) return;
      try {
        await Promise.race([queued.shift(), endedEarly]);
      } catch (error) {
        await done; // ffmpeg's own reason (its stderr, or the abort) first
        throw error;
      }
    },
    async finish() {
      ended = true;
      stdin.end();
      await done;
    },
    async kill() {
      ended = true;
      child.kill('SIGKILL');
      await done.catch(() => undefined);
    },
  };
}
