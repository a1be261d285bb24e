/**
 * The segments ffmpeg can open. A segment whose upload was lost, or whose file is empty or not Matroska/
 * WebM (a node that died before writing its header), would stop the whole concat input, so it is left
 * out and reported; a file cut short mid-way is kept (ffmpeg reads it up to where it ends).
 */
import { open } from 'node:fs/promises';
import type { Manifest, Segment } from './manifest.ts';

export interface SkippedSegment {
  readonly participantId: string;
  readonly file: string;
  readonly reason: string;
}

/** Every EBML document (Matroska, WebM) begins with this ID. */
const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);

async function problemOf(file: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
  try {
    const head = Buffer.alloc(EBML_MAGIC.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead === 0) return 'empty';
    return head.subarray(0, bytesRead).equals(EBML_MAGIC) ? undefined : 'not a WebM file';
  } finally {
    await handle.close();
  }
}

export async function readableSegments(
  m: Manifest,
): Promise<{ manifest: Manifest; skipped: SkippedSegment[] }> {
  const skipped: SkippedSegment[] = [];
  const participants = await Promise.all(
    m.participants.map(async (p) => {
      const problems = await Promise.all(p.segments.map((s) => problemOf(s.file)));
      const kept: Segment[] = [];
      p.segments.forEach((s, i) => {
        const reason = problems[i];
        if (reason) skipped.push({ participantId: p.participantId, file: s.file, reason });
        else kept.push(s);
      });
      return { ...p, segments: kept };
    }),
  );
  return { manifest: { ...m, participants }, skipped };
}
