/**
 * A real VP8 + Opus clip for the SFU's tests and benchmark: a moving test pattern and a tone encoded once
 * by ffmpeg (libvpx into IVF, libopus into Ogg), parsed into frames, and cached in the temp directory so
 * later runs skip the encode.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ffmpeg from '@ffmpeg-installer/ffmpeg';

export interface VideoFrame {
  readonly data: Buffer;
  readonly keyframe: boolean;
}

export interface Clip {
  /** 30 frames a second. */
  readonly video: readonly VideoFrame[];
  /** One Opus packet per 20 ms. */
  readonly audio: readonly Buffer[];
}

export const VIDEO_FPS = 30;
export const AUDIO_PACKET_MS = 20;

/** Parses an IVF file (32-byte header, then 12-byte frame headers) into VP8 frames. */
export function parseIvf(file: Buffer): VideoFrame[] {
  if (file.toString('latin1', 0, 4) !== 'DKIF') throw new Error('not an IVF file');
  const frames: VideoFrame[] = [];
  let at = file.readUInt16LE(6);
  while (at + 12 <= file.length) {
    const size = file.readUInt32LE(at);
    const data = file.subarray(at + 12, at + 12 + size);
    // VP8 frame tag: bit 0 of the first byte is 0 for a key frame (RFC 6386 §9.1).
    frames.push({ data, keyframe: ((data[0] ?? 1) & 1) === 0 });
    at += 12 + size;
  }
  return frames;
}

/** Parses an Ogg Opus file into its audio packets (the OpusHead and OpusTags packets are left out). */
export function parseOggOpus(file: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  let partial: Buffer[] = [];
  let at = 0;
  while (at + 27 <= file.length) {
    if (file.toString('latin1', at, at + 4) !== 'OggS') throw new Error(`no Ogg page at byte ${at}`);
    const segments = file[at + 26] ?? 0;
    let body = at + 27 + segments;
    for (let i = 0; i < segments; i++) {
      const length = file[at + 27 + i] ?? 0;
      partial.push(file.subarray(body, body + length));
      body += length;
      if (length < 255) {
        packets.push(Buffer.concat(partial));
        partial = [];
      }
    }
    at = body;
  }
  return packets.filter((p) => !p.subarray(0, 8).toString('latin1').startsWith('Opus'));
}

/** The clip, encoded on first use: `seconds` long, a keyframe every `keyframeSeconds`. */
export async function loadClip(options: { seconds?: number; keyframeSeconds?: number } = {}): Promise<Clip> {
  const seconds = options.seconds ?? 6;
  const gop = (options.keyframeSeconds ?? 3) * VIDEO_FPS;
  const dir = path.join(tmpdir(), `dojo-sfu-clip-v1-${seconds}s-g${gop}`);
  const ivf = path.join(dir, 'video.ivf');
  const ogg = path.join(dir, 'audio.opus');
  if (!existsSync(ivf) || !existsSync(ogg)) {
    mkdirSync(dir, { recursive: true });
    const run = promisify(execFile);
    const common = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
    await run(ffmpeg.path, [
      ...common,
      ...['-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=${VIDEO_FPS}`, '-t', String(seconds)],
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '600k'],
      ...['-g', String(gop), '-keyint_min', String(gop), '-auto-alt-ref', '0', '-error-resilient', '1'],
      ...['-f', 'ivf', `${ivf}.part`],
    ]);
    await run(ffmpeg.path, [
      ...common,
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds)],
      ...['-c:a', 'libopus', '-b:a', '32k', '-frame_duration', String(AUDIO_PACKET_MS), '-ac', '1'],
      ...['-f', 'ogg', `${ogg}.part`],
    ]);
    renameSync(`${ivf}.part`, ivf);
    renameSync(`${ogg}.part`, ogg);
  }
  return { video: parseIvf(readFileSync(ivf)), audio: parseOggOpus(readFileSync(ogg)) };
}
