/**
 * Child of bench/video.ts: renders the sample year once and prints one JSON line: frames, seconds, the video's
 * duration, this process's CPU seconds during the render (ffmpeg's not included), its peak RSS (VmHWM) and
 * ffmpeg's (read from /proc while it runs).
 * `--ballast N` first fills the heap with N MB of live objects, as the workers' process holds its own.
 *   node bench/video-render.ts [--width 1080] [--fps 30] [--pocs 80] [--ballast 0]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sampleYear } from '../server/modules/videos/render/data.ts';
import { renderYearVideo } from '../server/modules/videos/render/index.ts';
import { numberOption } from './args.ts';
import { peakRssBytes, pidsMatching } from './proc.ts';

const args = process.argv.slice(2);
const size = numberOption(args, '--width', 1080);
const fps = numberOption(args, '--fps', 30);
const ballast: object[] = [];
while (process.memoryUsage().heapUsed < numberOption(args, '--ballast', 0) * 1e6) {
  for (let i = 0; i < 10_000; i++) ballast.push({ i, name: `poc ${i}`, tags: [i] });
}
const dir = mkdtempSync(path.join(tmpdir(), 'bench-video-'));
const outFile = path.join(dir, 'year.mp4');
let ffmpegPeak = 0;
// /proc is searched for ffmpeg only until it is found (reading every process's command line is not free,
// and it would be charged to the render), then only its own status is read.
let ffmpegPids: number[] = [];
const poll = setInterval(() => {
  if (!ffmpegPids.length) ffmpegPids = pidsMatching((cmd) => cmd.includes(outFile) && cmd.includes('ffmpeg'));
  for (const pid of ffmpegPids) {
    try {
      const peak = peakRssBytes(pid); // NaN once it is a zombie
      if (Number.isFinite(peak)) ffmpegPeak = Math.max(ffmpegPeak, peak);
    } catch {
      // gone meanwhile
    }
  }
}, 100);
const cpu = process.cpuUsage();
const started = performance.now();
const result = await renderYearVideo(sampleYear(numberOption(args, '--pocs', 80)), outFile, {
  width: size,
  height: size,
  fps,
});
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
clearInterval(poll);
const bytes = statSync(outFile).size;
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    frames: result.frames,
    durationSec: result.durationSec,
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    bytes,
    peakRss: peakRssBytes(),
    ffmpegPeakRss: ffmpegPeak,
    heapMb: ballast.length ? process.memoryUsage().heapUsed / 1e6 : 0,
  }),
);
