import { execFileSync } from 'node:child_process';
import ffprobe from '@ffprobe-installer/ffprobe';

export interface Probed {
  readonly codecs: string[];
  readonly width: number;
  readonly height: number;
  readonly durationSec: number;
}

/** What ffprobe says of a media file: its streams' codecs, the video's size and the duration. */
export function probe(file: string): Probed {
  const out = execFileSync(
    ffprobe.path,
    ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file],
    {
      encoding: 'utf8',
    },
  );
  const info = JSON.parse(out) as {
    streams: { codec_name: string; width?: number; height?: number }[];
    format: { duration: string };
  };
  const video = info.streams.find((s) => s.width !== undefined);
  return {
    codecs: info.streams.map((s) => s.codec_name).sort(),
    width: video?.width ?? 0,
    height: video?.height ?? 0,
    durationSec: Number(info.format.duration),
  };
}
